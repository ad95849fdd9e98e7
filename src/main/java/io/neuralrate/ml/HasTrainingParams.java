package io.neuralrate.ml;

import io.neuralrate.nn.LossKind;
import io.neuralrate.nn.OptimizerKind;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/**
 * How training runs: objective, optimizer, schedule, validation, distribution, checkpoints.
 * Defaults: {@link io.neuralrate.train.TrainingDefaults}.
 *
 * @param <T> the implementing class, which the setters return
 */
public interface HasTrainingParams<T extends HasTrainingParams<T>> extends Params {
    /** Param: objective: "mse", "huber" or "l1". @return the Param */
    default Param<String> loss() {
        return new Param<>(this, "loss", "training objective: mse, huber, l1", ParamChecks.oneOf("loss", LossKind.class));
    }

    /** Param: update rule: "adam", "adamw" or "sgd". @return the Param */
    default Param<String> optimizer() {
        return new Param<>(this, "optimizer", "update rule: adam, adamw, sgd",
                ParamChecks.oneOf("optimizer", OptimizerKind.class));
    }

    /** Param: learning rate. @return the Param */
    default DoubleParam learningRate() {
        return new DoubleParam(this, "learningRate", "learning rate (> 0)", ParamChecks.positive("learningRate"));
    }

    /** Param: weight decay. @return the Param */
    default DoubleParam weightDecay() {
        return new DoubleParam(this, "weightDecay", "weight decay (>= 0)", ParamChecks.nonNegative("weightDecay"));
    }

    /** Param: rows per optimizer step, summed over the workers. @return the Param */
    default IntParam batchSize() {
        return new IntParam(this, "batchSize", "rows per optimizer step, split evenly over the workers (> 0)",
                ParamChecks.positive("batchSize"));
    }

    /** Param: maximum number of epochs. @return the Param */
    default IntParam maxEpochs() {
        return new IntParam(this, "maxEpochs", "maximum number of passes over the data (> 0)",
                ParamChecks.positive("maxEpochs"));
    }

    /** Param: random seed for initialisation, shuffling, splits and dropout. @return the Param */
    default LongParam seed() {
        return new LongParam(this, "seed", "random seed");
    }

    /** Param: share of rows held out for validation and early stopping. @return the Param */
    default DoubleParam validationFraction() {
        return new DoubleParam(this, "validationFraction",
                "share of rows held out for validation and early stopping, in [0, 1); ignored when "
                        + "validationIndicatorCol is set", ParamChecks.fraction("validationFraction"));
    }

    /** Param: boolean column marking validation rows; overrides validationFraction. @return the Param */
    default Param<String> validationIndicatorCol() {
        return new Param<>(this, "validationIndicatorCol", "boolean column: true marks a validation row");
    }

    /** Param: epochs without validation improvement before stopping; 0 never stops. @return the Param */
    default IntParam earlyStoppingPatience() {
        return new IntParam(this, "earlyStoppingPatience",
                "epochs without validation improvement before training stops (0 = never)",
                ParamChecks.nonNegative("earlyStoppingPatience"));
    }

    /** Param: data-parallel workers; 0 means one per task slot. @return the Param */
    default IntParam numWorkers() {
        return new IntParam(this, "numWorkers", "number of data-parallel training workers (0 = one per task slot)",
                ParamChecks.nonNegative("numWorkers"));
    }

    /** Param: mini-batches per worker between parameter averages. @return the Param */
    default IntParam syncInterval() {
        return new IntParam(this, "syncInterval", "mini-batches each worker runs between parameter averages (> 0)",
                ParamChecks.positive("syncInterval"));
    }

    /**
     * Param: the largest embedding tables broadcast whole each training round (larger ones are sharded), and
     * the largest table a scoring join broadcasts (larger ones take a shuffled hash join with the scored rows).
     *
     * @return the Param
     */
    default LongParam tableBroadcastThreshold() {
        return new LongParam(this, "tableBroadcastThreshold", "bytes of embedding tables (values and optimizer "
                + "state) up to which training broadcasts them whole each round; larger tables are sharded on the "
                + "executors and a round moves only the rows it looks up (-1 = always shard; same model either way). "
                + "Scoring broadcasts each table whose values (vectors and biases) fit in as many bytes and joins "
                + "larger ones by a shuffled hash join (-1 = Spark's own choice; same predictions either way)",
                ParamChecks.<Object>check("tableBroadcastThreshold", ">= -1", v -> (Long) v >= -1));
    }

    /**
     * Param: whether the dense features are standardised (centred, divided by their standard deviation
     * over the training rows) for training, as in Spark's {@code LinearRegression}. The model takes raw
     * features either way: the scaling is folded into its first layer.
     *
     * @return the Param
     */
    default BooleanParam standardization() {
        return new BooleanParam(this, "standardization", "whether to standardise the features for training "
                + "(mean 0, standard deviation 1 over the training rows; the model takes raw features either way)");
    }

    /** Param: share of training indices replaced by the unknown index. @return the Param */
    default DoubleParam unknownIndexRate() {
        return new DoubleParam(this, "unknownIndexRate",
                "share of training embedding indices replaced by the unknown index, which trains the cold-start "
                        + "embedding, in [0, 1)", ParamChecks.fraction("unknownIndexRate"));
    }

    /** Param: folder for training checkpoints. @return the Param */
    default Param<String> checkpointDir() {
        return new Param<>(this, "checkpointDir", "folder (any Hadoop file system) for training checkpoints; a fit "
                + "with the same settings resumes from the newest one");
    }

