package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Rows weighted by {@code weightCol}: weight 0 means ignored, in the training loss and in the validation RMSE. */
class WeightsTest {
    private static Dataset<Row> data;

    @BeforeAll
    static void data() {
        // One row in ten is an outlier (label + 100) with weight 0; the others weigh 1.
        Column outlier = functions.pmod(functions.hash(col("label")), lit(10)).equalTo(0);
        data = SparkTestSupport.nonLinear(SparkTestSupport.spark(), 3000, 21)
                .withColumn("weight", when(outlier, lit(0.0)).otherwise(lit(1.0)))
                .withColumn("label", when(col("weight").equalTo(0), col("label").plus(100)).otherwise(col("label")))
                .cache();
    }

    private static MlpRegressor estimator() {
        return new MlpRegressor().setWeightCol("weight").setHiddenLayers(new int[] {16}).setMaxEpochs(3)
                .setEarlyStoppingPatience(0).setValidationFraction(0.3).setNumWorkers(2).setSeed(3);
    }

    @Test
    void rowsOfWeightZeroCountNeitherInTrainingNorInTheValidationRmse() {
        MlpRegressionModel model = estimator().setBatchSize(64).fit(data);
        double[] validation = model.summary().validationRmse();
        // The labels spread by about 1.5; unweighted, the outliers alone would put the validation RMSE near
        // sqrt(0.1) * 100 = 32, and training on them would shift every prediction by about 10.
        assertTrue(validation[validation.length - 1] < 3, "validation RMSE " + Arrays.toString(validation));
        double fitted = SparkTestSupport.rmse(model.transform(data.where(col("weight").gt(0))), "label", "prediction");
        assertTrue(fitted < 3, "RMSE on the weighted rows " + fitted + ": the outliers pulled the model");
    }

    @Test
    void aBatchWhoseWeightsSumToZeroDoesNotTurnTheModelIntoNaN() {
        // Batches of 4 rows over two workers: two rows per step, and about half the rows weigh 0, so about
        // a quarter of the steps see only zero weights (0/0 in a plain weighted mean).
        Dataset<Row> sparse = data.withColumn("weight", when(functions.pmod(functions.hash(col("label"), lit(1)),
                lit(2)).equalTo(0), lit(0.0)).otherwise(col("weight")));
        MlpRegressionModel model = estimator().setBatchSize(4).setMaxEpochs(1).fit(sparse);
        for (EpochSummary e : model.summary().history()) {
            assertTrue(Double.isFinite(e.trainingLoss()) && Double.isFinite(e.validationRmse()),
                    "epoch " + e.epoch() + ": loss " + e.trainingLoss() + ", validation RMSE " + e.validationRmse());
        }
        assertTrue(model.transform(sparse).where(functions.isnan(col("prediction"))).isEmpty(), "NaN predictions");
    }
}
