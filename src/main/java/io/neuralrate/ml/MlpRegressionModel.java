package io.neuralrate.ml;

import io.neuralrate.nn.NetworkFile;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.ParamEnum;
import io.neuralrate.train.RowLayout;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * A fitted rating network: a Spark ML {@link Model} whose {@code transform} appends the
 * prediction column, scoring each partition in batches on the executors.
 *
 * <p>Saved as Spark ML's standard {@code metadata/} (Params as JSON) plus {@code data/network.nrmlp},
 * the network in the versioned binary format documented in {@link NetworkFile}; no Java
 * serialisation is involved, and a truncated or altered file is refused when loading.
 */
public final class MlpRegressionModel extends Model<MlpRegressionModel>
        implements MlpRegressorParams<MlpRegressionModel>, MLWritable {
    private static final long serialVersionUID = 1L;
    static final String NETWORK_FILE = "data/network.nrmlp";

    private final String uid;
    private final NetworkFile network;
    private transient MlpTrainingSummary summary;

    /**
     * Wraps a trained network.
     *
     * @param uid the uid
     * @param network the network's shape and parameters
     */
    public MlpRegressionModel(String uid, NetworkFile network) {
        this.uid = uid;
        this.network = network;
        setMlpDefaults();
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The network's shape (input width, layers, embedding cardinalities, label scaling). @return the spec */
    public NetworkSpec networkSpec() {
        return network.spec();
    }

    /** The number of features the model expects in {@code featuresCol} (0 if it uses none). @return the count */
    public int numFeatures() {
        return network.spec().numFeatures();
    }

    void setSummary(MlpTrainingSummary summary) {
        this.summary = summary;
    }

    /** Whether a training summary is available (it is not kept when the model is saved). @return true if so */
    public boolean hasSummary() {
        return summary != null;
    }

    /**
     * The training summary of the fit that produced this model.
     *
     * @return the summary
     * @throws IllegalStateException if the model was loaded rather than fitted
     */
    public MlpTrainingSummary summary() {
        if (summary == null) {
            throw new IllegalStateException("No training summary for model " + uid + " (it was loaded, not fitted)");
        }
        return summary;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        StructType out = validateAndTransformSchema(schema, false);
        if (getEmbeddingCols().length != network.spec().numEmbeddings()) {
            throw new IllegalArgumentException("The model was trained with " + network.spec().numEmbeddings()
                    + " embedding columns but embeddingCols is " + Arrays.toString(getEmbeddingCols()));
        }
        if (network.spec().numFeatures() > 0 && !usesFeatures(schema)) {
            throw new IllegalArgumentException("Column '" + getFeaturesCol() + "' (featuresCol) is missing");
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema(), true);
        Dataset<Row> df = dataset.toDF();
        NetworkSpec spec = network.spec();
        RowLayout layout = RowLayout.of(df.schema(), spec.numFeatures() > 0 ? getFeaturesCol() : null, null, null,
                getEmbeddingCols(), null, spec.numFeatures());
        Broadcast<NetworkFile> broadcast = df.sparkSession().sparkContext()
                .broadcast(network, scala.reflect.ClassTag$.MODULE$.apply(NetworkFile.class));
        BatchScorer scorer = new BatchScorer(broadcast, layout,
                ParamEnum.parse(ColdStartStrategy.class, "coldStartStrategy", getColdStartStrategy()), getMinPrediction(),
                getMaxPrediction());
        return df.mapPartitions(scorer, Encoders.row(outSchema));
    }

    @Override
    public MlpRegressionModel copy(ParamMap extra) {
        MlpRegressionModel copied = new MlpRegressionModel(uid, network);
        copied.summary = summary;
        return copyValues(copied, extra).setParent(parent());
    }

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** @return a reader for saved models */
    public static MLReader<MlpRegressionModel> read() {
        return new Reader();
    }

    /**
     * Loads a model saved with {@code write().save(path)}.
     *
     * @param path folder
     * @return the model
     */
    public static MlpRegressionModel load(String path) {
        return read().load(path);
    }

    /** Writes the Params as Spark ML metadata and the network as {@value #NETWORK_FILE}. */
    private static final class Writer extends MLWriter {
        private final MlpRegressionModel instance;

        Writer(MlpRegressionModel instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            SparkSession spark = sparkSession();
            // The SparkContext overloads are the ones Spark 3.5 and 4.x share.
            DefaultParamsWriter$.MODULE$.saveMetadata(instance, path, spark.sparkContext(), scala.Option.empty(),
                    scala.Option.empty());
            Path file = new Path(path, NETWORK_FILE);
            try {
                FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
                try (FSDataOutputStream out = fs.create(file, true)) {
                    instance.network.write(out);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write the network to " + file, e);
            }
        }
    }

    /** Reads what {@link Writer} wrote. */
    private static final class Reader extends MLReader<MlpRegressionModel> {
        @Override
        public MlpRegressionModel load(String path) {
            SparkSession spark = sparkSession();
            DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path,
                    spark.sparkContext(), MlpRegressionModel.class.getName());
            Path file = new Path(path, NETWORK_FILE);
            NetworkFile network;
            try {
                FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
                try (FSDataInputStream in = fs.open(file)) {
                    network = NetworkFile.read(in, file.toString());
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot load the MlpRegressionModel at " + path + ": "
                        + e.getMessage(), e);
            }
            MlpRegressionModel model = new MlpRegressionModel(metadata.uid(), network);
            metadata.getAndSetParams(model, scala.Option.empty());
            return model;
        }
    }
}
