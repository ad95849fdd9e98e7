package io.neuralrate.data;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.ml.attribute.Attribute;
import org.apache.spark.ml.attribute.NominalAttribute;
import org.apache.spark.ml.feature.StringIndexer;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Ids to dense indices through an id table on the executors. */
class IdIndexerTest {
    private static final StructType SCHEMA = new StructType().add("user", DataTypes.StringType, true)
            .add("x", DataTypes.IntegerType, false);

    private static Dataset<Row> rows(String... ids) {
        SparkSession spark = SparkTestSupport.spark();
        Row[] rows = new Row[ids.length];
        for (int i = 0; i < ids.length; i++) {
            rows[i] = RowFactory.create(ids[i], i);
        }
        return spark.createDataFrame(Arrays.asList(rows), SCHEMA).repartition(3);
    }

    private static Map<String, Integer> indexOf(Dataset<Row> transformed) {
        Map<String, Integer> out = new HashMap<>();
        for (Row r : transformed.select("user", "user_index").collectAsList()) {
            out.put(r.getString(0), r.isNullAt(1) ? null : r.getInt(1));
        }
        return out;
    }

    @Test
    void duplicatesGetOneIndexNullsNoneAndTheTableCountsRows() {
        Dataset<Row> train = rows("b", "a", "c", "a", null, "b", "a");
        IdIndexerModel model = new IdIndexer().setInputCol("user").setOutputCol("user_index").fit(train);
        assertEquals(3, model.numIds(), "three distinct non-null ids");
        Map<String, Long> counts = new HashMap<>();
        for (Row r : model.ids().collectAsList()) {
            counts.put(r.getString(0), r.getLong(2));
        }
        assertEquals(Map.of("a", 3L, "b", 2L, "c", 1L), counts);
        Dataset<Row> out = model.transform(train);
        assertEquals(train.count(), out.count(), "keep loses no row");
        Map<String, Integer> index = indexOf(out);
        assertEquals(Map.of("a", 0, "b", 1, "c", 2), Map.of("a", index.get("a"), "b", index.get("b"), "c",
                index.get("c")), "ascending by id");
        assertEquals(3, index.get(null), "a null id gets the unknown index numIds");
    }

    @Test
    void unseenIdsAreKeptAsUnknownSkippedOrRefusedByName() {
        IdIndexerModel model = new IdIndexer().setInputCol("user").setOutputCol("user_index").fit(rows("a", "b"));
        Dataset<Row> scoring = rows("a", "zz", "b");
        assertEquals(2, indexOf(model.transform(scoring)).get("zz"));
        List<Row> skipped = model.setHandleInvalid("skip").transform(scoring).collectAsList();
        assertEquals(2, skipped.size());
        assertTrue(skipped.stream().noneMatch(r -> "zz".equals(r.getString(0))));
        Exception e = assertThrows(Exception.class, () -> model.setHandleInvalid("error").transform(scoring)
                .collectAsList());
        String message = String.valueOf(e.getMessage());
        assertTrue(message.contains("'zz'") && message.contains("'user'"), message);
        assertThrows(IllegalArgumentException.class, () -> model.setHandleInvalid("ignore"));
    }

    @Test
    void indicesMatchStringIndexersAlphabeticalOrderAndTheMetadataHoldsNoIds() {
        String[] ids = new String[200];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "u" + (i * 7919 % 200);
        }
        Dataset<Row> train = rows(ids);
        Dataset<Row> ours = new IdIndexer().setInputCol("user").setOutputCol("user_index").fit(train).transform(train);
        Dataset<Row> spark = new StringIndexer().setInputCol("user").setOutputCol("user_index")
                .setStringOrderType("alphabetAsc").fit(train).transform(train);
        Map<String, Integer> expected = new HashMap<>();
        for (Row r : spark.select("user", "user_index").collectAsList()) {
            expected.put(r.getString(0), (int) r.getDouble(1));
        }
        assertEquals(expected, indexOf(ours));
        NominalAttribute attribute = (NominalAttribute) Attribute.fromStructField(ours.schema().apply("user_index"));
        assertEquals(201, (int) attribute.getNumValues().get(), "the ids and the unknown bucket, as StringIndexer counts");
        assertTrue(attribute.values().isEmpty(), "no id in the metadata");
        assertEquals(200, ours.schema().apply("user_index").metadata().getLong(IdIndexerModel.NUM_IDS_METADATA));
        assertEquals(IdIndexerModel.NUM_IDS_METADATA, io.neuralrate.ml.MlpRegressor.NUM_IDS_METADATA,
                "the key MlpRegressor reads (the packages do not depend on each other, so each names it)");
    }

    @Test
    void savedAndLoadedItIndexesTheSameWithTheTableInParquet(@TempDir Path dir) throws Exception {
        Dataset<Row> train = rows("x", "y", "x", "z");
        IdIndexerModel model = new IdIndexer().setInputCol("user").setOutputCol("user_index").fit(train);
        String path = dir.resolve("indexer").toString();
        model.write().save(path);
        assertEquals(3, SparkTestSupport.spark().read().parquet(path + "/" + IdIndexerModel.TABLE).count());
        IdIndexerModel loaded = IdIndexerModel.load(path);
        assertEquals(3, loaded.numIds());
        assertEquals("user_index", loaded.getOutputCol());
        Dataset<Row> scoring = rows("z", "w", "x");
        assertEquals(indexOf(model.transform(scoring)), indexOf(loaded.transform(scoring)));
        assertNull(indexOf(loaded.setHandleInvalid("skip").transform(scoring)).get("w"));
    }

    @Test
    void theNumberingDoesNotDependOnPartitioningAndANumericIdColumnIsRefusedForStringIds() {
        SparkSession spark = SparkTestSupport.spark();
        String[] ids = new String[500];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = "id" + (i * 37 % 311);
        }
        // Keep the sort's 4 partitions.
        SparkTestSupport.withSettings(spark, Map.of("spark.sql.adaptive.coalescePartitions.enabled", "false"), () -> {
            List<Row> one = new IdIndexer().setInputCol("user").setOutputCol("user_index").fit(rows(ids).coalesce(1))
                    .ids().orderBy("index").collectAsList();
            IdIndexerModel seven = new IdIndexer().setInputCol("user").setOutputCol("user_index")
                    .fit(rows(ids).repartition(7));
            assertTrue(seven.ids().rdd().getNumPartitions() > 1, "numbered across several partitions");
            assertEquals(one, seven.ids().orderBy("index").collectAsList());
            assertEquals(311, one.size());
            for (int i = 0; i < one.size(); i++) {
                assertEquals(i, one.get(i).getInt(1), "dense indices 0 .. n-1");
            }
            Dataset<Row> numeric = spark.range(3).selectExpr("id AS user");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> seven.transform(numeric));
            assertTrue(e.getMessage().contains("'user'") && e.getMessage().contains("bigint")
                    && e.getMessage().contains("string"), e.getMessage());
        });
    }
}
