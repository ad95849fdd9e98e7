package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.TestFiles;
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

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;

import static io.neuralrate.SparkTestSupport.occurrences;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ids that occur only in validation rows: an indexer fitted before the split numbers them like the
 * others, so their indices fall below the table's cardinality, yet training never touches their rows.
 * The model must treat them as unknown (cold-start strategy), and validation must score them so too.
 */
class ValidationOnlyIdsTest {
    private static final StructType SCHEMA = new StructType().add("user", DataTypes.IntegerType)
            .add("item", DataTypes.IntegerType).add("label", DataTypes.DoubleType)
            .add("validation", DataTypes.BooleanType);
    /** Users 20..24 rate only in validation rows; every other user of 0..59 rates in training rows too. */
    private static final int FIRST_VALIDATION_ONLY = 20;
    private static final int VALIDATION_ONLY = 5;
    private static final int UNSEEN_USER = 999;

    private static SparkSession spark;
    private static Dataset<Row> data;
    private static MlpRegressor regressor;
    private static MlpRegressionModel model;

    @BeforeAll
    static void fit() {
        spark = SparkTestSupport.spark();
        Random random = new Random(11);
        double[] userBias = random.doubles(60).map(b -> 2 * b - 1).toArray();
        double[] itemBias = random.doubles(30).map(b -> 2 * b - 1).toArray();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 8000; r++) {
            int u = random.nextInt(60);
            int i = random.nextInt(30);
            boolean validationOnly = u >= FIRST_VALIDATION_ONLY && u < FIRST_VALIDATION_ONLY + VALIDATION_ONLY;
            rows.add(RowFactory.create(u, i, 3 + userBias[u] + itemBias[i] + 0.1 * random.nextGaussian(),
                    validationOnly || r % 10 == 0));
        }
        data = spark.createDataFrame(rows, SCHEMA).cache();
        regressor = new MlpRegressor().setFeaturesCol("none").setEmbeddingCols(new String[] {"user", "item"})
                .setEmbeddingDim(8).setHiddenLayers(new int[] {16}).setMaxEpochs(6).setLearningRate(0.01)
                .setSeed(3).setUnknownIndexRate(0.05).setValidationIndicatorCol("validation");
        model = regressor.fit(data);
    }

    private static Dataset<Row> validationOnly() {
        return data.where(col("user").between(FIRST_VALIDATION_ONLY, FIRST_VALIDATION_ONLY + VALIDATION_ONLY - 1));
    }

    @Test
    void theirRowsAreNotInTheModelAndTheNanAndDropStrategiesTreatThemAsUnseen() {
        assertEquals(60, model.networkSpec().embeddingCardinalities()[0], "indices up to the largest trained one");
        assertEquals(60 - VALIDATION_ONLY + 1, model.embeddingTable(0).count(), "trained users and the unknown row");
        assertEquals(30 + 1, model.embeddingTable(1).count());

        long rows = validationOnly().count();
        assertTrue(rows > 0);
        Dataset<Row> nan = model.copy(new ParamMap()).setColdStartStrategy("nan")
                .transform(data);
        assertEquals(rows, nan.where("isnan(prediction)").count(), "exactly the validation-only users' rows");
        Dataset<Row> dropped = model.copy(new ParamMap()).setColdStartStrategy("drop")
                .transform(data);
        assertEquals(data.count() - rows, dropped.count());
        assertEquals(0, dropped.where(col("user").between(FIRST_VALIDATION_ONLY,
                FIRST_VALIDATION_ONLY + VALIDATION_ONLY - 1)).count());
    }

    @Test
    void theUnknownStrategyScoresThemExactlyLikeAUserNeverSeen() {
        MlpRegressionModel unknown = model.copy(new ParamMap()).setColdStartStrategy("unknown");
        assertEquals(data.count(), unknown.transform(data).count(), "every row scored once (the outer join)");
        Dataset<Row> asGiven = validationOnly().select("user", "item", "label");
        Dataset<Row> asUnseen = asGiven.withColumn("user", lit(UNSEEN_USER));
        List<Row> given = unknown.transform(asGiven).orderBy("item", "label").select("item", "prediction").collectAsList();
        List<Row> unseen = unknown.transform(asUnseen).orderBy("item", "label").select("item", "prediction").collectAsList();
        assertEquals(unseen.size(), given.size());
        long differing = IntStream.range(0, given.size())
                .filter(i -> !given.get(i).equals(unseen.get(i))).count();
        assertEquals(0, differing, "rows scored otherwise than an unseen user, e.g. " + (given.isEmpty() ? ""
                : given.get(0) + " vs " + unseen.get(0)));
    }

    @Test
    void aShuffledTableWithoutEveryRowIsHashJoinedWithItsUnknownRowAsAConstantAndCoalescedPartitions() {
        List<Row> broadcast = model.copy(new ParamMap()).setColdStartStrategy("unknown").transform(data)
                .orderBy("user", "item", "label").select("prediction").collectAsList();
        // Spark's own choices off (no broadcast, its default 200 shuffle partitions): every join is the model's.
        SparkTestSupport.withSettings(spark, Map.of("spark.sql.autoBroadcastJoinThreshold", "-1",
                "spark.sql.shuffle.partitions", "200"), () -> {
            Dataset<Row> scored = model.copy(new ParamMap()).setColdStartStrategy("unknown")
                    .setTableBroadcastThreshold(0).transform(data).orderBy("user", "item", "label")
                    .select("prediction");
            assertEquals(broadcast, scored.collectAsList(), "the same predictions as with both tables broadcast");
            String plan = SparkTestSupport.executedPlan(scored);
            assertEquals(2, occurrences(plan, "ShuffledHashJoin"), "each table hashed per partition: " + plan);
            assertEquals(0, occurrences(plan, "SortMergeJoin") + occurrences(plan, "NestedLoopJoin")
                    + occurrences(plan, "CartesianProduct"),
                    "the unknown row is a constant, not a joined row: " + plan);
            // On the cluster, a cross join with the unknown row left the scoring stage at all 200 partitions, each
            // a task building the network for a handful of rows; here the plan must read every shuffle coalesced.
            int shuffles = occurrences(plan, "ShuffleQueryStage");
            assertTrue(shuffles >= 4, "both sides of both table joins shuffled: " + plan);
            assertEquals(shuffles, occurrences(plan, "AQEShuffleRead coalesced"),
                    "every shuffle read coalesced: " + plan);
        });
    }

    @Test
    void theValidationRmseIsTheRmseOfTheModelOnTheValidationRows() {
        double reported = model.summary().validationRmse()[model.summary().bestEpoch() - 1];
        double scored = SparkTestSupport.rmse(model.copy(new ParamMap())
                .setColdStartStrategy("unknown").transform(data.where("validation")), "label", "prediction");
        // With the model's default clipping to the training labels' range, which validation applies too.
        assertEquals(scored, reported, 1e-4, "validation scores the never-trained users as unknown, as the model does");
    }

    @Test
    void shardedTablesKeepTheSameRowsAndTheModelSurvivesSaveAndLoad(@TempDir Path dir) throws Exception {
        MlpRegressionModel sharded = regressor.copy(new ParamMap())
                .setTableBroadcastThreshold(-1).fit(data);
        assertTrue(sharded.summary().tablesSharded());
        assertEquals(model.embeddingTablesDigest(), sharded.embeddingTablesDigest(), "same rows, bit for bit");

        String path = dir.resolve("model").toString();
        sharded.write().save(path);
        MlpRegressionModel loaded = MlpRegressionModel.load(path).setColdStartStrategy("nan");
        assertEquals(validationOnly().count(), loaded.transform(data).where("isnan(prediction)").count());
        assertEquals(model.copy(new ParamMap()).setColdStartStrategy("nan").transform(data).orderBy("user", "item", "label")
                        .select("prediction").collectAsList(),
                loaded.transform(data).orderBy("user", "item", "label").select("prediction").collectAsList());
    }

    @Test
    void aStoredTableThatLostARowOrItsUnknownRowIsRefusedNamingTheTable(@TempDir Path dir) throws Exception {
        String path = dir.resolve("model").toString();
        model.write().save(path);
        Path users = dir.resolve("model").resolve(MlpRegressionModel.EMBEDDINGS).resolve("0");
        Dataset<Row> read = spark.read().parquet(users.toString());
        // Held on the driver: a cached read of the same path would also stand in for the model's own reads.
        Dataset<Row> stored = spark.createDataFrame(read.collectAsList(), read.schema());
        int unknownIndex = model.networkSpec().embeddingCardinalities()[0];
        assertEquals(1, stored.where(col("index").equalTo(unknownIndex)).count());

        replace(users, stored.where(col("index").notEqual(0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MlpRegressionModel.load(path));
        assertTrue(e.getMessage().contains(users.toString()) && e.getMessage().contains("rows where the model has"),
                e.getMessage());

        // As many rows as the model has, but one trained row twice in place of the unknown row.
        Dataset<Row> trained = stored.where(col("index").notEqual(unknownIndex));
        replace(users, trained.union(stored.where(col("index").equalTo(0))));
        e = assertThrows(IllegalArgumentException.class, () -> MlpRegressionModel.load(path));
        assertTrue(e.getMessage().contains(users.toString())
                && e.getMessage().contains("has no unknown row (index " + unknownIndex + ")"), e.getMessage());

        replace(users, stored);
        assertEquals(model.transform(data).orderBy("user", "item", "label").select("prediction").collectAsList(),
                MlpRegressionModel.load(path).transform(data).orderBy("user", "item", "label").select("prediction")
                        .collectAsList(), "the table restored, the model loads and scores as before");
    }

    @Test
    void aLoadedModelPlansItsScoringWithoutReadingItsTablesAgain(@TempDir Path dir) throws Exception {
        String path = dir.resolve("model").toString();
        model.write().save(path);
        MlpRegressionModel loaded = MlpRegressionModel.load(path).setColdStartStrategy("nan");
        // Gone after the load: building a plan that read a table (for its unknown row) would fail.
        TestFiles.deleteTree(dir.resolve("model").resolve(MlpRegressionModel.EMBEDDINGS));
        assertDoesNotThrow(() -> loaded.transform(data), "the unknown rows were read at load");
        assertDoesNotThrow(() -> loaded.copy(new ParamMap()).setColdStartStrategy("unknown").transform(data),
                "and a copy has them too");
    }

    /** Stores {@code rows} as the Parquet table at {@code table}, in place of what it held. */
    private static void replace(Path table, Dataset<Row> rows) throws Exception {
        Path staged = table.resolveSibling(table.getFileName() + ".staged");
        rows.write().parquet(staged.toString());
        TestFiles.deleteTree(table);
        Files.move(staged, table);
    }
}
