package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import io.neuralrate.data.IdIndexer;
import io.neuralrate.data.IdIndexerModel;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.Trigger;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static io.neuralrate.SparkTestSupport.occurrences;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tables keyed by the raw ids ({@code embeddingIdCols}): the fitted tables carry each row's id, scoring
 * looks rows up by id with exactly the predictions of the lookup by index (trained, validation-only,
 * unseen and null ids, every cold-start strategy), rows already partitioned by the id are not shuffled
 * again, and ids that are not one-to-one with their indices are refused.
 */
class IdKeyedTablesTest {
    private static final StructType SCHEMA = new StructType().add("user_id", DataTypes.StringType)
            .add("item_id", DataTypes.LongType).add("label", DataTypes.DoubleType)
            .add("validation", DataTypes.BooleanType);
    private static final String[] INDICES = {"user_index", "item_index"};
    private static final String[] IDS = {"user_id", "item_id"};

    private static SparkSession spark;
    private static Dataset<Row> indexed;
    private static List<IdIndexerModel> indexers;
    private static MlpRegressor regressor;
    private static MlpRegressionModel byIndex;
    private static MlpRegressionModel byId;
    /** {@link #byId} saved and loaded: its tables are Parquet scans (a fitted model's cached tables print their
     * fit in every plan). */
    private static MlpRegressionModel loaded;
    /** Held-out rows: trained, validation-only (u1..u3), unseen ("new", item 999) and null ids. */
    private static Dataset<Row> heldOut;

    @TempDir
    static Path dir;

