package io.neuralrate.job;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.data.FeatureJoin;
import io.neuralrate.data.IdIndexer;
import io.neuralrate.data.IdIndexerModel;
import io.neuralrate.ml.MlpRegressionModel;
import io.neuralrate.ml.MlpRegressor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link TrainJob#score}: a rating model keyed by id needs no index column, so the job leaves out the
 * id indexers' joins with their id tables; the predictions are those of the whole pipeline. And
 * {@link PredictJob#scoreInParallel}: pairs that no feature join shuffles are spread over the task slots; and
 * {@link PredictJob#hashedUnlessBroadcast}: feature tables Spark would join by sorting are hashed instead; and
 * {@link PredictJob#scoringTasks}: the job scores in whole waves of the task slots.
 */
class ScoreTest {
    private static final StructType SCHEMA = new StructType().add("user_id", DataTypes.LongType)
            .add("item_id", DataTypes.StringType).add("rating", DataTypes.DoubleType);
    private static final List<String> KEEP = List.of("user_id", "item_id", "rating");

    private static SparkSession spark;
    private static MlpRegressor regressor;
    private static Dataset<Row> train;
    private static Dataset<Row> pairs;
    private static PipelineModel keyed;

    @TempDir
    static Path dir;

    @BeforeAll
    static void fit() throws Exception {
        spark = SparkTestSupport.spark();
        Random random = new Random(8);
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 3000; r++) {
            int u = random.nextInt(40);
            int i = random.nextInt(20);
            rows.add(RowFactory.create((long) u, "i" + i, 3 + Math.sin(u) + Math.cos(i) + 0.1 * random.nextGaussian()));
        }
        train = spark.createDataFrame(rows, SCHEMA);
        regressor = new MlpRegressor().setLabelCol("rating").setEmbeddingCols(new String[] {"u", "i"})
                .setEmbeddingIdCols(new String[] {"user_id", "item_id"}).setEmbeddingDim(4)
                .setHiddenLayers(new int[] {8}).setMaxEpochs(2).setSeed(1);
        // Saved and loaded, as the predict job has it (a fitted model's cached tables print their fit in any plan).
        String path = dir.resolve("model").toString();
        new Pipeline().setStages(new PipelineStage[] {
            new IdIndexer().setInputCol("user_id").setOutputCol("u"),
            new IdIndexer().setInputCol("item_id").setOutputCol("i"), regressor}).fit(train).write().save(path);
        keyed = PipelineModel.load(path);
        List<Row> scored = new ArrayList<>(rows.subList(0, 200));
        scored.add(RowFactory.create(999L, "i3", 3.0));
        scored.add(RowFactory.create(null, "new", 3.0));
        pairs = spark.createDataFrame(scored, SCHEMA);
    }

    private static List<Row> sorted(Dataset<Row> scored) {
        return scored.select("user_id", "item_id", "rating", "prediction").orderBy("user_id", "item_id", "rating")
                .collectAsList();
    }

    /** How many of the pipeline's id indexers look ids up in the plan (each by its own lookup column). */
    private static long indexersIn(String plan, PipelineModel model) {
        return Arrays.stream(model.stages()).filter(s -> s instanceof IdIndexerModel)
                .filter(s -> plan.contains("__index_" + s.uid())).count();
    }

    @Test
    void aModelKeyedByIdIsScoredWithoutTheIdIndexersJoins() {
        Dataset<Row> scored = TrainJob.score(keyed, pairs, KEEP);
        assertEquals(sorted(keyed.transform(pairs)), sorted(scored), "the whole pipeline's predictions");
        String plan = SparkTestSupport.executedPlan(scored);
        assertEquals(0, indexersIn(plan, keyed), "no id-table lookup: " + plan);
        assertEquals(2, indexersIn(SparkTestSupport.executedPlan(keyed.transform(pairs)), keyed),
                "the pipeline itself runs both indexers");
    }

    @Test
    void anIndexerWhoseIndexALaterStageReadsStays() throws Exception {
        // The user index is also a feature: its indexer must run, the item's need not.
        String path = dir.resolve("reads-index").toString();
        new Pipeline().setStages(new PipelineStage[] {
            new IdIndexer().setInputCol("user_id").setOutputCol("u"),
            new IdIndexer().setInputCol("item_id").setOutputCol("i"),
            new VectorAssembler().setInputCols(new String[] {"u"}).setOutputCol("features"),
            regressor.copy(new ParamMap())}).fit(train).write().save(path);
        PipelineModel readsIndex = PipelineModel.load(path);
        Dataset<Row> scored = TrainJob.score(readsIndex, pairs, KEEP);
        assertEquals(sorted(readsIndex.transform(pairs)), sorted(scored));
        assertEquals(1, indexersIn(SparkTestSupport.executedPlan(scored), readsIndex));
    }

    @Test
    void aModelScoredByIndexKeepsTheIndexers() {
        PipelineModel byIndex = keyed.copy(new ParamMap());
        TrainJob.mlpOf(byIndex).setEmbeddingIdCols(new String[0]);
        Dataset<Row> scored = TrainJob.score(byIndex, pairs, KEEP);
        assertEquals(sorted(keyed.transform(pairs)), sorted(scored), "the same predictions by index");
        String plan = SparkTestSupport.executedPlan(scored);
        assertEquals(2, indexersIn(plan, byIndex), "both indexers' lookups: " + plan);
    }

    /** The pairs as one small Parquet file: one split. */
    private static Dataset<Row> oneFilePairs() {
        String file = dir.resolve("one-file-pairs").toString();
        pairs.coalesce(1).write().mode("overwrite").parquet(file);
        return spark.read().parquet(file);
    }

    @Test
    void predictSpreadsPairsOfOneFileOverTheSlotsWhenEveryJoinIsABroadcast() {
        Dataset<Row> oneFile = oneFilePairs();
        Dataset<Row> asRead = TrainJob.score(keyed, oneFile, KEEP);
        assertEquals(1, nonEmptyPartitions(asRead), "the tables are broadcast, so the file's one split scores all");
        Dataset<Row> spread = PredictJob.scoreInParallel(keyed, oneFile, KEEP, 2);
        assertEquals(2, nonEmptyPartitions(spread), "both of local[2]'s slots score");
        assertEquals(sorted(asRead), sorted(spread), "the same predictions");
    }

    @Test
    void predictSpreadsPairsOfOneFileThatOnlyTheModelsLookupsShuffle() {
        // Whatever runs before the model's first shuffle (in a job's pipeline, the feature stages) would be one task.
        Dataset<Row> oneFile = oneFilePairs();
        PipelineModel shuffledTables = keyed.copy(new ParamMap());
        TrainJob.mlpOf(shuffledTables).setTableBroadcastThreshold(0); // every table joined by a shuffle
        String asRead = SparkTestSupport.executedPlan(TrainJob.score(shuffledTables, oneFile, KEEP));
        assertTrue(asRead.contains("ShuffledHashJoin") && !asRead.contains("RoundRobinPartitioning"), asRead);
        Dataset<Row> spread = PredictJob.scoreInParallel(shuffledTables, oneFile, KEEP, 2);
        String plan = SparkTestSupport.executedPlan(spread);
        assertTrue(plan.contains("RoundRobinPartitioning(2)"), "spread before the lookups: " + plan);
        assertEquals(sorted(keyed.transform(pairs)), sorted(spread), "the same predictions");
    }

    @Test
    void predictLeavesRowsAShuffleAlreadySpreads() {
        Dataset<Row> joined = pairs.join(pairs.select("user_id").distinct().hint("shuffle_hash"), "user_id");
        String plan = SparkTestSupport.executedPlan(PredictJob.scoreInParallel(keyed, joined, KEEP, 2));
        assertFalse(plan.contains("RoundRobinPartitioning"), "no second shuffle: " + plan);
    }

    @Test
    void predictHashesTheFeatureTablesSparkWouldNotBroadcastAndLeavesTheRestToSpark() {
        // Tables of their own (derived from the pairs, they would share the pairs' columns: a self-join).
        Dataset<Row> users = spark.createDataFrame(pairs.select("user_id").distinct().collectAsList(),
                pairs.select("user_id").schema()).selectExpr("user_id", "user_id * 2.0 AS age");
        Dataset<Row> items = spark.createDataFrame(pairs.select("item_id").distinct().collectAsList(),
                pairs.select("item_id").schema()).selectExpr("item_id", "length(item_id) AS len");
        String threshold = "spark.sql.autoBroadcastJoinThreshold";
        // Below the tables' size estimates; broadcasts off (Spark's choice, a sort-merge join); the default.
        Map<String, String> joins = Map.of("1", "ShuffledHashJoin", "-1", "SortMergeJoin",
                spark.conf().get(threshold), "BroadcastHashJoin");
        for (Map.Entry<String, String> expected : joins.entrySet()) {
            SparkTestSupport.withSettings(spark, Map.of(threshold, expected.getKey()), () -> {
                String plan = joinedPlan(PredictJob.hashedUnlessBroadcast(users),
                        PredictJob.hashedUnlessBroadcast(items));
                assertEquals(2, SparkTestSupport.occurrences(plan, expected.getValue()), expected + ": " + plan);
            });
        }
    }

    @Test
    void scoringTasksFillWholeWavesOfTheSlotsAndBoundEachTasksShareOfTheHashedTables() {
        long mb = 1 << 20;
        assertEquals(2, PredictJob.scoringTasks(2, 1, 0, 64 * mb, 200), "one task per slot at least");
        assertEquals(4, PredictJob.scoringTasks(2, 1, 150 * mb, 64 * mb, 200), "3 tasks' worth of tables: 2 waves");
        assertEquals(4, PredictJob.scoringTasks(2, 3, 0, 64 * mb, 200), "never fewer tasks than input splits");
        assertEquals(12, PredictJob.scoringTasks(4, 9, 100 * mb, 64 * mb, 200));
        assertEquals(16, PredictJob.scoringTasks(16, 1, 1024 * mb, 64 * mb, 200));
        assertEquals(18, PredictJob.scoringTasks(3, 1, 1024 * mb, 64 * mb, 200), "16 tasks' worth: 6 waves of 3");
        assertEquals(201, PredictJob.scoringTasks(3, 1, Long.MAX_VALUE, 64 * mb, 200),
                "a table of unknown size: no more tasks for it than Spark's shuffle partitions, in whole waves");
        assertEquals(3, PredictJob.scoringTasks(0, 3, 0, 64 * mb, 200), "no slots known: waves of one");
        assertEquals(Integer.MAX_VALUE / 3 * 3, PredictJob.scoringTasks(3, Integer.MAX_VALUE, 0, 1, 200),
                "bounded by an int, in whole waves");
    }

    @Test
    void theModelCountsTheBytesOfTheTablesItJoinsByShufflingThem() {
        MlpRegressionModel mlp = TrainJob.mlpOf(keyed.copy(new ParamMap()));
        long[] bytes = new long[2];
        for (int e = 0; e < 2; e++) { // values as floats, ids as Spark sizes their type (long, string)
            long rows = mlp.embeddingTable(e).count();
            bytes[e] = rows * (mlp.networkSpec().embeddingDim() + 1) * Float.BYTES + rows * (e == 0 ? 8 : 20);
        }
        assertEquals(0, mlp.shuffledTableBytes(), "both tables broadcast by default");
        assertEquals(bytes[0] + bytes[1], mlp.setTableBroadcastThreshold(0).shuffledTableBytes());
        assertEquals(bytes[0] + bytes[1], mlp.setTableBroadcastThreshold(-1).shuffledTableBytes(), "Spark decides");
        long between = Math.min(bytes[0], bytes[1]);
        assertEquals(Math.max(bytes[0], bytes[1]), mlp.setTableBroadcastThreshold(between).shuffledTableBytes());
    }

    @Test
    void predictScoresHashedJoinsInWholeWavesNotInPartitionsCoalescedBySizeAndRestoresTheSettings() {
        String pairsPath = dir.resolve("predict-pairs").toString();
        pairs.write().mode("overwrite").parquet(pairsPath);
        String users = dir.resolve("predict-users").toString();
        spark.createDataFrame(pairs.select("user_id").distinct().collectAsList(), pairs.select("user_id").schema())
                .selectExpr("user_id", "user_id * 2.0 AS age").write().mode("overwrite").parquet(users);
        String items = dir.resolve("predict-items").toString();
        spark.createDataFrame(pairs.select("item_id").distinct().collectAsList(), pairs.select("item_id").schema())
                .selectExpr("item_id", "length(item_id) AS len").write().mode("overwrite").parquet(items);
        String partitions = spark.conf().get("spark.sql.shuffle.partitions"); // 4 in these tests
        String coalesce = "spark.sql.adaptive.coalescePartitions.enabled";
        boolean coalesceSet = spark.conf().contains(coalesce);
        // Both feature tables joined by hashing: a few kB, which Spark alone would coalesce into one task; with
        // the advisory size at 1 kB, they make the most tasks Spark's shuffles start from (4, two waves of 2).
        Map<String, Integer> expected = Map.of("64m", 2, "1k", 4);
        for (Map.Entry<String, Integer> advisory : expected.entrySet()) {
            SparkTestSupport.withSettings(spark, Map.of("spark.sql.autoBroadcastJoinThreshold", "1",
                    "spark.sql.adaptive.advisoryPartitionSizeInBytes", advisory.getKey()), () -> {
                String output = predict(users, items, "predict.scoring-tasks=0", advisory.getKey());
                assertEquals((long) advisory.getValue(), outputFiles(output), "scoring tasks at " + advisory);
                assertEquals(sorted(keyed.transform(pairs)), sorted(spark.read().parquet(output + "/predictions")),
                        "the pipeline's predictions");
            });
        }
        assertEquals(coalesceSet, spark.conf().contains(coalesce), "left unset where it was unset");
        SparkTestSupport.withSettings(spark, Map.of("spark.sql.autoBroadcastJoinThreshold", "1", coalesce, "true"),
                () -> {
                    assertEquals(3, outputFiles(predict(users, items, "predict.scoring-tasks=3", "set")),
                            "as many tasks as the job is told");
                    assertEquals("true", spark.conf().get(coalesce), "a setting made before the job is restored");
                });
        assertEquals(partitions, spark.conf().get("spark.sql.shuffle.partitions"), "restored");
    }

    private static String predict(String users, String items, String tasks, String run) {
        JobConfig config = JobConfig.load(null, List.of("neuralrate.input.users=" + users,
                "neuralrate.input.items=" + items, "neuralrate." + tasks));
        return PredictJob.run(spark, config, dir.resolve("model").toString(), dir.resolve("predict-pairs").toString(),
                dir.resolve("predict-out-" + run).toString(), "2026-01-01");
    }

    /** The number of files of a predict output's predictions: one per scoring task that had pairs. */
    private static long outputFiles(String output) {
        try (Stream<Path> files = Files.list(Path.of(URI.create(output)).resolve("predictions"))) {
            return files.filter(f -> f.getFileName().toString().startsWith("part-")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The plan Spark ran to join the pairs with the feature tables, once the rows are checked. */
    private static String joinedPlan(Dataset<Row> users, Dataset<Row> items) {
        Dataset<Row> joined = FeatureJoin.join(pairs, users, items);
        List<Row> rows = joined.collectAsList(); // this Dataset itself runs, so its plan is the one adapted
        assertEquals(pairs.count(), rows.size(), "every pair once");
        for (Row row : rows) {
            assertEquals(row.isNullAt(0), row.isNullAt(3), "the user's features, but for a null user: " + row);
            assertEquals(row.getString(1).length(), row.getInt(4), "the item's features: " + row);
        }
        return SparkTestSupport.executedPlan(joined);
    }

    private static long nonEmptyPartitions(Dataset<Row> rows) {
        return rows.javaRDD().mapPartitions(it -> List.of(it.hasNext()).iterator()).collect().stream()
                .filter(b -> b).count();
    }
}