    /** Param: epochs between checkpoints. @return the Param */
    default IntParam checkpointInterval() {
        return new IntParam(this, "checkpointInterval", "epochs between checkpoints (> 0)",
                ParamChecks.positive("checkpointInterval"));
    }

    /** @return the loss name */
    default String getLoss() {
        return getOrDefault(loss());
    }

    /** @return the optimizer name */
    default String getOptimizer() {
        return getOrDefault(optimizer());
    }

    /** @return the learning rate */
    default double getLearningRate() {
        return (Double) getOrDefault(learningRate());
    }

    /** @return the weight decay */
    default double getWeightDecay() {
        return (Double) getOrDefault(weightDecay());
    }

    /** @return whether the features are standardised for training */
    default boolean getStandardization() {
        return (Boolean) getOrDefault(standardization());
    }

    /** @return the batch size */
    default int getBatchSize() {
        return (Integer) getOrDefault(batchSize());
    }

    /** @return the maximum number of epochs */
    default int getMaxEpochs() {
        return (Integer) getOrDefault(maxEpochs());
    }

    /** @return the seed */
    default long getSeed() {
        return (Long) getOrDefault(seed());
    }

    /** @return the validation fraction */
    default double getValidationFraction() {
        return (Double) getOrDefault(validationFraction());
    }

    /** @return the validation indicator column, or "" when unset */
    default String getValidationIndicatorCol() {
        return isDefined(validationIndicatorCol()) ? getOrDefault(validationIndicatorCol()) : "";
    }

    /** @return the early stopping patience */
    default int getEarlyStoppingPatience() {
        return (Integer) getOrDefault(earlyStoppingPatience());
    }

    /** @return the number of workers (0 = auto) */
    default int getNumWorkers() {
        return (Integer) getOrDefault(numWorkers());
    }

    /** @return the sync interval */
    default int getSyncInterval() {
        return (Integer) getOrDefault(syncInterval());
    }

    /** @return the table broadcast threshold in bytes (-1 = always shard) */
    default long getTableBroadcastThreshold() {
        return (Long) getOrDefault(tableBroadcastThreshold());
    }

    /** @return the unknown index rate */
    default double getUnknownIndexRate() {
        return (Double) getOrDefault(unknownIndexRate());
    }

    /** @return the checkpoint folder, or "" when unset */
    default String getCheckpointDir() {
        return isDefined(checkpointDir()) ? getOrDefault(checkpointDir()) : "";
    }

    /** @return epochs between checkpoints */
    default int getCheckpointInterval() {
        return (Integer) getOrDefault(checkpointInterval());
    }

    /** @param v loss name @return this */
    @SuppressWarnings("unchecked")
    default T setLoss(String v) {
        return (T) set(loss(), v);
    }

    /** @param v optimizer name @return this */
    @SuppressWarnings("unchecked")
    default T setOptimizer(String v) {
        return (T) set(optimizer(), v);
    }

    /** @param v learning rate @return this */
    @SuppressWarnings("unchecked")
    default T setLearningRate(double v) {
        return (T) set(learningRate(), v);
    }

    /** @param v weight decay @return this */
    @SuppressWarnings("unchecked")
    default T setWeightDecay(double v) {
        return (T) set(weightDecay(), v);
    }

    /** @param v batch size @return this */
    @SuppressWarnings("unchecked")
    default T setBatchSize(int v) {
        return (T) set(batchSize(), v);
    }

    /** @param v maximum epochs @return this */
    @SuppressWarnings("unchecked")
    default T setMaxEpochs(int v) {
        return (T) set(maxEpochs(), v);
    }

    /** @param v seed @return this */
    @SuppressWarnings("unchecked")
    default T setSeed(long v) {
        return (T) set(seed(), v);
    }

    /** @param v validation fraction @return this */
    @SuppressWarnings("unchecked")
    default T setValidationFraction(double v) {
        return (T) set(validationFraction(), v);
    }

    /** @param v validation indicator column @return this */
    @SuppressWarnings("unchecked")
    default T setValidationIndicatorCol(String v) {
        return (T) set(validationIndicatorCol(), v);
    }

    /** @param v early stopping patience @return this */
    @SuppressWarnings("unchecked")
    default T setEarlyStoppingPatience(int v) {
        return (T) set(earlyStoppingPatience(), v);
    }

    /** @param v number of workers (0 = one per task slot) @return this */
    @SuppressWarnings("unchecked")
    default T setNumWorkers(int v) {
        return (T) set(numWorkers(), v);
    }

    /** @param v sync interval @return this */
    @SuppressWarnings("unchecked")
    default T setSyncInterval(int v) {
        return (T) set(syncInterval(), v);
    }

    /** @param v table broadcast threshold in bytes (-1 = always shard) @return this */
    @SuppressWarnings("unchecked")
    default T setTableBroadcastThreshold(long v) {
        return (T) set(tableBroadcastThreshold(), v);
    }

    /** @param v whether to standardise the features for training @return this */
    @SuppressWarnings("unchecked")
    default T setStandardization(boolean v) {
        return (T) set(standardization(), v);
    }

    /** @param v unknown index rate @return this */
    @SuppressWarnings("unchecked")
    default T setUnknownIndexRate(double v) {
        return (T) set(unknownIndexRate(), v);
    }

    /** @param v checkpoint folder @return this */
    @SuppressWarnings("unchecked")
    default T setCheckpointDir(String v) {
        return (T) set(checkpointDir(), v);
    }

    /** @param v epochs between checkpoints @return this */
    @SuppressWarnings("unchecked")
    default T setCheckpointInterval(int v) {
        return (T) set(checkpointInterval(), v);
    }
}
