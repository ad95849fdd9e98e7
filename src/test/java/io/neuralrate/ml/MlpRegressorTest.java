package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class MlpRegressorTest {
    private static SparkSession spark;
    private static Dataset<Row> train;
    private static Dataset<Row> test;

    @BeforeAll
    static void setUp() {
        spark = SparkTestSupport.spark();
        train = SparkTestSupport.nonLinear(spark, 8000, 1).cache();
        test = SparkTestSupport.nonLinear(spark, 2000, 2).cache();
    }

    @Test
    void learnsNonLinearFunction() {
        MlpRegressionModel model = new MlpRegressor().setMaxEpochs(40).setSeed(7).setNumWorkers(2)
                .setLearningRate(3e-3).setBatchSize(128).fit(train);
        double rmse = SparkTestSupport.rmse(model.transform(test), "label", "prediction");
        double std = SparkTestSupport.std(test, "label");
        System.out.printf("non-linear: RMSE %.4f, label std %.4f, epochs %d%n", rmse, std,
                model.summary().totalEpochs());
        assertTrue(rmse < 0.3 * std, "RMSE " + rmse + " should be below 0.3 x std " + std);
    }
}
