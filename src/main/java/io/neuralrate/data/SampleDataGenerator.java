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
 *
 * <p>Self-selection: in real explicit-rating data, users rate what they chose, so high ratings are
 * observed more often than the population of pairs would give. With {@code selfSelection} s &gt; 0 a
 * drawn (user, item, rating) is kept with probability {@code exp(s * (rating - 5))} (1 for a 5,
 * {@code exp(-4s)} for a 1), else the row draws again; each rating then carries that probability as
 * {@code propensity}, so a model can weight rows by {@code 1 / propensity} (inverse propensity
 * weighting, {@code weightCol}). {@link #randomPairs} draws pairs from the same distribution without
 * selection, with their ratings: the population a recommender actually scores.
 */
public final class SampleDataGenerator {
    private static final String[] REGIONS = {"north", "south", "east", "west"};
    private static final String[] GENRES = {"drama", "comedy", "action", "documentary", "horror"};
    private static final int TASTE = 4;
    private static final long USERS = 1;
    private static final long ITEMS = 2;
    private static final long RATINGS = 3;
    private static final long RANDOM_PAIRS = 4;
    /** Draws of a self-selected rating before the last one is kept whatever its rating. */
    private static final int MAX_DRAWS = 100_000;
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
    private static final StructType SELECTED_RATING_SCHEMA = RATING_SCHEMA.add("propensity", DataTypes.DoubleType, false);
    private static final StructType PAIR_SCHEMA = new StructType()
            .add(Tables.USER_ID, DataTypes.IntegerType, false)
            .add(Tables.ITEM_ID, DataTypes.IntegerType, false)
            .add(Tables.RATING, DataTypes.DoubleType, false);

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
        return generate(spark, users, items, ratings, seed, 0);
    }

    /**
     * Defines the tables, with self-selected ratings when {@code selfSelection} is above 0 (see the
     * class comment); 0 gives exactly the tables of {@link #generate(SparkSession, int, int, long, long)}.
     *
     * @param spark the session
     * @param users number of users, ids {@code 1..users}
     * @param items number of items, ids {@code 1..items}
     * @param ratings number of ratings (distinct user-item pairs are not enforced)
     * @param seed random seed
     * @param selfSelection how strongly observation favours high ratings, in [0, 3]
     * @return the tables; the ratings have a {@code propensity} column when {@code selfSelection > 0}
     */
    public static SampleTables generate(SparkSession spark, int users, int items, long ratings, long seed,
                                        double selfSelection) {
        check(users, items, ratings);
        if (!(selfSelection >= 0 && selfSelection <= 3)) {
            throw new IllegalArgumentException("selfSelection must be in [0, 3], got " + selfSelection);
        }
        return new SampleTables(
                table(spark, users, USER_SCHEMA, u -> user(seed, u.intValue())),
                table(spark, items, ITEM_SCHEMA, i -> item(seed, i.intValue())),
                selfSelection > 0
                        ? table(spark, ratings, SELECTED_RATING_SCHEMA, r -> rating(seed, RATINGS, r, users, items,
                                selfSelection, true))
                        : table(spark, ratings, RATING_SCHEMA, r -> rating(seed, RATINGS, r, users, items, 0, false)));
    }

    /**
     * Pairs drawn like the ratings but without self-selection, with their ratings ({@code user_id,
     * item_id, rating}): a test table for models trained on self-selected ratings.
     *
     * @param spark the session
     * @param users number of users (as given to {@link #generate})
     * @param items number of items (as given to {@link #generate})
     * @param pairs number of pairs
     * @param seed random seed (as given to {@link #generate}; the pairs are drawn apart from the ratings)
     * @return the pairs
     */
    public static Dataset<Row> randomPairs(SparkSession spark, int users, int items, long pairs, long seed) {
        check(users, items, pairs);
        return table(spark, pairs, PAIR_SCHEMA, r -> {
            Row full = rating(seed, RANDOM_PAIRS, r, users, items, 0, false);
            return RowFactory.create(full.get(0), full.get(1), full.get(2));
        });
    }

    private static void check(int users, int items, long rows) {
        if (users < 1 || items < 1 || rows < 0) {
            throw new IllegalArgumentException("Sample data needs at least one user and one item and no negative "
                    + "row count; got users=" + users + ", items=" + items + ", rows=" + rows);
        }
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

    private static Row rating(long seed, long table, long index, int users, int items, double selfSelection,
                              boolean withPropensity) {
        SplittableRandom random = new SplittableRandom(mix(seed, table, index));
        for (int draw = 1; ; draw++) {
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
            long timestamp = 1_600_000_000L + random.nextInt(365) * DAY;
            if (!withPropensity) {
                return RowFactory.create(u + 1, i + 1, rating, timestamp);
            }
            double propensity = Math.exp(selfSelection * (rating - 5));
            if (draw == MAX_DRAWS || random.nextDouble() < propensity) {
                return RowFactory.create(u + 1, i + 1, rating, timestamp, propensity);
            }
        }
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
