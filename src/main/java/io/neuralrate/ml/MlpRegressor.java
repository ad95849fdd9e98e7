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
import org.apache.spark.sql.types.StructType;

/**
 * A Spark ML {@link Estimator} that trains a multilayer-perceptron rating regressor with DJL's
 * PyTorch engine, data-parallel on the executors (see {@code DESIGN.md}).
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
        implements MlpRegressorParams, DefaultParamsWritable {
    private static final long serialVersionUID = 1L;

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

    /** @param v feature column @return this */
    public MlpRegressor setFeaturesCol(String v) {
        set(featuresCol(), v);
        return this;
    }

    /** @param v label column @return this */
    public MlpRegressor setLabelCol(String v) {
        set(labelCol(), v);
        return this;
    }

    /** @param v prediction column @return this */
    public MlpRegressor setPredictionCol(String v) {
        set(predictionCol(), v);
        return this;
    }

    /** @param v weight column ("" for none) @return this */
    public MlpRegressor setWeightCol(String v) {
        set(weightCol(), v);
        return this;
    }

    /** @param v embedding index columns @return this */
    public MlpRegressor setEmbeddingCols(String[] v) {
        set(embeddingCols(), v);
        return this;
    }

    /** @param v hidden layer widths @return this */
    public MlpRegressor setHiddenLayers(int[] v) {
        set(hiddenLayers(), v);
        return this;
    }

    /** @param v activation name @return this */
    public MlpRegressor setActivation(String v) {
        set(activation(), v);
        return this;
    }

    /** @param v dropout rate @return this */
    public MlpRegressor setDropout(double v) {
        set(dropout(), v);
        return this;
    }

    /** @param v embedding width @return this */
    public MlpRegressor setEmbeddingDim(int v) {
        set(embeddingDim(), v);
        return this;
    }

    /** @param v loss name @return this */
    public MlpRegressor setLoss(String v) {
        set(loss(), v);
        return this;
    }

    /** @param v optimizer name @return this */
    public MlpRegressor setOptimizer(String v) {
        set(optimizer(), v);
        return this;
    }

    /** @param v learning rate @return this */
    public MlpRegressor setLearningRate(double v) {
        set(learningRate(), v);
        return this;
    }

    /** @param v weight decay @return this */
    public MlpRegressor setWeightDecay(double v) {
        set(weightDecay(), v);
        return this;
    }

    /** @param v batch size @return this */
    public MlpRegressor setBatchSize(int v) {
        set(batchSize(), v);
        return this;
    }

    /** @param v maximum epochs @return this */
    public MlpRegressor setMaxEpochs(int v) {
        set(maxEpochs(), v);
        return this;
    }

    /** @param v seed @return this */
    public MlpRegressor setSeed(long v) {
        set(seed(), v);
        return this;
    }

    /** @param v validation fraction @return this */
    public MlpRegressor setValidationFraction(double v) {
        set(validationFraction(), v);
        return this;
    }

    /** @param v validation indicator column @return this */
    public MlpRegressor setValidationIndicatorCol(String v) {
        set(validationIndicatorCol(), v);
        return this;
    }

    /** @param v early stopping patience @return this */
    public MlpRegressor setEarlyStoppingPatience(int v) {
        set(earlyStoppingPatience(), v);
        return this;
    }

    /** @param v number of workers (0 = auto) @return this */
    public MlpRegressor setNumWorkers(int v) {
        set(numWorkers(), v);
        return this;
    }

    /** @param v sync interval @return this */
    public MlpRegressor setSyncInterval(int v) {
        set(syncInterval(), v);
        return this;
    }

    /** @param v unknown index rate @return this */
    public MlpRegressor setUnknownIndexRate(double v) {
        set(unknownIndexRate(), v);
        return this;
    }

    /** @param v checkpoint folder @return this */
    public MlpRegressor setCheckpointDir(String v) {
        set(checkpointDir(), v);
        return this;
    }

    /** @param v epochs between checkpoints @return this */
    public MlpRegressor setCheckpointInterval(int v) {
        set(checkpointInterval(), v);
        return this;
    }

    /** @param v cold-start strategy @return this */
    public MlpRegressor setColdStartStrategy(String v) {
        set(coldStartStrategy(), v);
        return this;
    }

    /** @param v lower clipping bound @return this */
    public MlpRegressor setMinPrediction(double v) {
        set(minPrediction(), v);
        return this;
    }

    /** @param v upper clipping bound @return this */
    public MlpRegressor setMaxPrediction(double v) {
        set(maxPrediction(), v);
        return this;
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
        TrainingResult result = DistributedTrainer.fit(rows, layout, toTrainingConfig());
        MlpRegressionModel model = new MlpRegressionModel(uid, new NetworkFile(result.spec(), result.parameters()));
        model.setSummary(new MlpTrainingSummary(result));
        model.setParent(this);
        return copyValues(model, extractParamMap());
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
