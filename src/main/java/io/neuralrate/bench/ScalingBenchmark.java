package io.neuralrate.bench;

import io.neuralrate.data.Tables;
import io.neuralrate.job.JobConfig;
import io.neuralrate.job.MetricsReport;
import io.neuralrate.job.OutputLayout;
import io.neuralrate.job.TrainJob;
import io.neuralrate.ml.EpochSummary;
import io.neuralrate.ml.MlpRegressionModel;
import io.neuralrate.ml.MlpTrainingSummary;
import io.neuralrate.nn.OptimizerKind;
import io.neuralrate.nn.ParamEnum;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Trains the job's model once per requested worker count, on the same data and settings, in one
 * Spark application, and reports holdout RMSE (accuracy parity) next to where the time goes:
 * epoch time, rounds, the per-round distribution overhead and the bytes moved per round.
 * Writes {@code scaling.json} and {@code scaling.md} under {@code <output.root>/scaling/<run-date>}.
 */
final class ScalingBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(ScalingBenchmark.class);

    private ScalingBenchmark() {}

    /** Sums the result bytes of every finished task while installed. */
    private static final class ResultBytes extends SparkListener {
        final AtomicLong bytes = new AtomicLong();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.taskMetrics() != null) {
                bytes.addAndGet(end.taskMetrics().resultSize());
            }
        }
    }

    static String run(SparkSession spark, JobConfig config, String runDate, int[] workerCounts) {
        TrainJob.TrainingData data = TrainJob.prepare(spark, config);
        List<Map<String, Object>> rows = new ArrayList<>();
        double baseline = Double.NaN;
        for (int workers : workerCounts) {
            JobConfig run = config.with("model.num-workers", workers);
            ResultBytes listener = new ResultBytes();
            spark.sparkContext().addSparkListener(listener);
            long start = System.nanoTime();
            PipelineModel model;
            try {
                model = TrainJob.fit(run, data);
            } finally {
                spark.sparkContext().removeSparkListener(listener);
            }
            double fitSeconds = (System.nanoTime() - start) / 1e9;
            MlpRegressionModel mlp = TrainJob.mlpOf(model);
            Dataset<Row> predictions = TrainJob.score(model, data.test(), List.of(Tables.RATING));
            double rmse = (double) TrainJob.evaluate(predictions, data.train(), mlp.getPredictionCol()).get("rmse");
            if (rows.isEmpty()) {
                baseline = rmse;
            }
            rows.add(row(mlp, rmse, baseline, fitSeconds, listener.bytes.get(),
                    ParamEnum.parse(OptimizerKind.class, "optimizer", mlp.getOptimizer()).slots()));
            LOG.info("scaling: {}", rows.get(rows.size() - 1));
        }
        String markdown = markdown(rows, config);
        System.out.println(markdown);
        String out = OutputLayout.writeAtomically(spark.sparkContext().hadoopConfiguration(),
                config.string("output.root") + "/scaling", runDate, layout -> {
                    Map<String, Object> json = new LinkedHashMap<>();
                    json.put("run_date", runDate);
                    json.put("master", spark.sparkContext().master());
                    json.put("input_ratings", config.string("input.ratings"));
                    json.put("runs", rows);
                    MetricsReport.writeJson(layout.fileSystem(), layout.staged("scaling.json"), json);
                    MetricsReport.writeText(layout.fileSystem(), layout.staged("scaling.md"), markdown);
                });
        data.unpersist();
        return out;
    }

    private static Map<String, Object> row(MlpRegressionModel mlp, double rmse, double baseline, double fitSeconds,
                                           long resultBytes, int optimizerSlots) {
        MlpTrainingSummary summary = mlp.summary();
        List<EpochSummary> history = summary.history();
        int rounds = history.stream().mapToInt(EpochSummary::rounds).sum();
        long stateBytes = 4L * mlp.networkSpec().parameterCount() * (1 + optimizerSlots);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("workers", summary.workers());
        row.put("test_rmse", rmse);
        row.put("rmse_vs_first", rmse / baseline - 1);
        row.put("epochs", summary.totalEpochs());
        row.put("best_epoch", summary.bestEpoch());
        row.put("fit_seconds", fitSeconds);
        row.put("median_epoch_seconds",
                Stats.median(history.stream().mapToDouble(EpochSummary::roundSeconds).toArray()));
        row.put("median_samples_per_second", Stats.median(summary.samplesPerSecond()));
        row.put("rounds_per_epoch", history.isEmpty() ? 0 : history.get(0).rounds());
        row.put("median_overhead_per_round_seconds",
                Stats.median(history.stream().mapToDouble(EpochSummary::overheadPerRound).toArray()));
        row.put("state_bytes", stateBytes);
        // Down: the whole state is broadcast to every worker; up: each worker returns its dense tensors and the
        // embedding rows it looked up, as task results (measured, not derived).
        row.put("broadcast_bytes_per_round", stateBytes * summary.workers());
        row.put("measured_result_bytes_per_round", rounds == 0 ? 0 : resultBytes / rounds);
        return row;
    }

    private static String markdown(List<Map<String, Object>> rows, JobConfig config) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Ratings: %s (holdout: %s); batch %d, syncInterval %d%n%n",
                config.string("input.ratings"), config.string("input.test-ratings").isEmpty()
                        ? "random " + config.number("split.test-fraction") : config.string("input.test-ratings"),
                config.integer("model.batch-size"), config.integer("model.sync-interval")));
        md.append("| workers | test RMSE | vs first | epochs (best) | epoch s (median) | samples/s | rounds/epoch "
                + "| overhead/round ms | broadcast KB/round | result KB/round |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Map<String, Object> r : rows) {
            md.append(String.format(Locale.ROOT, "| %d | %.4f | %+.2f%% | %d (%d) | %.3f | %.0f | %d | %.1f | %.1f | %.1f |%n",
                    (int) r.get("workers"), (double) r.get("test_rmse"), 100 * (double) r.get("rmse_vs_first"),
                    (int) r.get("epochs"), (int) r.get("best_epoch"), (double) r.get("median_epoch_seconds"),
                    (double) r.get("median_samples_per_second"), (int) r.get("rounds_per_epoch"),
                    1000 * (double) r.get("median_overhead_per_round_seconds"),
                    (long) r.get("broadcast_bytes_per_round") / 1024.0,
                    (long) r.get("measured_result_bytes_per_round") / 1024.0));
        }
        return md.toString();
    }
}
