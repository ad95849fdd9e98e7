package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.TestFiles;
import io.neuralrate.nn.NetworkFile;
import io.neuralrate.nn.NetworkFileTest;
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

import static io.neuralrate.SparkTestSupport.occurrences;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Embeddings learned from index columns, and each cold-start strategy for unseen users and items. */
class ColdStartTest {
    private static final StructType SCHEMA = new StructType().add("user", DataTypes.IntegerType)
            .add("item", DataTypes.IntegerType).add("label", DataTypes.DoubleType);
    private static SparkSession spark;
    private static MlpRegressionModel model;
    private static Dataset<Row> test;

    @BeforeAll
    static void fit() {
        spark = SparkTestSupport.spark();
        Random random = new Random(4);
        double[] userBias = new double[60];
        double[] itemBias = new double[40];
        for (int u = 0; u < userBias.length; u++) {
            userBias[u] = random.nextGaussian();
        }
        for (int i = 0; i < itemBias.length; i++) {
            itemBias[i] = random.nextGaussian();
        }
        List<Row> train = new ArrayList<>();
        List<Row> held = new ArrayList<>();
        for (int r = 0; r < 12000; r++) {
            int u = random.nextInt(50);
            int i = random.nextInt(30);
            (r % 5 == 0 ? held : train).add(RowFactory.create(u, i, 3 + userBias[u] + itemBias[i]
                    + 0.1 * random.nextGaussian()));
        }
        // Unseen user (50..59), unseen item (30..39), both; and a null index.
        held.add(RowFactory.create(55, 3, 3.0));
        held.add(RowFactory.create(4, 35, 3.0));
        held.add(RowFactory.create(57, 38, 3.0));
        held.add(RowFactory.create(null, 3, 3.0));
        model = new MlpRegressor().setFeaturesCol("none").setEmbeddingCols(new String[] {"user", "item"})
                .setEmbeddingDim(8).setHiddenLayers(new int[] {16}).setMaxEpochs(15).setLearningRate(0.01)
                .setSeed(2).setUnknownIndexRate(0.05).fit(spark.createDataFrame(train, SCHEMA));
        test = spark.createDataFrame(held, SCHEMA).cache();
    }

    private static Dataset<Row> known() {
        return test.filter("user < 50 AND item < 30");
    }

    @Test
    void embeddingsAloneLearnUserAndItemEffects() {
        double rmse = SparkTestSupport.rmse(model.transform(known()), "label", "prediction");
        double std = SparkTestSupport.std(known(), "label");
        assertTrue(rmse < 0.3 * std, "RMSE " + rmse + " vs label std " + std);
    }

    @Test
    void unknownStrategyGivesFinitePredictionsForUnseenUserItemAndBoth() {
        Dataset<Row> cold = model.setColdStartStrategy("unknown").transform(test)
                .filter("user IS NULL OR user >= 50 OR item >= 30");
        assertEquals(4, cold.count());
        for (Row r : cold.collectAsList()) {
            double p = r.getDouble(r.fieldIndex("prediction"));
            assertTrue(Double.isFinite(p) && p > 0 && p < 6, "prediction " + p + " for " + r);
        }
    }

    @Test
    void nanStrategyGivesNanForUnseenAndNumbersForKnown() {
        Dataset<Row> scored = model.setColdStartStrategy("nan").transform(test);
        assertEquals(4, scored.filter("isnan(prediction)").count());
        assertEquals(known().count(), scored.filter("NOT isnan(prediction)").count());
        model.setColdStartStrategy("unknown");
    }

    @Test
    void dropStrategyDropsExactlyTheUnseenRows() {
        Dataset<Row> scored = model.copy(new org.apache.spark.ml.param.ParamMap()).setColdStartStrategy("drop")
                .transform(test);
        assertEquals(known().count(), scored.count());
    }

