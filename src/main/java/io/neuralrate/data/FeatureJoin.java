package io.neuralrate.data;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;

/**
 * Joins a ratings (or candidate pairs) table with the user and item feature tables. A pair whose
 * user or item has no features is kept (its feature columns are null); {@link #missingFeatures}
 * counts them so the job can report and handle them.
 */
public final class FeatureJoin {
    private FeatureJoin() {}

    /**
     * Left-joins the feature tables onto the pairs.
     *
     * @param pairs ratings or candidates with user_id and item_id
     * @param users users table
     * @param items items table
     * @return the pairs with every user and item feature column
     * @throws IllegalArgumentException on a missing id column, a feature column name shared by
     *     both tables, or duplicate ids in a feature table
     */
    public static Dataset<Row> join(Dataset<Row> pairs, Dataset<Row> users, Dataset<Row> items) {
        Tables.requireColumn(pairs, "ratings", Tables.USER_ID, false);
        Tables.requireColumn(pairs, "ratings", Tables.ITEM_ID, false);
        Tables.requireColumn(users, "users", Tables.USER_ID, false);
        Tables.requireColumn(items, "items", Tables.ITEM_ID, false);
        requireUniqueIds(users, "users", Tables.USER_ID);
        requireUniqueIds(items, "items", Tables.ITEM_ID);
        for (String c : users.columns()) {
            if (!c.equals(Tables.USER_ID) && Arrays.asList(items.columns()).contains(c)) {
                throw new IllegalArgumentException("Column '" + c + "' is in both the users and the items table; "
                        + "rename one of them");
            }
        }
        return pairs.join(users, pairs.col(Tables.USER_ID).equalTo(users.col(Tables.USER_ID)), "left")
                .drop(users.col(Tables.USER_ID))
                .join(items, pairs.col(Tables.ITEM_ID).equalTo(items.col(Tables.ITEM_ID)), "left")
                .drop(items.col(Tables.ITEM_ID));
    }

    private static void requireUniqueIds(Dataset<Row> table, String name, String id) {
        Row[] dup = (Row[]) table.groupBy(id).count().filter("count > 1").limit(1).collect();
        if (dup.length > 0) {
            throw new IllegalArgumentException("The " + name + " table has duplicate " + id + " " + dup[0].get(0)
                    + " (" + dup[0].getLong(1) + " rows); ids must be unique");
        }
    }

    /**
     * Counts the pairs whose user or item had no row in its feature table.
     *
     * @param pairs the original pairs
     * @param users users table
     * @param items items table
     * @return {@code {pairs without user features, pairs without item features}}
     */
    public static long[] missingFeatures(Dataset<Row> pairs, Dataset<Row> users, Dataset<Row> items) {
        long noUser = pairs.join(users.select(Tables.USER_ID), new scala.collection.immutable.Set.Set1<>(
                Tables.USER_ID).toSeq(), "left_anti").count();
        long noItem = pairs.join(items.select(Tables.ITEM_ID), new scala.collection.immutable.Set.Set1<>(
                Tables.ITEM_ID).toSeq(), "left_anti").count();
        return new long[] {noUser, noItem};
    }
}
