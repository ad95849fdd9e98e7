package io.neuralrate.train;

import io.neuralrate.ml.MlpRegressor;
import io.neuralrate.nn.Activation;
import io.neuralrate.nn.ParamEnum;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Params' defaults and the trainer's defaults are one table. */
class TrainingDefaultsTest {
    @Test
    void anEstimatorWithDefaultParamsConfiguresTheTrainerLikeTheBuildersDefaults() {
        TrainingConfig fromParams = new MlpRegressor().toTrainingConfig();
        TrainingConfig fromBuilder = TrainingConfig.builder().build();
        assertEquals(fromBuilder.fingerprint(), fromParams.fingerprint());
        assertEquals(fromBuilder.numWorkers, fromParams.numWorkers);
        assertEquals(fromBuilder.checkpointInterval, fromParams.checkpointInterval);
        assertEquals(fromBuilder.checkpointDir, fromParams.checkpointDir);
    }

    @Test
    void theDefaultSeedIsTheOneModelsWereFittedWithBefore() {
        // Earlier versions used the estimator's class-name hash; a default-seed model must not change.
        assertEquals("io.neuralrate.ml.MlpRegressor".hashCode(), TrainingDefaults.SEED);
        assertEquals(TrainingDefaults.SEED, new MlpRegressor().getSeed());
    }

    @Test
    void enumParamValuesParseCaseInsensitivelyAndNameTheChoicesOtherwise() {
        assertEquals(Activation.LEAKY_RELU, ParamEnum.parse(Activation.class, "activation", "Leaky_ReLU"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ParamEnum.parse(Activation.class, "activation", "swish"));
        assertTrue(e.getMessage().contains("activation 'swish'") && e.getMessage().contains("leaky_relu"),
                e.getMessage());
    }
}
