package io.neuralrate.job;

import io.neuralrate.data.FeatureAssembly;
import io.neuralrate.data.FeatureJoin;
import io.neuralrate.data.Tables;
import io.neuralrate.ml.MlpRegressionModel;
import io.neuralrate.ml.MlpRegressor;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.evaluation.RegressionEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The nightly training run: read the tables, join, split off a holdout, fit feature assembly +
 * {@link MlpRegressor} as one pipeline, evaluate, and write the model, the holdout predictions,
 * {@code metrics.json} and the training curve atomically under the run date.
 */
public final class TrainJob {
    private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

    private TrainJob() {}

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
        Dataset<Row> users = Tables.read(spark, "users", config.string("input.users"));
        Dataset<Row> items = Tables.read(spark, "items", config.string("input.items"));
        Dataset<Row> ratings = Tables.read(spark, "ratings", config.string("input.ratings"));
        Tables.requireColumn(ratings, "ratings", Tables.RATING, true);
        long ratingCount = ratings.count();
        if (ratingCount == 0) {
            throw new IllegalArgumentException("The ratings table at " + config.string("input.ratings") + " is empty");
        }
        long[] missing = FeatureJoin.missingFeatures(ratings, users, items);
        Dataset<Row> joined = FeatureJoin.join(ratings, users, items);

        Set<String> exclude = new HashSet<>(config.strings("features.exclude"));
        exclude.add(Tables.USER_ID);
        exclude.add(Tables.ITEM_ID);
        exclude.add(Tables.RATING);
        FeatureAssembly assembly = FeatureAssembly.plan(joined, exclude, config.strings("features.columns"),
                config.flag("features.standardize"), config.flag("features.id-embeddings"));
        if (!assembly.featureColumns().isEmpty() && (missing[0] > 0 || missing[1] > 0)) {
            // Rows without features cannot be assembled; the nightly job reports and skips them.
            LOG.warn("{} ratings have no user features and {} no item features; they are left out of training",
                    missing[0], missing[1]);
            joined = joined.na().drop(assembly.featureColumns().toArray(new String[0]));
        }
        double testFraction = config.number("split.test-fraction");
        Dataset<Row>[] split = joined.randomSplit(new double[] {1 - testFraction, testFraction},
                config.longValue("split.seed"));
        Dataset<Row> train = split[0].cache();
        Dataset<Row> test = split[1].cache();

        MlpRegressor regressor = JobModels.regressor(config, assembly);
        List<PipelineStage> stages = new ArrayList<>(assembly.stages());
        stages.add(regressor);
        long fitStart = System.nanoTime();
        PipelineModel model = new Pipeline().setStages(stages.toArray(new PipelineStage[0])).fit(train);
        double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
        MlpRegressionModel mlp = (MlpRegressionModel) model.stages()[model.stages().length - 1];

        Dataset<Row> predictions = model.transform(test).select(Tables.USER_ID, Tables.ITEM_ID, Tables.RATING,
                mlp.getPredictionCol()).cache();
        Map<String, Object> metrics = evaluate(predictions, train, mlp.getPredictionCol());
        metrics.put("run_date", runDate);
        metrics.put("rows", Map.of("ratings", ratingCount, "training", train.count(), "holdout", test.count(),
                "predictions", predictions.count(), "without_user_features", missing[0],
                "without_item_features", missing[1]));
        metrics.put("features", assembly.featureColumns());
        metrics.put("embedding_columns", assembly.embeddingColumns());
        metrics.put("training", Map.of("epochs", mlp.summary().totalEpochs(), "best_epoch",
                mlp.summary().bestEpoch(), "stopped_early", mlp.summary().stoppedEarly(), "workers",
                mlp.summary().workers(), "network", mlp.networkSpec().toString()));
        metrics.put("history", MetricsReport.history(mlp.summary()));

        OutputLayout out = OutputLayout.begin(spark.sparkContext().hadoopConfiguration(),
                config.string("output.root"), runDate);
        try {
            model.write().save(out.staged("model"));
            predictions.write().parquet(out.staged("predictions"));
            Map<String, Object> timings = new LinkedHashMap<>();
            timings.put("fit_seconds", fitSeconds);
            timings.put("total_seconds", (System.nanoTime() - start) / 1e9);
            metrics.put("timings", timings);
            MetricsReport.writeJson(out.fileSystem(), out.staged("metrics.json"), metrics);
            MetricsReport.writeCurve(out.fileSystem(), out.staged("training-curve.png"), mlp.summary());
            out.commit();
        } catch (Exception e) {
            out.abort();
            throw e instanceof RuntimeException ? (RuntimeException) e : new RuntimeException(e);
        }
        LOG.info("Holdout RMSE {} (mean predictor {}), MAE {}, R2 {}; output in {}", metrics.get("rmse"),
                metrics.get("mean_predictor_rmse"), metrics.get("mae"), metrics.get("r2"), out.finalPath());
        train.unpersist();
        test.unpersist();
        return out.finalPath();
    }

    private static Map<String, Object> evaluate(Dataset<Row> predictions, Dataset<Row> train, String predictionCol) {
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
