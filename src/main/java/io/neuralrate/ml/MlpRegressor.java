package io.neuralrate.ml;

import io.neuralrate.nn.NetworkFile;
import io.neuralrate.train.DistributedTrainer;
import io.neuralrate.train.RowLayout;
import io.neuralrate.train.TrainingResult;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Spark ML {@link Estimator} that trains a multilayer-perceptron rating regressor with DJL's
 * PyTorch engine, data-parallel on the executors.
 *
 * <pre>{@code
 * MlpRegressor mlp = new MlpRegressor()
 *     .setFeaturesCol("features").setLabelCol("rating")
 *     .setEmbeddingCols(new String[] {"userIndex", "itemIndex"})
 *     .setHiddenLayers(new int[] {64, 32}).setMaxEpochs(20);
 * MlpRegressionModel model = mlp.fit(train);
 * model.transform(test).show();
 * }</pre>
 */
public final class MlpRegressor extends Estimator<MlpRegressionModel>
        implements MlpRegressorParams<MlpRegressor>, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

    /** Column metadata key (a long): how many ids an index column's indexer knows; indices from it up are unknown. */
    public static final String NUM_IDS_METADATA = "num_ids";

    private final String uid;

    /** Creates an estimator with a random uid. */
    public MlpRegressor() {
        this(Identifiable$.MODULE$.randomUID("mlpRegressor"));
    }

    /**
     * Creates an estimator with the given uid (used by persistence and {@link #copy}).
     *
     * @param uid the uid
     */
    public MlpRegressor(String uid) {
        this.uid = uid;
        setMlpDefaults();
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return validateAndTransformSchema(schema, true);
    }

    @Override
    public MlpRegressionModel fit(Dataset<?> dataset) {
        StructType schema = dataset.schema();
        transformSchema(schema);
        boolean withFeatures = usesFeatures(schema);
        RowLayout layout = RowLayout.of(schema,
                withFeatures ? getFeaturesCol() : null,
                getLabelCol(),
                getWeightCol().isEmpty() ? null : getWeightCol(),
                getEmbeddingCols(),
                getValidationIndicatorCol().isEmpty() ? null : getValidationIndicatorCol(),
                withFeatures ? featureSize(dataset, getFeaturesCol()) : 0);
        @SuppressWarnings("unchecked")
        Dataset<Row> rows = (Dataset<Row>) dataset.toDF();
        List<TableIds> ids = new ArrayList<>();
        MlpRegressionModel model;
        try {
            if (getEmbeddingIdCols().length > 0) { // checked before training: fails fast
                ids = TableIds.readAll(rows, getEmbeddingIdCols(), getEmbeddingCols());
            }
            TrainingResult result = DistributedTrainer.fit(rows, layout, toTrainingConfig(), indexLimits(schema));
            NetworkFile network = NetworkFile.withStoredTables(result.spec(), result.dense(),
                    EmbeddingTables.digest(result.tables()), result.tableRows());
            model = new MlpRegressionModel(uid, network, keyedById(result, ids));
            model.setSummary(new MlpTrainingSummary(result));
            model.setParent(this);
            copyValues(model, extractParamMap());
            // The range validation scored within: the one set here, else the training labels' (a rating scale's ends).
            model.setMinPrediction(result.predictionRange()[0]).setMaxPrediction(result.predictionRange()[1]);
        } finally {
            ids.forEach(TableIds::release);
        }
        return model;
    }

    /** The fitted tables, with their rows' ids when {@code embeddingIdCols} is set (the tables without released). */
    private static List<Dataset<Row>> keyedById(TrainingResult result, List<TableIds> ids) {
        if (ids.isEmpty()) {
            return result.tables();
        }
        List<Dataset<Row>> keyed = new ArrayList<>();
        try {
            for (int e = 0; e < ids.size(); e++) {
                keyed.add(ids.get(e).key(result.tables().get(e), result.tableRows()[e],
                        result.spec().embeddingCardinalities()[e]));
            }
        } catch (RuntimeException ex) {
            keyed.forEach(t -> t.unpersist(false));
            throw ex;
        } finally {
            result.tables().forEach(t -> t.unpersist(false));
        }
        return keyed;
    }

    /**
     * Per embedding column, the number of ids its indexer indexed, from the column metadata key
     * {@value #NUM_IDS_METADATA} that NeuralRate's {@code IdIndexer} writes (-1 where absent):
     * the index an indexer gives unseen and null ids trains the unknown row, not a row of its own.
     */
    private int[] indexLimits(StructType schema) {
        return Arrays.stream(getEmbeddingCols()).mapToInt(c -> {
            Metadata m = schema.apply(c).metadata();
            return m.contains(NUM_IDS_METADATA) ? (int) Math.min(Integer.MAX_VALUE, m.getLong(NUM_IDS_METADATA)) : -1;
        }).toArray();
    }

    /** The feature vectors' length, from the column's ML attributes or else from its first row. */
    private static int featureSize(Dataset<?> dataset, String column) {
        int size = AttributeGroup.fromStructField(dataset.schema().apply(column)).size();
        if (size >= 0) {
            return size;
        }
        Row[] first = (Row[]) dataset.toDF().select(column).na().drop().limit(1).collect();
        if (first.length == 0) {
            throw new IllegalArgumentException("Cannot train on an empty dataset (no non-null '" + column + "' rows)");
        }
        return ((Vector) first[0].get(0)).size();
    }

    @Override
    public MlpRegressor copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    /** @return a reader for saved estimators */
    public static MLReader<MlpRegressor> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * Loads an estimator saved with {@code write().save(path)}.
     *
     * @param path folder
     * @return the estimator
     */
    public static MlpRegressor load(String path) {
        return read().load(path);
    }
}
