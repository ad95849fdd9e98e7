package io.neuralrate.ml;

import org.apache.spark.ml.param.DoubleParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.LongParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;

/** How training runs: objective, optimizer, schedule, validation, distribution, checkpoints. */
public interface HasTrainingParams extends Params {
    /** Param: objective, "mse" (default), "huber" or "l1". @return the Param */
    default Param<String> loss() {
        return new Param<>(this, "loss", "training objective: mse, huber, l1", ParamChecks.oneOf("loss", "mse", "huber", "l1"));
    }

    /** Param: update rule, "adam" (default), "adamw" or "sgd". @return the Param */
    default Param<String> optimizer() {
        return new Param<>(this, "optimizer", "update rule: adam, adamw, sgd",
                ParamChecks.oneOf("optimizer", "adam", "adamw", "sgd"));
    }

    /** Param: learning rate (default 0.001). @return the Param */
    default DoubleParam learningRate() {
        return new DoubleParam(this, "learningRate", "learning rate (> 0)", ParamChecks.positive("learningRate"));
    }

    /** Param: weight decay (default 0). @return the Param */
    default DoubleParam weightDecay() {
        return new DoubleParam(this, "weightDecay", "weight decay (>= 0)", ParamChecks.nonNegative("weightDecay"));
    }

    /** Param: rows per optimizer step, summed over the workers (default 256). @return the Param */
    default IntParam batchSize() {
        return new IntParam(this, "batchSize", "rows per optimizer step, split evenly over the workers (> 0)",
                ParamChecks.positive("batchSize"));
    }

    /** Param: maximum number of epochs (default 50). @return the Param */
    default IntParam maxEpochs() {
        return new IntParam(this, "maxEpochs", "maximum number of passes over the data (> 0)",
                ParamChecks.positive("maxEpochs"));
    }

    /** Param: random seed for initialisation, shuffling, splits and dropout. @return the Param */
    default LongParam seed() {
        return new LongParam(this, "seed", "random seed");
    }

    /** Param: share of rows held out for validation and early stopping (default 0.1). @return the Param */
    default DoubleParam validationFraction() {
        return new DoubleParam(this, "validationFraction",
                "share of rows held out for validation and early stopping, in [0, 1); ignored when "
                        + "validationIndicatorCol is set", ParamChecks.fraction("validationFraction"));
    }

    /** Param: boolean column marking validation rows; overrides validationFraction. @return the Param */
    default Param<String> validationIndicatorCol() {
        return new Param<>(this, "validationIndicatorCol", "boolean column: true marks a validation row");
    }

    /** Param: epochs without validation improvement before stopping; 0 never stops (default 5). @return the Param */
    default IntParam earlyStoppingPatience() {
        return new IntParam(this, "earlyStoppingPatience",
                "epochs without validation improvement before training stops (0 = never)",
                ParamChecks.nonNegative("earlyStoppingPatience"));
    }

    /** Param: data-parallel workers; 0 means one per task slot (default 0). @return the Param */
    default IntParam numWorkers() {
        return new IntParam(this, "numWorkers", "number of data-parallel training workers (0 = one per task slot)",
                ParamChecks.nonNegative("numWorkers"));
    }

    /** Param: mini-batches per worker between parameter averages (default 64). @return the Param */
    default IntParam syncInterval() {
        return new IntParam(this, "syncInterval", "mini-batches each worker runs between parameter averages (> 0)",
                ParamChecks.positive("syncInterval"));
    }

    /** Param: share of training indices replaced by the unknown index (default 0.01). @return the Param */
    default DoubleParam unknownIndexRate() {
        return new DoubleParam(this, "unknownIndexRate",
                "share of training embedding indices replaced by the unknown index, which trains the cold-start "
                        + "embedding, in [0, 1)", ParamChecks.fraction("unknownIndexRate"));
    }

    /** Param: folder for training checkpoints (default none). @return the Param */
    default Param<String> checkpointDir() {
        return new Param<>(this, "checkpointDir", "folder (any Hadoop file system) for training checkpoints; a fit "
                + "with the same settings resumes from the newest one");
    }

    /** Param: epochs between checkpoints (default 1). @return the Param */
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
}
