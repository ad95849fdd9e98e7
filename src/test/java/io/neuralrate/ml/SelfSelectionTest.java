package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.data.SampleDataGenerator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Self-selected ratings (users rate what they chose, so high ratings are over-observed) scored on
 * pairs drawn without selection, the population a recommender scores: NeuralRate with id embeddings
 * must still beat the damped user + item bias baseline there.
 */
class SelfSelectionTest {
    private static final int USERS = 400;
    private static final int ITEMS = 200;

    @Test
    void neuralRateBeatsTheDampedBiasBaselineOnRandomPairsAfterTrainingOnSelfSelectedRatings() {
        SparkSession spark = SparkTestSupport.spark();
        Dataset<Row> ratings = SampleDataGenerator.generate(spark, USERS, ITEMS, 40_000, 5, 1.0).ratings()
                .withColumn("ips", lit(1.0).divide(col("propensity"))).cache();
        Dataset<Row> pairs = SampleDataGenerator.randomPairs(spark, USERS, ITEMS, 8_000, 5).cache();
        double observedMean = ratings.agg(avg("rating")).first().getDouble(0);
        double populationMean = pairs.agg(avg("rating")).first().getDouble(0);
        assertTrue(observedMean > populationMean + 0.2, "the selection shows: observed mean " + observedMean
                + " vs the population's " + populationMean);

        MlpRegressor mlp = new MlpRegressor().setFeaturesCol("none").setLabelCol("rating")
                .setEmbeddingCols(new String[] {"user_id", "item_id"}).setMaxEpochs(15).setSeed(3);
        double neuralRate = rmse(mlp.fit(ratings).transform(pairs));
        double weighted = rmse(mlp.copy(new org.apache.spark.ml.param.ParamMap()).setWeightCol("ips").fit(ratings)
                .transform(pairs));
        double bias = rmse(dampedBias(ratings, pairs, 10));
        System.out.printf("random pairs RMSE: NeuralRate %.4f, with inverse-propensity weights %.4f, damped bias "
                + "%.4f (observed mean %.3f, population mean %.3f)%n", neuralRate, weighted, bias, observedMean,
                populationMean);
        assertTrue(neuralRate < bias, "NeuralRate " + neuralRate + " vs damped bias " + bias);
    }

    /** Base mean, item bias, then user bias on the residual, each shrunk by {@code damping} pseudo-ratings. */
    private static Dataset<Row> dampedBias(Dataset<Row> train, Dataset<Row> pairs, double damping) {
        double mu = train.agg(avg("rating")).first().getDouble(0);
        Dataset<Row> items = train.groupBy("item_id").agg(sum(col("rating").minus(mu))
                .divide(count("*").plus(damping)).as("b_i"));
        Dataset<Row> users = train.join(items, "item_id").groupBy("user_id").agg(
                sum(col("rating").minus(mu).minus(col("b_i"))).divide(count("*").plus(damping)).as("b_u"));
        Column prediction = lit(mu).plus(coalesce(col("b_i"), lit(0.0))).plus(coalesce(col("b_u"), lit(0.0)));
        // Clipped to the rating scale, as NeuralRate clips to the training labels' range.
        return pairs.join(items, pairs.col("item_id").equalTo(items.col("item_id")), "left").drop(items.col("item_id"))
                .join(users, pairs.col("user_id").equalTo(users.col("user_id")), "left").drop(users.col("user_id"))
                .withColumn("prediction", least(lit(5.0), greatest(lit(1.0), prediction)));
    }

    private static double rmse(Dataset<Row> scored) {
        return scored.select(sqrt(avg(col("prediction").minus(col("rating")).multiply(col("prediction")
                .minus(col("rating")))))).first().getDouble(0);
    }
}
