package io.neuralrate.data;

import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.util.Arrays;

/**
 * Reads the three input tables (users, items, ratings) from Parquet and checks their shape,
 * failing with a message that names the table and column.
 */
public final class Tables {
    /** Id column of the users table. */
    public static final String USER_ID = "user_id";
    /** Id column of the items table. */
    public static final String ITEM_ID = "item_id";
    /** Label column of the ratings table. */
    public static final String RATING = "rating";

    private Tables() {}

    /**
     * A column name as Spark's column resolution and SQL read it literally (dots and backquotes included).
     *
     * @param name the column name
     * @return the name in backquotes
     */
    public static String quoted(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    /**
     * Reads a Parquet table.
     *
     * @param spark the session
     * @param table the table's role, for messages ("users", "items", "ratings")
     * @param path its location
     * @return the table
     * @throws IllegalArgumentException if the path does not exist or is not readable Parquet
     */
    public static Dataset<Row> read(SparkSession spark, String table, String path) {
        try {
            Path p = new Path(path);
            FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (!fs.exists(p)) {
                throw new IllegalArgumentException("The " + table + " table path does not exist: " + path);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot access the " + table + " table at " + path + ": " + e, e);
        }
        try {
            Dataset<Row> df = spark.read().parquet(path);
            df.count(); // reads every file's footer: a truncated or foreign file fails here, named, not mid-job
            return df;
        } catch (Exception e) { // SparkException is checked in Java's eyes but thrown undeclared from Scala
            throw new IllegalArgumentException("Cannot read the " + table + " table at " + path
                    + " as Parquet (corrupt or not Parquet): " + e.getMessage(), e);
        }
    }

    /**
     * Requires {@code column} in {@code df}, of an id type (integer or string) or numeric.
     *
     * @param df the table
     * @param table the table's role, for messages
     * @param column the column
     * @param numeric whether it must be numeric (a label) rather than an id
     */
    public static void requireColumn(Dataset<Row> df, String table, String column, boolean numeric) {
        StructType schema = df.schema();
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException("The " + table + " table has no column '" + column + "' (it has "
                    + String.join(", ", schema.fieldNames()) + ")");
        }
        DataType type = schema.apply(column).dataType();
        boolean ok = numeric ? type instanceof NumericType : type instanceof NumericType || type instanceof StringType;
        if (!ok) {
            throw new IllegalArgumentException("Column '" + column + "' of the " + table + " table must be "
                    + (numeric ? "numeric" : "an integer or string id") + " but is " + type.simpleString());
        }
    }
}
