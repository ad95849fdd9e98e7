package io.neuralrate.bench;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.TestData;
import io.neuralrate.data.Tables;
import io.neuralrate.ml.MlpRegressor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.OneHotEncoder;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The estimator's defaults on MovieLens-100K fold u1, in the pipeline a Spark ML user would write:
 * ids through {@code StringIndexer} into {@code embeddingCols}, demographics one-hot and genres as
 * features, and no NeuralRate setting but the columns. The defaults must train a good model.
 *
 * <p>{@code -Dneuralrate.seed=N} sets the estimator's seed (nothing else), to measure the figure
 * over several seeds: {@code mvn -B test -Dtest=DefaultsOnMovieLensTest -Dneuralrate.seed=1}.
 */
class DefaultsOnMovieLensTest {
    @Test
    void aPipelineThatSetsOnlyTheColumnsBeatsTheDampedBiasBaselineOnFoldU1() {
        SparkSession spark = SparkTestSupport.spark();
        MovieLensBenchmark.Fold fold = MovieLensBenchmark.fold(spark, TestData.movieLens100k().toString(), 1, 42);
        try {
            List<String> features = new ArrayList<>(List.of("age", "release_year", "gender_vector",
                    "occupation_vector"));
            Arrays.stream(fold.train().columns()).filter(c -> c.startsWith("genre_")).forEach(features::add);
            Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
                new StringIndexer().setInputCols(new String[] {Tables.USER_ID, Tables.ITEM_ID, "gender", "occupation"})
                        .setOutputCols(new String[] {"user", "item", "gender_index", "occupation_index"})
                        .setHandleInvalid("keep"),
                new OneHotEncoder().setInputCols(new String[] {"gender_index", "occupation_index"})
                        .setOutputCols(new String[] {"gender_vector", "occupation_vector"}),
                new VectorAssembler().setInputCols(features.toArray(new String[0])).setOutputCol("features"),
                seeded(new MlpRegressor().setLabelCol(Tables.RATING).setEmbeddingCols(new String[] {"user", "item"}))});
            double rmse = MovieLensBenchmark.errors(pipeline.fit(fold.train()).transform(fold.test()),
                    fold.trainMean())[0];
            double bias = MovieLensBenchmark.biasBaseline(fold, 10)[0];
            System.out.printf("u1.test: NeuralRate with default settings (seed %s) RMSE %.4f, damped user+item "
                    + "bias %.4f%n", System.getProperty("neuralrate.seed", "default"), rmse, bias);
            assertTrue(rmse <= bias - 0.02, "defaults-only RMSE " + rmse + " vs damped bias baseline " + bias);
        } finally {
            fold.unpersist();
        }
    }

    private static MlpRegressor seeded(MlpRegressor mlp) {
        String seed = System.getProperty("neuralrate.seed");
        return seed == null ? mlp : mlp.setSeed(Long.parseLong(seed));
    }
}
