package io.neuralrate.data;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The synthetic tables: sizes, ranges, reproducibility, and a planted signal in the features. */
class SampleDataGeneratorTest {
    private final SparkSession spark = SparkTestSupport.spark();

    @Test
    void tablesHaveTheAskedSizesAndValidIdsAndRatings() {
        SampleDataGenerator.SampleTables t = SampleDataGenerator.generate(spark, 50, 30, 3000, 7);
        assertEquals(50, t.users().count());
        assertEquals(50, t.users().select(Tables.USER_ID).distinct().count());
        assertEquals(30, t.items().count());
        assertEquals(3000, t.ratings().count());
        Row r = t.ratings().selectExpr("min(user_id)", "max(user_id)", "min(item_id)", "max(item_id)",
                "min(rating)", "max(rating)", "count(distinct rating)").first();
        assertTrue(r.getInt(0) >= 1 && r.getInt(1) <= 50, r.toString());
        assertTrue(r.getInt(2) >= 1 && r.getInt(3) <= 30, r.toString());
        assertTrue(r.getDouble(4) >= 1 && r.getDouble(5) <= 5, r.toString());
        assertTrue(r.getLong(6) >= 5, "half-star ratings spread over the scale: " + r);
    }

    @Test
    void eachRowIsAFunctionOfSeedAndRowNumberOnly() {
        List<Row> small = sorted(SampleDataGenerator.generate(spark, 40, 20, 500, 11).ratings());
        List<Row> again = sorted(SampleDataGenerator.generate(spark, 40, 20, 500, 11).ratings());
        assertEquals(small, again);
        // More ratings of the same users and items: the first 500 rows are the same rows.
        List<Row> prefix = SampleDataGenerator.generate(spark, 40, 20, 2000, 11).ratings()
                .limit(500).collectAsList();
        assertEquals(small, sortedCopy(prefix));
        assertNotEquals(small, sorted(SampleDataGenerator.generate(spark, 40, 20, 500, 12).ratings()));
    }

    @Test
    void ratingsFollowTheVisibleItemFeatures() {
        SampleDataGenerator.SampleTables t = SampleDataGenerator.generate(spark, 200, 100, 20_000, 3);
        // popularity is the item bias plus noise: it must correlate with the item's ratings.
        double correlation = t.ratings().join(t.items(), Tables.ITEM_ID).stat().corr("rating", "popularity");
        assertTrue(correlation > 0.2, "corr(rating, popularity) = " + correlation);
    }

    @Test
    void selfSelectionKeepsHighRatingsMoreOftenAndRecordsTheTruePropensity() {
        assertEquals(sorted(SampleDataGenerator.generate(spark, 40, 20, 500, 11).ratings()),
                sorted(SampleDataGenerator.generate(spark, 40, 20, 500, 11, 0).ratings()), "0: the usual tables");
        Dataset<Row> selected = SampleDataGenerator.generate(spark, 100, 50, 5000, 11, 1.5).ratings();
        assertEquals(5000, selected.count());
        assertEquals(0, selected.where("abs(propensity - exp(1.5 * (rating - 5))) > 1e-12").count(),
                "propensity = exp(s * (rating - 5))");
        double selectedMean = selected.agg(org.apache.spark.sql.functions.avg("rating")).first().getDouble(0);
        Dataset<Row> pairs = SampleDataGenerator.randomPairs(spark, 100, 50, 5000, 11);
        assertEquals(List.of("user_id", "item_id", "rating"), List.of(pairs.columns()));
        double pairsMean = pairs.agg(org.apache.spark.sql.functions.avg("rating")).first().getDouble(0);
        assertTrue(selectedMean > pairsMean + 0.3, selectedMean + " vs " + pairsMean);
        assertThrows(IllegalArgumentException.class, () -> SampleDataGenerator.generate(spark, 10, 10, 10, 1, -1));
    }

    @Test
    void impossibleSizesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SampleDataGenerator.generate(spark, 0, 10, 10, 1));
        assertTrue(e.getMessage().contains("users=0"), e.getMessage());
    }

    private static List<Row> sorted(Dataset<Row> ratings) {
        return ratings.orderBy("user_id", "item_id", "timestamp", "rating").collectAsList();
    }

    private static List<Row> sortedCopy(List<Row> rows) {
        return rows.stream().sorted((a, b) -> {
            for (int c : new int[] {0, 1, 3}) {
                int cmp = Long.compare(((Number) a.get(c)).longValue(), ((Number) b.get(c)).longValue());
                if (cmp != 0) {
                    return cmp;
                }
            }
            return Double.compare(a.getDouble(2), b.getDouble(2));
        }).toList();
    }
}
