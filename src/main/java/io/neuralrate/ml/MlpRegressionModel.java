package io.neuralrate.ml;

import io.neuralrate.nn.NetworkFile;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.ParamEnum;
import io.neuralrate.train.RowLayout;
import io.neuralrate.train.TableRows;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A fitted rating network: a Spark ML {@link Model} whose {@code transform} appends the
 * prediction column, scoring each partition in batches on the executors.
 *
 * <p>The perceptron is small and travels with the scoring tasks; the embedding tables (one row per
 * user, item or other index) are Datasets on the executors, and {@code transform} joins each row
 * with the table rows it needs: a table within {@code tableBroadcastThreshold} bytes of values is
 * broadcast to that join, a larger one takes a shuffled hash join (each task holds its slice of it),
 * so no scoring task holds a large table (a fit whose tables were sharded hands them over from the
 * executors; one that broadcast them, small by definition, builds them from the driver's arrays).
 * A model fitted with {@code embeddingIdCols} stores each table row's raw id and looks rows up by id:
 * rows already partitioned by that id (by a join with a feature table on it) are then not shuffled
 * again, and the index columns are not needed to score.
 * Spark's optimizer cannot see into the batched scoring step, so every input column travels through
 * those joins: select the columns you need before {@code transform}, not after.
 *
 * <p>Saved as Spark ML's standard {@code metadata/} (Params as JSON), {@code data/network.nrmlp}
 * (the spec, the perceptron and a digest of the tables, in the versioned, CRC-checked format of
 * {@link NetworkFile}) and one Parquet table per embedding column under
 * {@code data/embeddings/<column number>} ({@code index, vector, bias}, and {@code id} when fitted
 * with {@code embeddingIdCols}, as {@link #embeddingTable(int)} returns it; else join {@code index}
 * with an {@code IdIndexer}'s id table for the ids). Loading reads the tables lazily: no driver heap
 * the size of a table. Models saved in formats 2 (tables inside the network file) and 3 (every table
 * row stored) still load. No Java serialisation is involved, and a truncated or altered network file
 * is refused.
 */
public final class MlpRegressionModel extends Model<MlpRegressionModel>
        implements MlpRegressorParams<MlpRegressionModel>, MLWritable {
    private static final long serialVersionUID = 1L;
    static final String NETWORK_FILE = "data/network.nrmlp";
    static final String EMBEDDINGS = "data/embeddings";
    /**
     * The bytes of a stored table per file, at most, as its values and ids count (Parquet's encoding adds about
     * 2%). Spark reads a Parquet file in row groups (of up to 128 MB) and packs small files together up to its
     * split size, so files of a quarter of that keep a table read by several tasks while tables of a few MB
     * stay one file.
     */
    private static final long FILE_BYTES = 32L << 20;

    private final String uid;
    private final NetworkFile network;
    private final transient List<Dataset<Row>> tables;
    /**
     * Each table's unknown row once read (null until then), for the plans that need it as a constant: one job per
     * table, not per plan. A loaded model has them all, read when its tables were checked.
     */
    private final transient Row[] unknownRows;
    private transient MlpTrainingSummary summary;

    MlpRegressionModel(String uid, NetworkFile network, List<Dataset<Row>> tables) {
        this(uid, network, tables, new Row[tables.size()]);
    }

    private MlpRegressionModel(String uid, NetworkFile network, List<Dataset<Row>> tables, Row[] unknownRows) {
        if (tables.size() != network.spec().numEmbeddings()) {
            throw new IllegalArgumentException("expected " + network.spec().numEmbeddings() + " embedding tables, got "
                    + tables.size());
        }
        this.uid = uid;
        this.network = network;
        this.tables = List.copyOf(tables);
        this.unknownRows = unknownRows.clone();
        setMlpDefaults();
    }

    /** A model whose tables are arrays on the driver, as a format-2 file holds them. */
    static MlpRegressionModel withTablesFromArrays(SparkSession spark, String uid, NetworkFile network) {
        float[][] arrays = network.tables().orElseThrow(() -> new IllegalStateException("no tables held"));
        return new MlpRegressionModel(uid, network.withoutTables(),
                TableRows.fromArrays(spark, network.spec(), arrays, null));
    }

    @Override
    public String uid() {
        return uid;
    }

    /** The network's shape (input width, layers, embedding cardinalities, label scaling). @return the spec */
    public NetworkSpec networkSpec() {
        return network.spec();
    }

    /**
     * The embedding table of embedding column {@code column} (in {@code embeddingCols} order): one row
     * per trained index, {@code index} (int; the largest, equal to the spec's cardinality, is the
     * learned "unknown" row), {@code vector} (array of floats), {@code bias} (float). An index below
     * the cardinality without a row (its id occurred only in validation rows) scores as unknown and is
     * subject to {@code coldStartStrategy}. A model fitted with {@code embeddingIdCols} has a fourth
     * column, {@code id}: the raw id of each row (null for the unknown row).
     *
     * @param column the embedding column's position
     * @return the table, a Dataset on the executors
     */
    public Dataset<Row> embeddingTable(int column) {
        return tables.get(column);
    }

    /**
     * A digest of the embedding tables' values (order-independent, bit-exact): two models with equal
     * digests and equal network files predict the same.
     *
     * @return the digest
     */
    public long embeddingTablesDigest() {
        return network.tablesDigest();
    }

    /** The stored network: spec, perceptron, tables digest. */
    NetworkFile network() {
        return network;
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
        String[] idCols = getEmbeddingIdCols();
        for (int e = 0; e < idCols.length; e++) {
            if (!EmbeddingTables.hasIds(tables.get(e))) {
                throw new IllegalArgumentException("embeddingIdCols is set but the embedding table of '"
                        + getEmbeddingCols()[e] + "' has no ids (the model was fitted without embeddingIdCols): "
                        + "clear embeddingIdCols to score by index");
            }
            // The same type as in fit: comparing other types would need a cast, which fails or silently finds nothing.
            String fitted = tables.get(e).schema().apply(EmbeddingTables.ID).dataType().simpleString();
            String given = schema.apply(idCols[e]).dataType().simpleString();
            if (!fitted.equals(given)) {
                throw new IllegalArgumentException("Column '" + idCols[e] + "' (embeddingIdCols) is " + given
                        + " but the model was fitted on " + fitted + " ids");
            }
        }
        return out;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType outSchema = transformSchema(dataset.schema(), true);
        Dataset<Row> rows = dataset.toDF();
        NetworkSpec spec = network.spec();
        ColdStartStrategy coldStart = ParamEnum.parse(ColdStartStrategy.class, "coldStartStrategy",
                getColdStartStrategy());
        Dataset<Row> joined = spec.numEmbeddings() == 0 ? rows : EmbeddingTables.attach(rows, getEmbeddingCols(),
                getEmbeddingIdCols(), spec, tables, network.tableRows(), this::unknownRow,
                coldStart == ColdStartStrategy.DROP, getTableBroadcastThreshold());
        RowLayout layout = RowLayout.of(joined.schema(), spec.numFeatures() > 0 ? getFeaturesCol() : null, null,
                null, new String[0], null, spec.numFeatures());
        BatchScorer scorer = new BatchScorer(network, layout, rows.columns().length, coldStart, getMinPrediction(),
                getMaxPrediction());
        return joined.mapPartitions(scorer, Encoders.row(outSchema));
    }

    /**
     * The bytes of the embedding tables that {@code transform} joins by shuffling them with the rows rather than
     * broadcasting them (those above {@code tableBroadcastThreshold}), as their values and ids count them: what
     * the scoring tasks hold between them in hash maps, each its share. With a negative threshold Spark chooses
     * each join, and every table is counted.
     *
     * @return the bytes (values, and ids where rows are looked up by id)
     */
    public long shuffledTableBytes() {
        long threshold = getTableBroadcastThreshold();
        boolean byId = getEmbeddingIdCols().length > 0;
        long bytes = 0;
        for (int e = 0; e < tables.size(); e++) {
            long table = EmbeddingTables.joinBytes(tables.get(e), network.tableRows()[e],
                    network.spec().embeddingDim(), byId);
            bytes += EmbeddingTables.broadcasts(table, threshold) ? 0 : table;
        }
        return bytes;
    }

    private synchronized Row unknownRow(int column) {
        if (unknownRows[column] == null) {
            unknownRows[column] = EmbeddingTables.unknownRow(tables.get(column),
                    "of '" + getEmbeddingCols()[column] + "'", network.spec().embeddingCardinalities()[column]);
        }
        return unknownRows[column];
    }

    @Override
    public MlpRegressionModel copy(ParamMap extra) {
        MlpRegressionModel copied;
        synchronized (this) {
            copied = new MlpRegressionModel(uid, network, tables, unknownRows);
        }
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

    /** Writes the Params as Spark ML metadata, the network as {@value #NETWORK_FILE}, the tables as Parquet. */
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
            int dim = instance.network.spec().embeddingDim();
            for (int e = 0; e < instance.tables.size(); e++) {
                EmbeddingTables.write(instance.tables.get(e), instance.network.tableRows()[e], dim,
                        new Path(path, EMBEDDINGS + "/" + e).toString(), FILE_BYTES);
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
            MlpRegressionModel model;
            if (network.tables().isPresent()) { // format 2: the tables were inside the network file
                model = withTablesFromArrays(spark, metadata.uid(), network);
            } else {
                List<Dataset<Row>> tables = new ArrayList<>();
                Row[] unknownRows = new Row[network.spec().numEmbeddings()];
                for (int e = 0; e < network.spec().numEmbeddings(); e++) {
                    Path table = new Path(path, EMBEDDINGS + "/" + e);
                    try {
                        if (!table.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(table)) {
                            throw new IllegalArgumentException("Cannot load the MlpRegressionModel at " + path
                                    + ": its embedding table " + table + " is missing");
                        }
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                    Dataset<Row> checked = EmbeddingTables.checked(spark.read().parquet(table.toString()),
                            table.toString(), network.tableRows()[e]);
                    // Read and checked here, once: a plan that needs it (lookups by id, incomplete tables) has it.
                    unknownRows[e] = EmbeddingTables.unknownRow(checked, table.toString(),
                            network.spec().embeddingCardinalities()[e]);
                    tables.add(checked);
                }
                model = new MlpRegressionModel(metadata.uid(), network, tables, unknownRows);
            }
            metadata.getAndSetParams(model, scala.Option.empty());
            return model;
        }
    }
}
