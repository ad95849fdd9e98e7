package io.neuralrate.data;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

import java.io.File;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.when;

/**
 * Converts the MovieLens files into the three NeuralRate tables: ML-100K ({@code u.user},
 * {@code u.item}, {@code u.data}, or a fold such as {@code u1.base}) and ML-1M ({@code users.dat},
 * {@code movies.dat}, {@code ratings.dat}).
 */
public final class MovieLensImporter {
    private static final String[] ML100K_GENRES = {"unknown", "action", "adventure", "animation", "childrens",
        "comedy", "crime", "documentary", "drama", "fantasy", "film_noir", "horror", "musical", "mystery", "romance",
        "sci_fi", "thriller", "war", "western"};

    private MovieLensImporter() {}

    /** The three tables. */
    public record MovieLensTables(Dataset<Row> users, Dataset<Row> items, Dataset<Row> ratings) {
    }

    /**
     * Reads a MovieLens folder, detecting ML-100K or ML-1M by its files.
     *
     * @param spark the session
     * @param dir the folder
     * @param ratingsFile the ratings file name within it (null for the full set: u.data or ratings.dat)
     * @return the tables
     */
    public static MovieLensTables read(SparkSession spark, String dir, String ratingsFile) {
        if (new File(dir, "u.user").exists()) {
            return read100k(spark, dir, ratingsFile == null ? "u.data" : ratingsFile);
        }
        if (new File(dir, "users.dat").exists()) {
            return read1m(spark, dir, ratingsFile == null ? "ratings.dat" : ratingsFile);
        }
        throw new IllegalArgumentException("No MovieLens files in " + dir + " (expected u.user/u.item/u.data for "
                + "ML-100K or users.dat/movies.dat/ratings.dat for ML-1M)");
    }

    /**
     * Reads the ratings of one file of a MovieLens folder (e.g. a fold's {@code u1.test}).
     *
     * @param spark the session
     * @param dir the folder
     * @param file the ratings file
     * @return user_id, item_id, rating, timestamp
     */
    public static Dataset<Row> readRatings(SparkSession spark, String dir, String file) {
        String sep = file.endsWith(".dat") ? "::" : "\t";
        return fields(spark, new File(dir, file), sep).select(
                col("f0").cast(DataTypes.IntegerType).as(Tables.USER_ID),
                col("f1").cast(DataTypes.IntegerType).as(Tables.ITEM_ID),
                col("f2").cast(DataTypes.DoubleType).as(Tables.RATING),
                col("f3").cast(DataTypes.LongType).as("timestamp"));
    }

    private static MovieLensTables read100k(SparkSession spark, String dir, String ratingsFile) {
        Dataset<Row> users = fields(spark, new File(dir, "u.user"), "\\|").select(
                col("f0").cast(DataTypes.IntegerType).as(Tables.USER_ID),
                col("f1").cast(DataTypes.DoubleType).as("age"),
                col("f2").as("gender"),
                col("f3").as("occupation"));
        List<Column> itemCols = new ArrayList<>();
        itemCols.add(col("f0").cast(DataTypes.IntegerType).as(Tables.ITEM_ID));
        itemCols.add(year(col("f2"), "(\\d{4})$").as("release_year"));
        for (int g = 0; g < ML100K_GENRES.length; g++) {
            itemCols.add(col("f" + (5 + g)).cast(DataTypes.IntegerType).cast(DataTypes.BooleanType)
                    .as("genre_" + ML100K_GENRES[g]));
        }
        Dataset<Row> items = fields(spark, new File(dir, "u.item"), "\\|").select(itemCols.toArray(new Column[0]))
                .na().fill(1995.0, new String[] {"release_year"});
        return new MovieLensTables(users, items, readRatings(spark, dir, ratingsFile));
    }

    private static MovieLensTables read1m(SparkSession spark, String dir, String ratingsFile) {
        Dataset<Row> users = fields(spark, new File(dir, "users.dat"), "::").select(
                col("f0").cast(DataTypes.IntegerType).as(Tables.USER_ID),
                col("f1").as("gender"),
                col("f2").cast(DataTypes.DoubleType).as("age"),
                col("f3").as("occupation"));
        Dataset<Row> items = fields(spark, new File(dir, "movies.dat"), "::").select(
                col("f0").cast(DataTypes.IntegerType).as(Tables.ITEM_ID),
                year(col("f1"), "\\((\\d{4})\\)\\s*$").as("release_year"),
                element_at(split(col("f2"), "\\|"), 1).as("main_genre"))
                .na().fill(1995.0, new String[] {"release_year"});
        return new MovieLensTables(users, items, readRatings(spark, dir, ratingsFile));
    }

    /** The year captured by {@code regex}, or null where there is none (some titles have no date). */
    private static Column year(Column text, String regex) {
        Column digits = regexp_extract(text, regex, 1);
        return when(digits.equalTo(""), lit(null)).otherwise(digits).cast(DataTypes.DoubleType);
    }

    /** Splits each line of a text file into columns f0, f1, ... */
    private static Dataset<Row> fields(SparkSession spark, File file, String separatorRegex) {
        if (!file.isFile()) {
            throw new IllegalArgumentException("MovieLens file not found: " + file);
        }
        // ML-100K's u.item is Latin-1; read raw bytes per line as ISO-8859-1 so titles never fail to decode.
        Dataset<Row> lines = spark.read().option("encoding", "ISO-8859-1").option("lineSep", "\n")
                .text(file.getAbsolutePath()).filter("length(value) > 0");
        Dataset<Row> parts = lines.select(split(col("value"), separatorRegex, -1).as("p"));
        int width = parts.selectExpr("max(size(p))").first().getInt(0);
        Column[] cols = new Column[width];
        for (int i = 0; i < width; i++) {
            cols[i] = col("p").getItem(i).as("f" + i);
        }
        return parts.select(cols);
    }
}