    @BeforeAll
    static void fit() throws Exception {
        spark = SparkTestSupport.spark();
        Random random = new Random(23);
        double[] userBias = random.doubles(50).map(b -> 2 * b - 1).toArray();
        double[] itemBias = random.doubles(30).map(b -> 2 * b - 1).toArray();
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < 6000; r++) {
            int u = random.nextInt(50);
            int i = random.nextInt(30);
            // Indexed (by their ids' order: u1 is 1, u2 12, u3 23 of 0..49) but never trained: indices below the
            // cardinality without a row of their own.
            boolean validationOnly = u >= 1 && u <= 3;
            rows.add(RowFactory.create("u" + u, 100L + i,
                    3 + userBias[u] + itemBias[i] + 0.1 * random.nextGaussian(), validationOnly || r % 10 == 0));
        }
        Dataset<Row> data = spark.createDataFrame(rows, SCHEMA);
        indexers = List.of(new IdIndexer().setInputCol("user_id").setOutputCol("user_index").fit(data),
                new IdIndexer().setInputCol("item_id").setOutputCol("item_index").fit(data));
        indexed = index(data).cache();
        regressor = new MlpRegressor().setFeaturesCol("none").setEmbeddingCols(INDICES).setEmbeddingDim(8)
                .setHiddenLayers(new int[] {16}).setMaxEpochs(4).setLearningRate(0.01).setSeed(5)
                .setUnknownIndexRate(0.05).setValidationIndicatorCol("validation");
        byIndex = regressor.fit(indexed);
        byId = regressor.copy(new ParamMap()).setEmbeddingIdCols(IDS).fit(indexed);
        String path = dir.resolve("keyed").toString();
        byId.write().save(path);
        loaded = MlpRegressionModel.load(path);
        List<Row> held = new ArrayList<>();
        for (int u = 0; u < 50; u += 3) {
            held.add(RowFactory.create("u" + u, 100L + u % 30, 3.0, false));
        }
        held.add(RowFactory.create("new", 101L, 3.0, false));
        held.add(RowFactory.create("u7", 999L, 3.0, false));
        held.add(RowFactory.create(null, 102L, 3.0, false));
        held.add(RowFactory.create("u8", null, 3.0, false));
        heldOut = index(spark.createDataFrame(held, SCHEMA)).cache();
    }

    private static Dataset<Row> index(Dataset<Row> rows) {
        Dataset<Row> out = rows;
        for (IdIndexerModel indexer : indexers) {
            out = indexer.transform(out);
        }
        return out;
    }

    private static List<Row> scored(MlpRegressionModel model, Dataset<Row> rows, String coldStart) {
        return model.copy(new ParamMap()).setColdStartStrategy(coldStart).transform(rows)
                .orderBy("user_id", "item_id", "label").select("user_id", "item_id", "prediction").collectAsList();
    }

    @Test
    void theTablesKeepTheirRowsAndGainEachRowsId() {
        // The ids are added after training: the same training, bit for bit.
        assertEquals(byIndex.embeddingTablesDigest(), byId.embeddingTablesDigest());
        for (int e = 0; e < 2; e++) {
            Dataset<Row> table = byId.embeddingTable(e);
            assertEquals(byIndex.embeddingTable(e).count(), table.count());
            int unknown = byId.networkSpec().embeddingCardinalities()[e];
            assertEquals(1, table.where(col("id").isNull()).count(), "only the unknown row has no id");
            assertEquals(1, table.where(col("id").isNull().and(col("index").equalTo(unknown))).count());
            Dataset<Row> ids = indexers.get(e).ids();
            // Every id the table names is the id the indexer gave that index.
            assertEquals(table.count() - 1, table.join(ids, table.col("id").equalTo(ids.col("id"))
                    .and(table.col("index").equalTo(ids.col("index")))).count());
        }
        assertEquals(50, byId.networkSpec().embeddingCardinalities()[0], "u1..u3 fall below the cardinality");
        assertEquals(0, byId.embeddingTable(0).where(col("id").isin("u1", "u2", "u3")).count(),
                "validation-only users were never trained: no row");
    }

    @Test
    void lookingRowsUpByIdPredictsExactlyAsByIndexForEveryKindOfIdAndStrategy() {
        MlpRegressionModel asIndexed = byId.copy(new ParamMap()).setEmbeddingIdCols(new String[0]);
        for (String coldStart : new String[] {"unknown", "nan", "drop"}) {
            List<Row> expected = scored(byIndex, heldOut, coldStart);
            assertEquals(expected, scored(byId, heldOut, coldStart), coldStart);
            assertEquals(expected, scored(asIndexed, heldOut, coldStart), coldStart + ", the keyed tables by index");
        }
        assertEquals(heldOut.count(), scored(byId, heldOut, "unknown").size(), "every row scored once");
        // validation-only u3 (u0..u49 by threes), unseen user, unseen item, null user, null item
        long unseen = heldOut.count() - scored(byId, heldOut, "drop").size();
        assertEquals(5, unseen);
        assertEquals(scored(byIndex, indexed, "unknown"), scored(byId, indexed, "unknown"));
    }

    @Test
    void scoringByIdNeedsNoIndexColumns() {
        Dataset<Row> withoutIndices = heldOut.drop(INDICES);
        assertEquals(scored(byId, heldOut, "unknown"), scored(byId, withoutIndices, "unknown"));
        assertThrows(IllegalArgumentException.class, () -> byIndex.transform(withoutIndices));
    }

    @ParameterizedTest
    @ValueSource(strings = {"user_id", "item_id"})
    void rowsPartitionedByAnIdAreNotShuffledAgainForItsLookup(String id) {
        // Spark's broadcasts off, tables shuffled: the rows are hashed by one id first (as a feature table's join
        // on it leaves them); its lookup, done first, keeps that partitioning; the lookups by index cannot.
        SparkTestSupport.withSettings(spark, Map.of("spark.sql.autoBroadcastJoinThreshold", "-1"), () -> {
            Dataset<Row> partitioned = indexed.repartition(col(id));
            Dataset<Row> keyed = loaded.copy(new ParamMap()).setTableBroadcastThreshold(0).transform(partitioned)
                    .orderBy("user_id", "item_id", "label").select("prediction");
            Dataset<Row> asIndexed = loaded.copy(new ParamMap()).setEmbeddingIdCols(new String[0])
                    .setTableBroadcastThreshold(0).transform(partitioned).orderBy("user_id", "item_id", "label")
                    .select("prediction");
            assertEquals(asIndexed.collectAsList(), keyed.collectAsList());
            String keyedPlan = SparkTestSupport.executedPlan(keyed);
            String indexedPlan = SparkTestSupport.executedPlan(asIndexed);
            assertEquals(2, occurrences(keyedPlan, "ShuffledHashJoin"), keyedPlan);
            // By index: the rows by the id, by user index, by item index; the two tables; the sort. By id: one fewer.
            assertEquals(occurrences(indexedPlan, "Exchange ") - 1, occurrences(keyedPlan, "Exchange "),
                    keyedPlan + "\n" + indexedPlan);
            assertEquals(1, occurrences(keyedPlan, "hashpartitioning\\(" + id), "the rows hashed by " + id
                    + " once: " + keyedPlan);
        });
    }

    @Test
    void aStreamIsScoredByIdLikeABatch() throws Exception {
        String input = dir.resolve("stream-in").toString();
        heldOut.drop(INDICES).write().parquet(input);
        Dataset<Row> stream = spark.readStream().schema(heldOut.drop(INDICES).schema()).parquet(input);
        StreamingQuery query = loaded.transform(stream).writeStream().format("memory").queryName("scored_by_id")
                .trigger(Trigger.AvailableNow()).start();
        query.awaitTermination();
        assertEquals(scored(loaded, heldOut, "unknown"), spark.table("scored_by_id")
                .orderBy("user_id", "item_id", "label").select("user_id", "item_id", "prediction").collectAsList());
    }

    @Test
    void theKeyedModelSavesAndLoadsAndAModelWithoutIdsSaysSo() {
        assertEquals(List.of(IDS), List.of(loaded.getEmbeddingIdCols()));
        assertEquals(scored(byId, heldOut, "unknown"), scored(loaded, heldOut, "unknown"));

        MlpRegressionModel withoutIds = byIndex.copy(new ParamMap()).setEmbeddingIdCols(IDS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> withoutIds.transform(heldOut));
        assertTrue(e.getMessage().contains("has no ids"), e.getMessage());

        Dataset<Row> stringItems = heldOut.withColumn("item_id", col("item_id").cast(DataTypes.StringType));
        e = assertThrows(IllegalArgumentException.class, () -> byId.transform(stringItems));
        assertTrue(e.getMessage().contains("'item_id'") && e.getMessage().contains("bigint"), e.getMessage());
    }

    @Test
    void aTableOfAFewKilobytesIsStoredAsOneFileHoweverManyPartitionsItHas() throws Exception {
        // Keyed by a shuffle, a fitted table has the shuffle's partitions (200 by default), one file each if written
        // as they are.
        MlpRegressionModel spread = new MlpRegressionModel(byId.uid(), byId.network(),
                List.of(byId.embeddingTable(0).repartition(5), byId.embeddingTable(1).repartition(5)));
        String path = dir.resolve("spread").toString();
        spread.write().save(path);
        for (int e = 0; e < 2; e++) {
            assertEquals(1, parquetFiles(dir.resolve("spread/" + MlpRegressionModel.EMBEDDINGS + "/" + e)).size());
        }
        MlpRegressionModel reloaded = MlpRegressionModel.load(path);
        assertEquals(byId.embeddingTablesDigest(), EmbeddingTables.digest(List.of(reloaded.embeddingTable(0),
                reloaded.embeddingTable(1))), "the same rows, bit for bit");
    }

    @Test
    void aTableOnFewerPartitionsThanItsFilesIsWrittenInFilesWithinTheBound() throws Exception {
        // Fitted on one shard, a table has one partition: coalescing alone writes it as one file of any size.
        Dataset<Row> table = byId.embeddingTable(0).coalesce(1);
        long rows = byId.network().tableRows()[0];
        int dim = byId.network().spec().embeddingDim();
        long bytes = EmbeddingTables.valueBytes(rows, dim) + EmbeddingTables.idBytes(table, rows);
        long bound = bytes / 4;
        String path = dir.resolve("bounded").toString();
        EmbeddingTables.write(table, rows, dim, path, bound);
        List<Path> files = parquetFiles(dir.resolve("bounded"));
        assertTrue(files.size() >= 4, files.size() + " files for a table of 4 times the bound");
        for (Path file : files) {
            long fileRows = spark.read().parquet(file.toString()).count();
            assertTrue(fileRows * bytes <= bound * rows, fileRows + " of " + rows + " rows in one file");
        }
        assertEquals(EmbeddingTables.digest(List.of(table)),
                EmbeddingTables.digest(List.of(spark.read().parquet(path))), "the same rows, bit for bit");
    }

    private static List<Path> parquetFiles(Path folder) throws Exception {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList();
        }
    }

    @Test
    void idsThatAreNotOneToOneWithTheirIndicesAreRefusedNamingOne() {
        MlpRegressor keyed = regressor.copy(new ParamMap()).setEmbeddingIdCols(IDS).setMaxEpochs(1);
        // One id under two indices: looked up by id, its rows would be scored twice.
        int u9 = indexed.where(col("user_id").equalTo("u9")).select("user_index").first().getInt(0);
        Dataset<Row> split = indexed.withColumn("user_index", when(col("user_id").equalTo("u9")
                .and(col("item_id").mod(2).equalTo(0)), u9 == 0 ? 1 : 0).otherwise(col("user_index")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> keyed.fit(split));
        assertTrue(e.getMessage().startsWith("Id u9 of column 'user_id' has more than one index in 'user_index'"),
                e.getMessage());
        // Two ids under one index.
        Dataset<Row> shared = indexed.withColumn("item_index", when(col("item_id").equalTo(101L), 0)
                .otherwise(col("item_index")));
        assertNotEquals(0, shared.where(col("item_index").equalTo(0).and(col("item_id").equalTo(101L))).count());
        e = assertThrows(IllegalArgumentException.class, () -> keyed.fit(shared));
        assertTrue(e.getMessage().startsWith("Index 0 of column 'item_index' has 2 ids in 'item_id'"), e.getMessage());
        // A null id under a trained index: by index it would take that row, by id the unknown one.
        Dataset<Row> nullId = indexed.withColumn("user_id", when(col("user_id").equalTo("u9"), lit(null))
                .otherwise(col("user_id")));
        e = assertThrows(IllegalArgumentException.class, () -> keyed.fit(nullId));
        assertTrue(e.getMessage().startsWith("Training rows with a null 'user_id' have index " + u9), e.getMessage());
    }
}
