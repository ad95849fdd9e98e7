package io.neuralrate.bench;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.TestData;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The benchmark's NeuralRate path on the canonical MovieLens-100K fold u1, with a short schedule:
 * tuned at its starting point (early stopping on the holdout chooses the epochs), refitted on the
 * whole base fold for that many epochs, against the bias baseline and the clipping every model gets.
 */
class MovieLensBenchmarkTest {
    @Test
    void embeddingsTunedOnTheHoldoutBeatTheUserItemBiasBaselineOnFoldU1() {
        SparkSession spark = SparkTestSupport.spark();
        MovieLensBenchmark.Fold fold = MovieLensBenchmark.fold(spark, TestData.movieLens100k().toString(), 1, 42);
        try {
            double meanRmse = MovieLensBenchmark.errors(fold.test().withColumn("prediction",
                    functions.lit(fold.trainMean())), fold.trainMean())[0];
            double biasRmse = MovieLensBenchmark.biasBaseline(fold, 10)[0];
            MovieLensBenchmark.ModelSpec embeddings = MovieLensBenchmark.models(8, 42).stream()
                    .filter(m -> m.name().contains("embeddings")).findFirst().orElseThrow();
            MovieLensBenchmark.Setting setting = embeddings.setting().apply(
                    embeddings.dimensions().stream().mapToDouble(PatternSearch.Dimension::start).toArray());
            double holdout = setting.tune(fold);
            assertTrue(setting.chosenByTuning().matches("epochs [1-8]"), setting.chosenByTuning());
            MovieLensBenchmark.FoldResult result = MovieLensBenchmark.evaluate(setting, fold);
            System.out.printf("u1: NeuralRate holdout RMSE %.4f, test RMSE %.4f (%s), user+item bias %.4f, "
                    + "mean %.4f%n", holdout, result.rmse(), setting.chosenByTuning(), biasRmse, meanRmse);
            assertTrue(biasRmse < meanRmse, "the bias baseline is a real baseline: " + biasRmse + " vs " + meanRmse);
            assertTrue(result.rmse() < biasRmse, "NeuralRate " + result.rmse() + " vs user+item bias " + biasRmse);
        } finally {
            fold.unpersist();
        }
    }

    @Test
    void everyModelsPredictionsAreClippedToTheRatingScale() {
        SparkSession spark = SparkTestSupport.spark();
        var rows = spark.sql("SELECT * FROM VALUES (0.0, 1.0), (9.0, 5.0), (CAST('NaN' AS DOUBLE), 3.0), "
                + "(NULL, 3.0) AS t(prediction, rating)");
        // Below and above the scale: clipped to 1 and 5 (no error); NaN and null: the fallback 3 (no error).
        assertEquals(0.0, MovieLensBenchmark.errors(rows, 3.0)[0], 0.0);
    }
}