    @Test
    void tablesWithinTheBroadcastBoundAreBroadcastToTheJoinAndLargerOnesShuffledWithTheSamePredictions() {
        // Spark itself broadcasts nothing: every broadcast is the model's.
        SparkTestSupport.withSettings(spark, Map.of("spark.sql.autoBroadcastJoinThreshold", "-1"), () -> {
            MlpRegressionModel bounded = model.copy(new org.apache.spark.ml.param.ParamMap());
            long userTable = EmbeddingTables.valueBytes(51, 8);
            List<String> broadcast = new ArrayList<>();
            List<String> shuffled = new ArrayList<>();
            String plan = executedPlan(bounded.setTableBroadcastThreshold(userTable), broadcast);
            assertEquals(2, occurrences(plan, "BroadcastHashJoin"),
                    "both tables (51 and 31 rows) within the bound: " + plan);
            plan = executedPlan(bounded.setTableBroadcastThreshold(userTable - 1), new ArrayList<>());
            assertEquals(1, occurrences(plan, "BroadcastHashJoin"), "only the item table within the bound: " + plan);
            assertEquals(1, occurrences(plan, "ShuffledHashJoin"), "the user table hashed per partition: " + plan);
            plan = executedPlan(bounded.setTableBroadcastThreshold(-1), shuffled);
            assertEquals(0, occurrences(plan, "BroadcastHashJoin"), plan);
            assertEquals(2, occurrences(plan, "SortMergeJoin"), "-1 leaves the choice to Spark: " + plan);
            assertEquals(broadcast, shuffled, "the same predictions whichever way the tables are joined");
        });
    }

    /** Scores {@code test} into {@code predictions} (in row order) and returns the plan Spark ran. */
    private static String executedPlan(MlpRegressionModel m, List<String> predictions) {
        Dataset<Row> scored = m.transform(test).orderBy("user", "item", "label"); // user, item, label, prediction
        // Collected once: the adaptive plan is final once run.
        predictions.addAll(scored.collectAsList().stream().map(Row::toString).toList());
        return SparkTestSupport.executedPlan(scored);
    }

    @Test
    void savedWithItsTablesInParquetItLoadsAndScoresExactlyTheSame(@TempDir Path dir) throws Exception {
        String path = dir.resolve("model").toString();
        model.write().save(path);
        assertEquals(50 + 1, spark.read().parquet(path + "/" + MlpRegressionModel.EMBEDDINGS + "/0").count(),
                "one row per trained user and the unknown row");
        assertEquals(30 + 1, spark.read().parquet(path + "/" + MlpRegressionModel.EMBEDDINGS + "/1").count());
        MlpRegressionModel loaded = MlpRegressionModel.load(path);
        assertEquals(model.embeddingTablesDigest(), EmbeddingTables.digest(List.of(loaded.embeddingTable(0),
                loaded.embeddingTable(1))), "the stored tables are the trained ones, bit for bit");
        assertEquals(predictions(model), predictions(loaded));

        TestFiles.deleteTree(dir.resolve("model/data/embeddings/1"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> MlpRegressionModel.load(path));
        assertTrue(missing.getMessage().contains("embeddings/1") && missing.getMessage().contains("missing"),
                missing.getMessage());
    }

    @Test
    void aModelSavedInFormatTwoWithItsTablesInsideTheNetworkFileStillLoads(@TempDir Path dir) throws Exception {
        String path = dir.resolve("model").toString();
        model.write().save(path);
        // Rewrite the folder as format 2 wrote it: every tensor in network.nrmlp, no Parquet tables.
        NetworkFile network = model.network();
        int dim = network.spec().embeddingDim();
        List<float[]> all = new ArrayList<>();
        for (int e = 0; e < 2; e++) {
            List<Row> rows = model.embeddingTable(e).orderBy("index").collectAsList();
            float[] vectors = new float[rows.size() * dim];
            float[] biases = new float[rows.size()];
            for (int r = 0; r < rows.size(); r++) {
                List<Object> v = rows.get(r).getList(1);
                for (int j = 0; j < dim; j++) {
                    vectors[r * dim + j] = (Float) v.get(j);
                }
                biases[r] = rows.get(r).getFloat(2);
            }
            all.add(vectors);
            all.add(biases);
        }
        all.addAll(List.of(network.dense()));
        Path file = dir.resolve("model/" + MlpRegressionModel.NETWORK_FILE);
        Files.write(file, NetworkFileTest.formatTwo(network.spec(), all.toArray(new float[0][])));
        Files.deleteIfExists(file.resolveSibling(".network.nrmlp.crc"));
        TestFiles.deleteTree(dir.resolve("model/data/embeddings"));

        MlpRegressionModel old = MlpRegressionModel.load(path);
        assertEquals(model.embeddingTablesDigest(), old.embeddingTablesDigest());
        assertEquals(predictions(model), predictions(old));
    }

    /** Every held-out row's prediction, keyed by its position in a stable order. */
    private static List<String> predictions(MlpRegressionModel m) {
        return m.transform(test).orderBy("user", "item", "label").select("user", "item", "label", "prediction")
                .collectAsList().stream().map(Row::toString).toList();
    }
}
