package io.neuralrate.job;

import io.neuralrate.data.FeatureAssembly;
import io.neuralrate.data.Tables;
import io.neuralrate.ml.MlpRegressor;

import java.util.List;

/** Builds the job's {@link MlpRegressor} from the {@code model} section of the configuration. */
final class JobModels {
    private JobModels() {}

    static MlpRegressor regressor(JobConfig config, FeatureAssembly assembly) {
        MlpRegressor mlp = new MlpRegressor()
                .setFeaturesCol(FeatureAssembly.FEATURES)
                .setLabelCol(Tables.RATING)
                .setEmbeddingCols(assembly.embeddingColumns().toArray(new String[0]))
                .setHiddenLayers(config.integers("model.hidden-layers").stream().mapToInt(Integer::intValue).toArray())
                .setActivation(config.string("model.activation"))
                .setDropout(config.number("model.dropout"))
                .setEmbeddingDim(config.integer("model.embedding-dim"))
                .setLoss(config.string("model.loss"))
                .setOptimizer(config.string("model.optimizer"))
                .setLearningRate(config.number("model.learning-rate"))
                .setWeightDecay(config.number("model.weight-decay"))
                .setBatchSize(config.integer("model.batch-size"))
                .setMaxEpochs(config.integer("model.max-epochs"))
                .setSeed(config.longValue("model.seed"))
                .setValidationFraction(config.number("model.validation-fraction"))
                .setEarlyStoppingPatience(config.integer("model.early-stopping-patience"))
                .setNumWorkers(config.integer("model.num-workers"))
                .setSyncInterval(config.integer("model.sync-interval"))
                .setTableBroadcastThreshold(config.longValue("model.table-broadcast-threshold"))
                .setUnknownIndexRate(config.number("model.unknown-index-rate"))
                // Standardising is the pipeline's StandardScaler stage, there when features.standardize is true.
                .setStandardization(false)
                .setColdStartStrategy(config.string("model.cold-start-strategy"))
                .setCheckpointInterval(config.integer("model.checkpoint-interval"));
        if (config.flag("model.tables-keyed-by-id")) {
            mlp.setEmbeddingIdCols(assembly.embeddingIdColumns().toArray(new String[0]));
        }
        if (!config.string("model.checkpoint-dir").isEmpty()) {
            mlp.setCheckpointDir(config.string("model.checkpoint-dir"));
        }
        List<Double> range = config.numbers("model.rating-range");
        if (range.size() == 2) {
            mlp.setMinPrediction(range.get(0)).setMaxPrediction(range.get(1));
        } else if (!range.isEmpty()) {
            throw new IllegalArgumentException("model.rating-range must be [] or [min, max], got " + range);
        }
        return mlp;
    }
}
