package io.neuralrate.data;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Synthetic users, items and ratings with planted structure, deterministic by seed. Each user and
 * item has a hidden taste vector; the visible features are noisy functions of it (numeric,
 * boolean, categorical string and an array), and a rating is a clipped function of the tastes'
 * agreement, per-user and per-item biases and noise. A model that uses the features, and one
 * that also learns id embeddings, can therefore both beat the mean.
 */
public final class SampleDataGenerator {
    private static final String[] REGIONS = {"north", "south", "east", "west"};
    private static final String[] GENRES = {"drama", "comedy", "action", "documentary", "horror"};
    private static final int TASTE = 4;

    private SampleDataGenerator() {}

    /** The generated tables. */
    public record SampleTables(Dataset<Row> users, Dataset<Row> items, Dataset<Row> ratings) {
    }

    /**
     * Generates the tables on the driver (the sizes are meant for samples and tests).
     *
     * @param spark the session
     * @param users number of users
     * @param items number of items
     * @param ratings number of ratings (distinct user-item pairs are not enforced)
     * @param seed random seed
     * @return the tables
     */
    public static SampleTables generate(SparkSession spark, int users, int items, int ratings, long seed) {
        Random random = new Random(seed);
        double[][] userTaste = new double[users][TASTE];
        double[][] itemTaste = new double[items][TASTE];
        double[] userBias = new double[users];
        double[] itemBias = new double[items];
        List<Row> userRows = new ArrayList<>(users);
        for (int u = 0; u < users; u++) {
            fill(random, userTaste[u]);
            userBias[u] = 0.4 * random.nextGaussian();
            double age = Math.round(35 + 12 * userTaste[u][0] + 5 * random.nextGaussian());
            String region = REGIONS[Math.floorMod((int) Math.floor(userTaste[u][1] * 1.5), REGIONS.length)];
            boolean premium = userTaste[u][2] + 0.3 * random.nextGaussian() > 0.5;
            double activity = Math.exp(0.5 * random.nextGaussian() + 0.3 * userBias[u]);
            userRows.add(RowFactory.create(u + 1, age, region, premium, activity));
        }
        List<Row> itemRows = new ArrayList<>(items);
        for (int i = 0; i < items; i++) {
            fill(random, itemTaste[i]);
            itemBias[i] = 0.5 * random.nextGaussian();
            String genre = GENRES[Math.floorMod((int) Math.floor(itemTaste[i][0] * 2), GENRES.length)];
            double price = Math.round(100 * Math.exp(1 + 0.4 * itemTaste[i][1])) / 100.0;
            double popularity = itemBias[i] + 0.2 * random.nextGaussian();
            List<Double> tags = new ArrayList<>(3);
            for (int t = 0; t < 3; t++) {
                tags.add(Math.round(100 * (itemTaste[i][(t + 2) % TASTE] + 0.3 * random.nextGaussian())) / 100.0);
            }
            itemRows.add(RowFactory.create(i + 1, genre, price, popularity, tags));
        }
        List<Row> ratingRows = new ArrayList<>(ratings);
        long day = 86_400L;
        for (int r = 0; r < ratings; r++) {
            int u = (int) Math.floor(Math.pow(random.nextDouble(), 1.3) * users);
            int i = (int) Math.floor(Math.pow(random.nextDouble(), 1.6) * items);
            double agreement = 0;
            for (int k = 0; k < TASTE; k++) {
                agreement += userTaste[u][k] * itemTaste[i][k];
            }
            double score = 3.4 + 0.6 * agreement + userBias[u] + itemBias[i] + 0.35 * random.nextGaussian();
            double rating = Math.max(1, Math.min(5, Math.round(score * 2) / 2.0));
            ratingRows.add(RowFactory.create(u + 1, i + 1, rating, 1_600_000_000L + random.nextInt(365) * day));
        }
        StructType userSchema = new StructType().add(Tables.USER_ID, DataTypes.IntegerType, false)
                .add("age", DataTypes.DoubleType).add("region", DataTypes.StringType)
                .add("premium", DataTypes.BooleanType).add("activity", DataTypes.DoubleType);
        StructType itemSchema = new StructType().add(Tables.ITEM_ID, DataTypes.IntegerType, false)
                .add("genre", DataTypes.StringType).add("price", DataTypes.DoubleType)
                .add("popularity", DataTypes.DoubleType)
                .add("tags", DataTypes.createArrayType(DataTypes.DoubleType));
        StructType ratingSchema = new StructType().add(Tables.USER_ID, DataTypes.IntegerType, false)
                .add(Tables.ITEM_ID, DataTypes.IntegerType, false).add(Tables.RATING, DataTypes.DoubleType, false)
                .add("timestamp", DataTypes.LongType);
        return new SampleTables(spark.createDataFrame(userRows, userSchema),
                spark.createDataFrame(itemRows, itemSchema),
                spark.createDataFrame(ratingRows, ratingSchema));
    }

    private static void fill(Random random, double[] v) {
        for (int k = 0; k < v.length; k++) {
            v[k] = random.nextGaussian();
        }
    }
}
