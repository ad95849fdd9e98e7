package io.neuralrate.data;

import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;


import java.util.SplittableRandom;

/**
 * Synthetic users, items and ratings with planted structure, deterministic by seed. Each user and
 * item has a hidden taste vector; the visible features are noisy functions of it (numeric,
 * boolean, categorical string and an array), and a rating is a clipped function of the tastes'
 * agreement, per-user and per-item biases and noise. A model that uses the features, and one
 * that also learns id embeddings, can therefore both beat the mean.
 *
 * <p>Every row is a pure function of (seed, table, row number): its random numbers come from a
 * generator seeded by those three, and a rating recomputes the tastes of its user and item from
 * their ids. So the rows are generated on the executors, nothing is held on the driver whatever
 * the size, and the tables do not depend on the cluster or the partitioning.
 */
public final class SampleDataGenerator {
    private static final String[] REGIONS = {"north", "south", "east", "west"};
    private static final String[] GENRES = {"drama", "comedy", "action", "documentary", "horror"};
    private static final int TASTE = 4;
    private static final long USERS = 1;
    private static final long ITEMS = 2;
    private static final long RATINGS = 3;
    /** Rows per generated partition, hence per written Parquet file. */
    private static final long ROWS_PER_PARTITION = 1_000_000;
    private static final long DAY = 86_400L;

    private static final StructType USER_SCHEMA = new StructType()
            .add(Tables.USER_ID, DataTypes.IntegerType, false)
            .add("age", DataTypes.DoubleType).add("region", DataTypes.StringType)
            .add("premium", DataTypes.BooleanType).add("activity", DataTypes.DoubleType);
    private static final StructType ITEM_SCHEMA = new StructType()
            .add(Tables.ITEM_ID, DataTypes.IntegerType, false)
            .add("genre", DataTypes.StringType).add("price", DataTypes.DoubleType)
            .add("popularity", DataTypes.DoubleType)
            .add("tags", DataTypes.createArrayType(DataTypes.DoubleType));
    private static final StructType RATING_SCHEMA = new StructType()
            .add(Tables.USER_ID, DataTypes.IntegerType, false)
            .add(Tables.ITEM_ID, DataTypes.IntegerType, false)
            .add(Tables.RATING, DataTypes.DoubleType, false)
            .add("timestamp", DataTypes.LongType);

    private SampleDataGenerator() {}

    /** The generated tables. */
    public record SampleTables(Dataset<Row> users, Dataset<Row> items, Dataset<Row> ratings) {
    }

    /**
     * Defines the tables; they are generated on the executors when written or read, one partition
     * per million rows.
     *
     * @param spark the session
     * @param users number of users, ids {@code 1..users}
     * @param items number of items, ids {@code 1..items}
     * @param ratings number of ratings (distinct user-item pairs are not enforced)
     * @param seed random seed
     * @return the tables
     */
    public static SampleTables generate(SparkSession spark, int users, int items, long ratings, long seed) {
        if (users < 1 || items < 1 || ratings < 0) {
            throw new IllegalArgumentException("Sample data needs at least one user and one item and no negative "
                    + "rating count; got users=" + users + ", items=" + items + ", ratings=" + ratings);
        }
        return new SampleTables(
                table(spark, users, USER_SCHEMA, u -> user(seed, u.intValue())),
                table(spark, items, ITEM_SCHEMA, i -> item(seed, i.intValue())),
                table(spark, ratings, RATING_SCHEMA, r -> rating(seed, r, users, items)));
    }

    private static Dataset<Row> table(SparkSession spark, long rows, StructType schema, Function<Long, Row> row) {
        int partitions = (int) Math.max(1, (rows + ROWS_PER_PARTITION - 1) / ROWS_PER_PARTITION);
        return spark.createDataFrame(spark.range(0, rows, 1, partitions).javaRDD().map(row), schema);
    }

    /** The hidden side of a user or item: drawn first from its generator, so a rating can recompute it. */
    private record Latent(double[] taste, double bias, SplittableRandom random) {
        static Latent of(long seed, long table, int index, double biasScale) {
            SplittableRandom random = new SplittableRandom(mix(seed, table, index));
            double[] taste = new double[TASTE];
            for (int k = 0; k < TASTE; k++) {
                taste[k] = random.nextGaussian();
            }
            return new Latent(taste, biasScale * random.nextGaussian(), random);
        }
    }

    private static Latent userLatent(long seed, int index) {
        return Latent.of(seed, USERS, index, 0.4);
    }

    private static Latent itemLatent(long seed, int index) {
        return Latent.of(seed, ITEMS, index, 0.5);
    }

    private static Row user(long seed, int index) {
        Latent u = userLatent(seed, index);
        SplittableRandom random = u.random();
        double age = Math.round(35 + 12 * u.taste()[0] + 5 * random.nextGaussian());
        String region = REGIONS[Math.floorMod((int) Math.floor(u.taste()[1] * 1.5), REGIONS.length)];
        boolean premium = u.taste()[2] + 0.3 * random.nextGaussian() > 0.5;
        double activity = Math.exp(0.5 * random.nextGaussian() + 0.3 * u.bias());
        return RowFactory.create(index + 1, age, region, premium, activity);
    }

    private static Row item(long seed, int index) {
        Latent i = itemLatent(seed, index);
        SplittableRandom random = i.random();
        String genre = GENRES[Math.floorMod((int) Math.floor(i.taste()[0] * 2), GENRES.length)];
        double price = Math.round(100 * Math.exp(1 + 0.4 * i.taste()[1])) / 100.0;
        double popularity = i.bias() + 0.2 * random.nextGaussian();
        Double[] tags = new Double[3];
        for (int t = 0; t < 3; t++) {
            tags[t] = Math.round(100 * (i.taste()[(t + 2) % TASTE] + 0.3 * random.nextGaussian())) / 100.0;
        }
        // An array column of a Row built on the executors is a Java array or a Scala Seq (not a java.util.List);
        // a Java array needs no Scala collection API, which differs between Scala 2.12 and 2.13.
        return RowFactory.create(index + 1, genre, price, popularity, tags);
    }

    private static Row rating(long seed, long index, int users, int items) {
        SplittableRandom random = new SplittableRandom(mix(seed, RATINGS, index));
        // Skewed towards low ids: a few heavy users and popular items, a long tail of both.
        int u = (int) Math.floor(Math.pow(random.nextDouble(), 1.3) * users);
        int i = (int) Math.floor(Math.pow(random.nextDouble(), 1.6) * items);
        Latent user = userLatent(seed, u);
        Latent item = itemLatent(seed, i);
        double agreement = 0;
        for (int k = 0; k < TASTE; k++) {
            agreement += user.taste()[k] * item.taste()[k];
        }
        double score = 3.4 + 0.6 * agreement + user.bias() + item.bias() + 0.35 * random.nextGaussian();
        double rating = Math.max(1, Math.min(5, Math.round(score * 2) / 2.0));
        return RowFactory.create(u + 1, i + 1, rating, 1_600_000_000L + random.nextInt(365) * DAY);
    }

    /** SplitMix64's finaliser over the coordinates: neighbouring rows get unrelated generators. */
    private static long mix(long seed, long table, long index) {
        long h = seed;
        for (long c : new long[] {table, index}) {
            long z = h ^ (c + 0x9E3779B97F4A7C15L);
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            h = z ^ (z >>> 31);
        }
        return h;
    }
}
