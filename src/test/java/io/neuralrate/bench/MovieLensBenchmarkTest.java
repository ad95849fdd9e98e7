package io.neuralrate.bench;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.TestData;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** NeuralRate on the canonical MovieLens-100K fold u1 with a short schedule, against simple baselines. */
class MovieLensBenchmarkTest {
    @Test
    void embeddingsBeatTheUserItemBiasBaselineOnFoldU1() {
        SparkSession spark = SparkTestSupport.spark();
        MovieLensBenchmark.Fold fold = MovieLensBenchmark.fold(spark, TestData.movieLens100k().toString(), 1, 42);
        try {
            double meanRmse = MovieLensBenchmark.errors(fold.test().withColumn("prediction",
                    functions.lit(fold.trainMean())), fold.trainMean())[0];
            double biasRmse = MovieLensBenchmark.biasBaseline(fold, 10)[0];
            MovieLensBenchmark.ModelSpec embeddings = MovieLensBenchmark.models(8, 42).stream()
                    .filter(m -> m.name().contains("embeddings")).findFirst().orElseThrow();
            MovieLensBenchmark.FoldResult result = MovieLensBenchmark.evaluate(new MovieLensBenchmark.ModelSpec(
                    embeddings.name(), true, true, List.of(embeddings.candidates().get(0))), fold);
            System.out.printf("u1: NeuralRate RMSE %.4f (%d epochs max), user+item bias %.4f, mean %.4f%n",
                    result.rmse(), 8, biasRmse, meanRmse);
            assertTrue(biasRmse < meanRmse, "the bias baseline is a real baseline: " + biasRmse + " vs " + meanRmse);
            assertTrue(result.rmse() < biasRmse, "NeuralRate " + result.rmse() + " vs user+item bias " + biasRmse);
        } finally {
            fold.unpersist();
        }
    }
}
