package io.neuralrate.data;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link FeatureJoin#join}: every pair is kept once, with nulls where its user or item has no features. */
class FeatureJoinTest {
    private static final String THRESHOLD = "spark.sql.autoBroadcastJoinThreshold";

    private static SparkSession spark;
    private static Dataset<Row> pairs;
    private static Dataset<Row> users;
    private static Dataset<Row> items;
    /** The pairs with their features, as the join must give them: sorted by user, item and rating. */
    private static List<Row> expected;

    @BeforeAll
    static void tables() {
        spark = SparkTestSupport.spark();
        pairs = spark.createDataFrame(Arrays.asList(
                RowFactory.create(1L, "a", 4.0), RowFactory.create(1L, "b", 3.0), RowFactory.create(2L, "a", 5.0),
                RowFactory.create(2L, "a", 1.0), RowFactory.create(7L, "b", 2.0), RowFactory.create(3L, "z", 4.5),
                RowFactory.create(null, "a", 3.5)), new StructType().add("user_id", DataTypes.LongType)
                .add("item_id", DataTypes.StringType).add("rating", DataTypes.DoubleType));
        users = spark.createDataFrame(Arrays.asList(RowFactory.create(1L, 30.0), RowFactory.create(2L, 40.0),
                RowFactory.create(3L, 50.0), RowFactory.create(4L, 60.0)),
                new StructType().add("user_id", DataTypes.LongType).add("age", DataTypes.DoubleType));
        items = spark.createDataFrame(Arrays.asList(RowFactory.create("a", 1.0), RowFactory.create("b", 0.0)),
                new StructType().add("item_id", DataTypes.StringType).add("drama", DataTypes.DoubleType));
        expected = Arrays.asList(RowFactory.create(null, "a", 3.5, null, 1.0),
                RowFactory.create(1L, "a", 4.0, 30.0, 1.0), RowFactory.create(1L, "b", 3.0, 30.0, 0.0),
                RowFactory.create(2L, "a", 1.0, 40.0, 1.0), RowFactory.create(2L, "a", 5.0, 40.0, 1.0),
                RowFactory.create(3L, "z", 4.5, 50.0, null), RowFactory.create(7L, "b", 2.0, null, 0.0));
    }

    @Test
    void everyPairIsKeptOnceWithNullsWhereItsUserOrItemHasNoFeatures() {
        for (String threshold : List.of(spark.conf().get(THRESHOLD), "-1")) { // broadcast, then sort-merge joins
            SparkTestSupport.withSettings(spark, Map.of(THRESHOLD, threshold), () -> {
                Dataset<Row> joined = FeatureJoin.join(pairs, users, items);
                assertEquals(List.of("user_id", "item_id", "rating", "age", "drama"),
                        Arrays.asList(joined.columns()));
                assertEquals(expected, joined.orderBy("user_id", "item_id", "rating").collectAsList(), threshold);
            });
        }
    }
}
