package io.neuralrate.job;

import io.neuralrate.data.FeatureAssembly;
import io.neuralrate.data.FeatureJoin;
import io.neuralrate.data.IdIndexerModel;
import io.neuralrate.data.RowChecks;
import io.neuralrate.data.Tables;
import io.neuralrate.ml.MlpRegressionModel;
import io.neuralrate.ml.MlpRegressor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/**
 * The nightly training run: read the tables, join, split off a holdout, fit feature assembly +
 * {@link MlpRegressor} as one pipeline, evaluate, and write the model, the holdout predictions,
 * {@code metrics.json} and the training curve atomically under the run date.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {}

    /**
     * The joined training and holdout rows and the feature assembly planned for them.
     *
     * @param train training rows (ratings joined with features), cached
     * @param test holdout rows, cached
     * @param trainRows rows in {@code train}
     * @param testRows rows in {@code test}
     * @param assembly feature assembly stages and the columns they use
     * @param ratingCount rows of the ratings table
     * @param missingFeatures ratings without user features, and without item features
     * @param skipped rows dropped as invalid per table (input.invalid-rows = skip)
     * @param preparationSeconds wall time of each preparation stage, in order
     */
    public record TrainingData(Dataset<Row> train, Dataset<Row> test, long trainRows, long testRows,
                               FeatureAssembly assembly, long ratingCount, long[] missingFeatures,
                               Map<String, Long> skipped, Map<String, Double> preparationSeconds) {
        /** Releases the cached rows. */
        public void unpersist() {
            train.unpersist(true);
            test.unpersist(true);
        }
    }

    /**
     * Runs the job.
     *
     * @param spark the session
     * @param config job configuration
     * @param runDate the run's date (output folder name)
     * @return the committed output folder
     */
    public static String run(SparkSession spark, JobConfig config, String runDate) {
        long start = System.nanoTime();
        TrainingData data = prepare(spark, config);
        long fitStart = System.nanoTime();
        PipelineModel model = fit(config, data);
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        MlpRegressionModel mlp = mlpOf(model);

        Dataset<Row> predictions = score(model, data.test(), List.of(Tables.USER_ID, Tables.ITEM_ID, Tables.RATING))
                .cache();
        Map<String, Object> metrics = evaluate(predictions, data.train(), mlp.getPredictionCol());
        metrics.put("run_date", runDate);
        metrics.put("rows", Map.of("ratings", data.ratingCount(), "training", data.trainRows(), "holdout",
                data.testRows(), "predictions", predictions.count(), "without_user_features",
                data.missingFeatures()[0], "without_item_features", data.missingFeatures()[1],
                "skipped_invalid", data.skipped()));
        metrics.put("features", data.assembly().featureColumns());
        metrics.put("embedding_columns", data.assembly().embeddingColumns());
        metrics.put("training", Map.of("epochs", mlp.summary().totalEpochs(), "best_epoch",
                mlp.summary().bestEpoch(), "stopped_early", mlp.summary().stoppedEarly(), "workers",
                mlp.summary().workers(), "network", mlp.networkSpec().toString()));
        metrics.put("history", MetricsReport.history(mlp.summary()));

        String output = OutputLayout.writeAtomically(spark.sparkContext().hadoopConfiguration(),
                config.string("output.root"), runDate, out -> {
                    model.write().save(out.staged("model"));
                    predictions.write().parquet(out.staged("predictions"));
                    Map<String, Object> timings = new LinkedHashMap<>();
                    timings.put("preparation_seconds", data.preparationSeconds());
                    timings.put("fit_seconds", fitSeconds);
                    timings.put("training_rows_packing_seconds", mlp.summary().packingSeconds());
                    timings.put("training_epochs_seconds", Arrays.stream(mlp.summary().epochSeconds()).sum());
                    timings.put("total_seconds", (System.nanoTime() - start) / 1e9);
                    metrics.put("timings", timings);
                    MetricsReport.writeJson(out.fileSystem(), out.staged("metrics.json"), metrics);
                    MetricsReport.writeCurve(out.fileSystem(), out.staged("training-curve.png"), mlp.summary());
                });
        LOG.info("Holdout RMSE {} (mean predictor {}), MAE {}, R2 {}; output in {}", metrics.get("rmse"),
                metrics.get("mean_predictor_rmse"), metrics.get("mae"), metrics.get("r2"), output);
        predictions.unpersist(true); // blocking: removals still under way when the job ends log errors
        data.unpersist();
        return output;
    }

    /**
     * Reads the configured tables, joins ratings with features, plans the feature assembly and
     * sets the holdout aside ({@code input.test-ratings}, or a seeded random share).
     *
     * @param spark the session
     * @param config job configuration
     * @return the prepared rows
     */
    public static TrainingData prepare(SparkSession spark, JobConfig config) {
        StageTimings timings = new StageTimings();
        Dataset<Row> users = Tables.read(spark, "users", config.string("input.users"));
        Dataset<Row> items = Tables.read(spark, "items", config.string("input.items"));
        Dataset<Row> ratings = Tables.read(spark, "ratings", config.string("input.ratings"));
        Tables.requireColumn(ratings, "ratings", Tables.RATING, true);
        long ratingCount = timings.time("count_ratings", ratings::count);
        if (ratingCount == 0) {
            throw new IllegalArgumentException("The ratings table at " + config.string("input.ratings") + " is empty");
        }
        Map<String, Long> skipped = new LinkedHashMap<>();
        Dataset<Row> checkedRatings = timings.time("check_ratings", () -> checkRatings(ratings, "ratings", config,
                skipped));
        Set<String> exclude = new HashSet<>(config.strings("features.exclude"));
        exclude.add(Tables.USER_ID);
        exclude.add(Tables.ITEM_ID);
        exclude.add(Tables.RATING);
        FeatureAssembly assembly = timings.time("plan_features", () -> FeatureAssembly.plan(
                FeatureJoin.join(checkedRatings, users, items), exclude, config.strings("features.columns"),
                config.flag("features.standardize"), config.flag("features.id-embeddings")));
        boolean skip = skipInvalid(config);
        RowChecks.Outcome validUsers = timings.time("check_users", () -> RowChecks.check(users, "users",
                List.of(Tables.USER_ID), assembly.featureColumns(), null, 0, 0, skip));
        RowChecks.Outcome validItems = timings.time("check_items", () -> RowChecks.check(items, "items",
                List.of(Tables.ITEM_ID), assembly.featureColumns(), null, 0, 0, skip));
        skipped.put("users", validUsers.skipped());
        skipped.put("items", validItems.skipped());
        Dataset<Row> validUserRows = validUsers.skipped() > 0 ? validUsers.valid() : users;
        Dataset<Row> validItemRows = validItems.skipped() > 0 ? validItems.valid() : items;
        long[] missing = timings.time("count_missing_features", () -> FeatureJoin.missingFeatures(checkedRatings,
                validUserRows, validItemRows));
        Dataset<Row> joined = FeatureJoin.join(checkedRatings, validUserRows, validItemRows);
        if (!assembly.featureColumns().isEmpty() && (missing[0] > 0 || missing[1] > 0)) {
            // Rows without features cannot be assembled; the nightly job reports and skips them.
            LOG.warn("{} ratings have no user features and {} no item features; they are left out of training",
                    missing[0], missing[1]);
            joined = joined.na().drop(assembly.featureColumns().toArray(new String[0]));
        }
        Dataset<Row> train;
        Dataset<Row> test;
        String testRatings = config.string("input.test-ratings");
        if (testRatings.isEmpty()) {
            double testFraction = config.number("split.test-fraction");
            Dataset<Row>[] split = joined.randomSplit(new double[] {1 - testFraction, testFraction},
                    config.longValue("split.seed"));
            train = split[0].cache();
            test = split[1].cache();
        } else {
            Dataset<Row> heldOut = Tables.read(spark, "test-ratings", testRatings);
            Tables.requireColumn(heldOut, "test-ratings", Tables.RATING, true);
            heldOut = checkRatings(heldOut, "test-ratings", config, skipped);
            train = joined.cache();
            test = FeatureJoin.join(heldOut, validUserRows, validItemRows).cache();
        }
        long trainRows = timings.time("join_and_cache_training_rows", train::count);
        long testRows = timings.time("join_and_cache_holdout_rows", test::count);
        return new TrainingData(train, test, trainRows, testRows, assembly, ratingCount, missing, skipped,
                timings.seconds());
    }

    private static boolean skipInvalid(JobConfig config) {
        String policy = config.string("input.invalid-rows");
        if (!policy.equals("fail") && !policy.equals("skip")) {
            throw new IllegalArgumentException("input.invalid-rows must be fail or skip, got '" + policy + "'");
        }
        return policy.equals("skip");
    }

    /** Ids and rating present and finite, the rating within model.rating-range (when set). */
    private static Dataset<Row> checkRatings(Dataset<Row> ratings, String table, JobConfig config,
                                             Map<String, Long> skipped) {
        List<Double> range = config.numbers("model.rating-range");
        RowChecks.Outcome outcome = RowChecks.check(ratings, table, List.of(Tables.USER_ID, Tables.ITEM_ID),
                List.of(Tables.USER_ID, Tables.ITEM_ID, Tables.RATING), range.size() == 2 ? Tables.RATING : null,
                range.size() == 2 ? range.get(0) : 0, range.size() == 2 ? range.get(1) : 0, skipInvalid(config));
        skipped.put(table, outcome.skipped());
        return outcome.valid();
    }

    /**
     * Fits feature assembly + the configured {@link MlpRegressor} as one pipeline.
     *
     * @param config job configuration (its {@code model} section)
     * @param data the prepared rows
     * @return the fitted pipeline; its last stage is the {@link MlpRegressionModel}
     */
    public static PipelineModel fit(JobConfig config, TrainingData data) {
        List<PipelineStage> stages = new ArrayList<>(data.assembly().stages());
        stages.add(JobModels.regressor(config, data.assembly()));
        return new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(data.train());
    }

    /**
     * The rating model of a fitted job pipeline.
     *
     * @param model a pipeline from {@link #fit}
     * @return its last stage
     * @throws IllegalArgumentException if that stage is not an {@link MlpRegressionModel}
     */
    public static MlpRegressionModel mlpOf(PipelineModel model) {
        Transformer[] stages = model.stages();
        if (stages.length == 0 || !(stages[stages.length - 1] instanceof MlpRegressionModel)) {
            throw new IllegalArgumentException("Not a NeuralRate job model: its last stage is "
                    + (stages.length == 0 ? "missing" : stages[stages.length - 1].getClass().getName())
                    + ", not an MlpRegressionModel");
        }
        return (MlpRegressionModel) stages[stages.length - 1];
    }

    /**
     * Scores rows with a fitted job pipeline, carrying only the columns the caller keeps. The rating
     * model scores each partition in batches, a step Spark's optimizer cannot see into, so every
     * column that reaches it would travel through its embedding-table joins (shuffles, when the
     * tables are large); the feature stages run first and only the kept columns and the model's
     * inputs go on.
     *
     * @param model a pipeline from {@link #fit} (or loaded)
     * @param rows the rows to score (with the columns the feature stages read)
     * @param keep the columns to return besides the prediction
     * @return {@code keep} and the prediction column
     */
    public static Dataset<Row> score(PipelineModel model, Dataset<Row> rows, List<String> keep) {
        Transformer[] stages = model.stages();
        MlpRegressionModel mlp = mlpOf(model);
        Set<String> needed = new LinkedHashSet<>(keep);
        if (mlp.numFeatures() > 0) {
            needed.add(mlp.getFeaturesCol());
        }
        // A model keyed by id looks its table rows up by the ids themselves, not by the indexers' output.
        needed.addAll(Arrays.asList(mlp.getEmbeddingIdCols().length > 0 ? mlp.getEmbeddingIdCols()
                : mlp.getEmbeddingCols()));
        Dataset<Row> prepared = rows;
        for (int i = 0; i < stages.length - 1; i++) {
            if (!unread(stages, i, needed, prepared.schema())) {
                prepared = stages[i].transform(prepared);
            }
        }
        List<String> output = new ArrayList<>(keep);
        output.add(mlp.getPredictionCol());
        return mlp.transform(prepared.select(columns(needed))).select(columns(output));
    }

    /**
     * Whether stage {@code i} is an id indexer whose index column nothing after it reads. With
     * handleInvalid "keep" it neither drops nor fails a row, so leaving it out changes no result and
     * saves its join with the id table (a broadcast or a shuffle of the rows, growing with the ids).
     */
    private static boolean unread(Transformer[] stages, int i, Set<String> needed, StructType schema) {
        if (!(stages[i] instanceof IdIndexerModel indexer) || !"keep".equals(indexer.getHandleInvalid())
                || needed.contains(indexer.getOutputCol())) {
            return false;
        }
        try { // the later feature stages check their input columns: they pass without this one
            StructType after = schema;
            for (int j = i + 1; j < stages.length - 1; j++) {
                after = stages[j].transformSchema(after);
            }
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Column[] columns(Collection<String> names) {
        return names.stream().map(n -> col(Tables.quoted(n))).toArray(Column[]::new);
    }

    /**
     * Holdout metrics: RMSE, MAE and R² of the scored rows (NaN predictions left out), and the RMSE
     * of predicting the training mean.
     *
     * @param predictions holdout rows with the rating and a prediction column
     * @param train the training rows (for their mean rating)
     * @param predictionCol the prediction column
     * @return metric name to value
     */
    public static Map<String, Object> evaluate(Dataset<Row> predictions, Dataset<Row> train, String predictionCol) {
        Map<String, Object> metrics = new LinkedHashMap<>();
        Dataset<Row> scored = predictions.filter("NOT isnan(" + predictionCol + ")");
        RegressionEvaluator evaluator = new RegressionEvaluator().setLabelCol(Tables.RATING)
                .setPredictionCol(predictionCol);
        for (String metric : new String[] {"rmse", "mae", "r2"}) {
            metrics.put(metric, evaluator.setMetricName(metric).evaluate(scored));
        }
        double mean = train.selectExpr("avg(" + Tables.RATING + ")").first().getDouble(0);
        metrics.put("mean_predictor_rmse", predictions.selectExpr(
                "sqrt(avg(pow(" + Tables.RATING + " - " + mean + ", 2)))").first().getDouble(0));
        return metrics;
    }
}
