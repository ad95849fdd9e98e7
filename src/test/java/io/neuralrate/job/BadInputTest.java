package io.neuralrate.job;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input tables: each case fails with a message naming the table, the column and a value, or,
 * under {@code input.invalid-rows = skip}, drops and counts the rows.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static SparkSession spark;

    private static final StructType USERS = new StructType().add("user_id", DataTypes.IntegerType)
            .add("age", DataTypes.DoubleType).add("country", DataTypes.StringType);
    private static final StructType ITEMS = new StructType().add("item_id", DataTypes.IntegerType)
            .add("price", DataTypes.DoubleType);
    private static final StructType RATINGS = new StructType().add("user_id", DataTypes.IntegerType)
            .add("item_id", DataTypes.IntegerType).add("rating", DataTypes.DoubleType);

    @BeforeAll
    static void tables() {
        spark = SparkTestSupport.spark();
        List<Row> users = new ArrayList<>();
        for (int u = 0; u < 30; u++) {
            users.add(RowFactory.create(u, 20.0 + u, u % 2 == 0 ? "de" : "fr"));
        }
        List<Row> items = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            items.add(RowFactory.create(i, 1.0 + i));
        }
        Random random = new Random(3);
        List<Row> ratings = new ArrayList<>();
        for (int r = 0; r < 300; r++) {
            ratings.add(RowFactory.create(random.nextInt(30), random.nextInt(20), 1.0 + random.nextInt(5)));
        }
        write("users", users, USERS);
        write("items", items, ITEMS);
        write("ratings", ratings, RATINGS);
    }

    private static String write(String name, List<Row> rows, StructType schema) {
        String path = dir.resolve(name).toString();
        spark.createDataFrame(rows, schema).coalesce(1).write().mode("overwrite").parquet(path);
        return path;
    }

    private static List<Row> with(String table, StructType schema, Row... extra) {
        List<Row> rows = new ArrayList<>(spark.read().schema(schema).parquet(dir.resolve(table).toString())
                .collectAsList());
        rows.addAll(List.of(extra));
        return rows;
    }

    private static JobConfig config(String... overrides) {
        List<String> all = new ArrayList<>(List.of(
                "neuralrate.input.users=" + dir.resolve("users"),
                "neuralrate.input.items=" + dir.resolve("items"),
                "neuralrate.input.ratings=" + dir.resolve("ratings"),
                "neuralrate.output.root=" + dir.resolve("out"),
                "neuralrate.model.max-epochs=1"));
        for (String o : overrides) {
            all.add("neuralrate." + o);
        }
        return JobConfig.load(null, all);
    }

    private static String failure(JobConfig config) {
        return assertThrows(IllegalArgumentException.class, () -> TrainJob.prepare(spark, config)).getMessage();
    }

    private static void assertMentions(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' in: " + message);
        }
    }

    @Test
    void missingInputPath() {
        assertMentions(failure(config("input.ratings=" + dir.resolve("nowhere"))), "ratings", "nowhere",
                "does not exist");
    }

    @Test
    void missingLabelOrIdColumn() {
        String path = write("no-rating", with("ratings", RATINGS), RATINGS);
        spark.read().parquet(path).drop("rating").write().mode("overwrite").parquet(path + "-dropped");
        assertMentions(failure(config("input.ratings=" + path + "-dropped")), "ratings", "'rating'");
        spark.read().parquet(dir.resolve("users").toString()).withColumnRenamed("user_id", "uid")
                .write().mode("overwrite").parquet(dir.resolve("users-no-id").toString());
        assertMentions(failure(config("input.users=" + dir.resolve("users-no-id"))), "users", "'user_id'");
    }

    @Test
    void missingConfiguredFeatureColumn() {
        assertMentions(failure(config("features.columns=[age, height]")), "height");
    }

    @Test
    void wrongColumnType() {
        spark.read().parquet(dir.resolve("ratings").toString()).selectExpr("user_id", "item_id",
                "CAST(rating AS STRING) AS rating").write().mode("overwrite").parquet(dir.resolve("text-ratings").toString());
        assertMentions(failure(config("input.ratings=" + dir.resolve("text-ratings"))), "'rating'", "ratings",
                "numeric", "string");
    }

    @Test
    void nullAndNanRatingsFailOrAreSkippedAndCounted() {
        String path = write("nan-ratings", with("ratings", RATINGS, RowFactory.create(3, 4, Double.NaN),
                RowFactory.create(5, 6, null)), RATINGS);
        assertMentions(failure(config("input.ratings=" + path)), "ratings", "'rating'", "2 rows", "user_id=");
        TrainJob.TrainingData data = TrainJob.prepare(spark, config("input.ratings=" + path,
                "input.invalid-rows=skip"));
        assertEquals(2L, data.skipped().get("ratings"));
        assertEquals(300L, data.train().count() + data.test().count());
        data.unpersist();
    }

    @Test
    void ratingsOutsideTheConfiguredRange() {
        String path = write("range-ratings", with("ratings", RATINGS, RowFactory.create(3, 4, 7.0)), RATINGS);
        assertMentions(failure(config("input.ratings=" + path)), "ratings", "'rating'", "outside [1.0, 5.0]",
                "rating=7.0");
    }

    @Test
    void nanFeatureNamesTableColumnAndId() {
        String path = write("nan-users", with("users", USERS, RowFactory.create(99, Double.NaN, "de")), USERS);
        assertMentions(failure(config("input.users=" + path)), "users", "'age'", "user_id=99");
    }

    @Test
    void duplicateIdsInAFeatureTable() {
        String path = write("dup-items", with("items", ITEMS, RowFactory.create(7, 3.0)), ITEMS);
        assertMentions(failure(config("input.items=" + path)), "items", "duplicate item_id 7");
    }

    @Test
    void ratingsWithoutFeaturesAreCounted() {
        String path = write("unknown-ratings", with("ratings", RATINGS, RowFactory.create(500, 1, 4.0),
                RowFactory.create(1, 600, 2.0)), RATINGS);
        TrainJob.TrainingData data = TrainJob.prepare(spark, config("input.ratings=" + path));
        assertEquals(1L, data.missingFeatures()[0]);
        assertEquals(1L, data.missingFeatures()[1]);
        // Scored like unknown entities: training-mean features, unknown embeddings, a finite prediction.
        org.apache.spark.ml.PipelineModel model = TrainJob.fit(config("input.ratings=" + path), data);
        Dataset<Row> pairs = spark.createDataFrame(List.of(RowFactory.create(500, 1, 4.0),
                RowFactory.create(1, 600, 2.0)), RATINGS);
        Dataset<Row> joined = io.neuralrate.data.FeatureJoin.join(pairs, spark.read().parquet(dir.resolve("users")
                .toString()), spark.read().parquet(dir.resolve("items").toString()));
        for (Row r : model.transform(joined).select("prediction").collectAsList()) {
            assertTrue(Double.isFinite(r.getDouble(0)), "finite prediction without features: " + r);
        }
        data.unpersist();
    }

    @Test
    void emptyRatingsTable() {
        String path = write("empty", List.of(), RATINGS);
        assertMentions(failure(config("input.ratings=" + path)), "ratings", "empty");
    }

    @Test
    void corruptParquetFile() throws Exception {
        String path = write("corrupt", with("ratings", RATINGS), RATINGS);
        try (Stream<Path> files = Files.list(Path.of(path))) {
            Path part = files.filter(p -> p.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(part);
            Files.write(part, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        }
        assertMentions(failure(config("input.ratings=" + path)), "ratings", path);
    }

    @Test
    void invalidPolicyValue() {
        assertMentions(failure(config("input.invalid-rows=ignore")), "input.invalid-rows", "ignore");
    }

    @Test
    void predictInputsThatDoNotMatchTheModelAndDamagedModelFolders() throws Exception {
        String output = TrainJob.run(spark, config(), "2026-04-01");
        Path model = Path.of(java.net.URI.create(output)).resolve("model");
        JobConfig noPrice = config("input.items=" + write("items-no-price",
                with("items", ITEMS).stream().map(r -> RowFactory.create(r.get(0), r.get(1))).toList(),
                new StructType().add("item_id", DataTypes.IntegerType).add("cost", DataTypes.DoubleType)));
        assertMentions(assertThrows(IllegalArgumentException.class, () -> PredictJob.run(spark, noPrice,
                model.toString(), dir.resolve("ratings").toString(), dir.resolve("scores").toString(), "2026-04-01"))
                .getMessage(), "do not match", "price");

        Path network = JobProcess.networkFile(model);
        // Without Hadoop's local .crc sidecar (object stores have none), so NeuralRate's own CRC must catch it.
        Files.deleteIfExists(network.resolveSibling(".network.nrmlp.crc"));
        byte[] original = Files.readAllBytes(network);
        byte[] tampered = original.clone();
        tampered[tampered.length / 2] ^= 0x10;
        Files.write(network, tampered);
        assertMentions(predictFailure(model), "Cannot load the model", "network.nrmlp", "checksum");
        Files.write(network, java.util.Arrays.copyOf(original, original.length / 3));
        assertMentions(predictFailure(model), "Cannot load the model", "network.nrmlp");
        Files.delete(network);
        assertMentions(predictFailure(model), "Cannot load the model", model.toString());
    }

    private static String predictFailure(Path model) {
        return assertThrows(IllegalArgumentException.class, () -> PredictJob.run(spark, config(), model.toString(),
                dir.resolve("ratings").toString(), dir.resolve("scores").toString(), "2026-04-01")).getMessage();
    }
}
