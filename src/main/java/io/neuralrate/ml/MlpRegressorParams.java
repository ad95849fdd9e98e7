package io.neuralrate.ml;

import io.neuralrate.nn.Activation;
import io.neuralrate.nn.LossKind;
import io.neuralrate.nn.OptimizerKind;
import io.neuralrate.nn.ParamEnum;
import io.neuralrate.train.TrainingConfig;
import io.neuralrate.train.TrainingDefaults;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.AtomicType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.Arrays;

/**
 * All Params shared by {@link MlpRegressor} and {@link MlpRegressionModel}, with their defaults and
 * schema checks. Each Param, its getter and its setter are declared once, in the interface of its
 * group; {@code T} is the class that implements them, which the setters return.
 *
 * @param <T> the implementing class
 */
public interface MlpRegressorParams<T extends MlpRegressorParams<T>> extends HasColumnParams<T>, HasNetworkParams<T>,
        HasTrainingParams<T>, HasPredictionParams<T> {

    /** Declares every default (training ones from {@link TrainingDefaults}); called from the constructors. */
    default void setMlpDefaults() {
        setDefault(featuresCol(), "features");
        setDefault(labelCol(), "label");
        setDefault(predictionCol(), "prediction");
        setDefault(embeddingCols(), new String[0]);
        setDefault(embeddingIdCols(), new String[0]);
        setDefault(hiddenLayers(), TrainingDefaults.hiddenLayers());
        setDefault(activation(), TrainingDefaults.ACTIVATION.paramValue());
        setDefault(dropout(), TrainingDefaults.DROPOUT);
        setDefault(embeddingDim(), TrainingDefaults.EMBEDDING_DIM);
        setDefault(loss(), TrainingDefaults.LOSS.paramValue());
        setDefault(optimizer(), TrainingDefaults.OPTIMIZER.paramValue());
        setDefault(learningRate(), TrainingDefaults.LEARNING_RATE);
        setDefault(weightDecay(), TrainingDefaults.WEIGHT_DECAY);
        setDefault(batchSize(), TrainingDefaults.BATCH_SIZE);
        setDefault(maxEpochs(), TrainingDefaults.MAX_EPOCHS);
        setDefault(seed(), TrainingDefaults.SEED);
        setDefault(validationFraction(), TrainingDefaults.VALIDATION_FRACTION);
        setDefault(earlyStoppingPatience(), TrainingDefaults.EARLY_STOPPING_PATIENCE);
        setDefault(numWorkers(), TrainingDefaults.NUM_WORKERS);
        setDefault(syncInterval(), TrainingDefaults.SYNC_INTERVAL);
        setDefault(tableBroadcastThreshold(), TrainingDefaults.TABLE_BROADCAST_THRESHOLD);
        setDefault(unknownIndexRate(), TrainingDefaults.UNKNOWN_INDEX_RATE);
        setDefault(standardization(), TrainingDefaults.STANDARDIZATION);
        setDefault(checkpointInterval(), TrainingDefaults.CHECKPOINT_INTERVAL);
        setDefault(coldStartStrategy(), ColdStartStrategy.UNKNOWN.paramValue());
        setDefault(minPrediction(), Double.NEGATIVE_INFINITY);
        setDefault(maxPrediction(), Double.POSITIVE_INFINITY);
    }

    /** Whether a features column is used: it is optional when embedding columns are given and it is absent. */
    default boolean usesFeatures(StructType schema) {
        return getEmbeddingCols().length == 0 || Arrays.asList(schema.fieldNames()).contains(getFeaturesCol());
    }

    /**
     * Checks the input columns and returns the schema with the prediction column added.
     *
     * @param schema input schema
     * @param fitting whether label/weight/validation columns are required (fit) or not (transform)
     * @return the output schema
     */
    default StructType validateAndTransformSchema(StructType schema, boolean fitting) {
        if (usesFeatures(schema)) {
            requireColumn(schema, getFeaturesCol(), "featuresCol", "a Vector",
                    t -> t.equals(SQLDataTypes.VectorType()));
        }
        String[] idCols = getEmbeddingIdCols();
        if (idCols.length > 0 && idCols.length != getEmbeddingCols().length) {
            throw new IllegalArgumentException("embeddingIdCols " + Arrays.toString(idCols) + " must name one id "
                    + "column per embedding column " + Arrays.toString(getEmbeddingCols()));
        }
        if (fitting || idCols.length == 0) { // keyed by id, the model scores without the index columns
            for (String col : getEmbeddingCols()) {
                requireColumn(schema, col, "embeddingCols", "an integer index (or a whole-valued numeric)",
                        t -> t instanceof IntegralType || t instanceof NumericType);
            }
        }
        for (String col : idCols) {
            requireColumn(schema, col, "embeddingIdCols", "atomic ids (string, integer ...)",
                    t -> t instanceof AtomicType);
        }
        if (fitting) {
            requireColumn(schema, getLabelCol(), "labelCol", "numeric", t -> t instanceof NumericType);
            if (!getWeightCol().isEmpty()) {
                requireColumn(schema, getWeightCol(), "weightCol", "numeric", t -> t instanceof NumericType);
            }
            if (!getValidationIndicatorCol().isEmpty()) {
                requireColumn(schema, getValidationIndicatorCol(), "validationIndicatorCol", "boolean",
                        t -> t instanceof BooleanType);
            }
        }
        if (Arrays.asList(schema.fieldNames()).contains(getPredictionCol())) {
            throw new IllegalArgumentException("Output column '" + getPredictionCol() + "' already exists");
        }
        return schema.add(new StructField(getPredictionCol(), DataTypes.DoubleType, true,
                org.apache.spark.sql.types.Metadata.empty()));
    }

    private static void requireColumn(StructType schema, String name, String param, String expected,
                                      java.util.function.Predicate<DataType> ok) {
        if (!Arrays.asList(schema.fieldNames()).contains(name)) {
            throw new IllegalArgumentException("Column '" + name + "' (" + param + ") is missing; the input has "
                    + String.join(", ", schema.fieldNames()));
        }
        DataType type = schema.apply(name).dataType();
        if (!ok.test(type)) {
            throw new IllegalArgumentException("Column '" + name + "' (" + param + ") must be " + expected
                    + " but is " + type.simpleString());
        }
    }

    /** Translates the Params into the trainer's configuration. */
    default TrainingConfig toTrainingConfig() {
        return TrainingConfig.builder()
                .hiddenLayers(getHiddenLayers())
                .activation(ParamEnum.parse(Activation.class, "activation", getActivation()))
                .dropout((float) getDropout())
                .embeddingDim(getEmbeddingDim())
                .loss(ParamEnum.parse(LossKind.class, "loss", getLoss()))
                .optimizer(ParamEnum.parse(OptimizerKind.class, "optimizer", getOptimizer()))
                .learningRate((float) getLearningRate())
                .weightDecay((float) getWeightDecay())
                .batchSize(getBatchSize())
                .maxEpochs(getMaxEpochs())
                .seed(getSeed())
                .validationFraction(getValidationFraction())
                .earlyStoppingPatience(getEarlyStoppingPatience())
                .numWorkers(getNumWorkers())
                .syncInterval(getSyncInterval())
                .tableBroadcastThreshold(getTableBroadcastThreshold())
                .unknownIndexRate(getUnknownIndexRate())
                .standardization(getStandardization())
                .predictionRange(isSet(minPrediction()) ? getMinPrediction() : Double.NaN,
                        isSet(maxPrediction()) ? getMaxPrediction() : Double.NaN)
                .checkpointDir(getCheckpointDir().isEmpty() ? null : getCheckpointDir())
                .checkpointInterval(getCheckpointInterval())
                .build();
    }
}
