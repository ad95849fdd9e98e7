package io.neuralrate.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.neuralrate.TestData;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job end to end, through submit.sh and the real spark-submit entry, on the shipped sample data. */
class JobIT {
    @TempDir
    static Path work;
    static SparkSession spark;
    static Path runDir;

    @BeforeAll
    static void trainOnce() throws Exception {
        JobProcess.Result run = JobProcess.submit(Map.of(), "train", "--run-date", "2026-01-01",
                "--set", "output.root=" + work.resolve("out"), "--set", "model.max-epochs=6");
        assertEquals(0, run.exitCode(), run.output());
        runDir = work.resolve("out/2026-01-01");
        spark = SparkSession.builder().master("local[2]").config("spark.ui.enabled", "false").getOrCreate();
    }

    @AfterAll
    static void stop() {
        if (spark != null) {
            spark.stop();
        }
    }

    @Test
    void trainWritesEveryOutput() throws Exception {
        assertTrue(Files.exists(runDir.resolve(OutputLayout.SUCCESS)));
        JsonNode metrics = new ObjectMapper().readTree(runDir.resolve("metrics.json").toFile());
        double rmse = metrics.get("rmse").asDouble();
        assertTrue(Double.isFinite(rmse) && rmse < metrics.get("mean_predictor_rmse").asDouble(), metrics.toString());
        assertEquals(6, metrics.get("history").size());
        Dataset<Row> predictions = spark.read().parquet(runDir.resolve("predictions").toString());
        assertEquals(metrics.get("rows").get("holdout").asLong(), predictions.count());
        assertArrayEquals(new String[] {"user_id", "item_id", "rating", "prediction"}, predictions.columns());
        PipelineModel model = PipelineModel.load(runDir.resolve("model").toString());
        assertTrue(model.stages().length > 1);
        byte[] png = Files.readAllBytes(runDir.resolve("training-curve.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void predictWithTheSavedModelReproducesTrainPredictions(boolean byId) throws Exception {
        // The job's model stores its tables' ids; predict looks rows up by id, or by index when told to.
        assertArrayEquals(new String[] {"user_id", "item_id"},
                TrainJob.mlpOf(PipelineModel.load(runDir.resolve("model").toString())).getEmbeddingIdCols());
        Dataset<Row> written = spark.read().parquet(runDir.resolve("predictions").toString());
        Path pairs = work.resolve("pairs-" + byId);
        written.select("user_id", "item_id", "rating").write().parquet(pairs.toString());
        JobProcess.Result run = JobProcess.submit(Map.of(), "predict", "--run-date", "2026-01-02",
                "--model", runDir.resolve("model").toString(), "--input", pairs.toString(),
                "--output-root", work.resolve("scores-" + byId).toString(),
                "--set", "model.tables-keyed-by-id=" + byId);
        assertEquals(0, run.exitCode(), run.output());
        Dataset<Row> scored = spark.read().parquet(work.resolve("scores-" + byId).resolve("2026-01-02/predictions")
                .toString());
        assertEquals(written.count(), scored.count());
        assertArrayEquals(new String[] {"user_id", "item_id", "rating", "prediction"}, scored.columns());
        // Equal up to float32 rounding: the network computes in float32, and predict may batch the rows otherwise
        // than train's holdout scoring did (it spreads a small input over the task slots), which can move the last
        // bits of a prediction. A wrong table row or feature moves it by far more.
        double largest = written.as("a").join(scored.as("b"),
                        written.col("user_id").equalTo(scored.col("user_id"))
                                .and(written.col("item_id").equalTo(scored.col("item_id"))))
                .selectExpr("max(abs(a.prediction - b.prediction))").first().getDouble(0);
        assertTrue(largest <= 1e-5, "largest difference " + largest);
    }

    @Test
    void importMovieLens100k() throws Exception {
        Path ml = TestData.movieLens100k();
        Path out = work.resolve("ml100k");
        JobProcess.Result run = JobProcess.submit(Map.of(), "import-movielens", "--input", ml.toString(),
                "--output", out.toString());
        assertEquals(0, run.exitCode(), run.output());
        assertEquals(943, spark.read().parquet(out.resolve("users").toString()).count());
        assertEquals(1682, spark.read().parquet(out.resolve("items").toString()).count());
        assertEquals(100000, spark.read().parquet(out.resolve("ratings").toString()).count());
    }

    @Test
    void aFailedRunExitsNonZeroNamesTheProblemAndKeepsThePreviousOutput() throws Exception {
        String before = Files.readString(runDir.resolve("metrics.json"));
        JobProcess.Result run = JobProcess.submit(Map.of(), "train", "--run-date", "2026-01-01",
                "--set", "output.root=" + work.resolve("out"), "--set", "input.ratings=/nonexistent/ratings");
        assertNotEquals(0, run.exitCode());
        assertTrue(run.output().contains("ratings table path does not exist: /nonexistent/ratings"), run.output());
        assertEquals(before, Files.readString(runDir.resolve("metrics.json")));
        assertTrue(Files.exists(runDir.resolve(OutputLayout.SUCCESS)));
    }
}
