package io.neuralrate.bench;

import io.neuralrate.job.NeuralRateCli;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/**
 * The measuring tools' {@code spark-submit} entry point, apart from the product's
 * ({@link NeuralRateCli}): {@code benchmark} (accuracy on MovieLens-100K against Spark's models),
 * {@code throughput} (samples/s against a bare DJL loop) and {@code scaling} (the same fit per
 * worker count). {@code submit.sh} sends those subcommands here. They use the public API of
 * {@code io.neuralrate.ml} and the job's data preparation; the throughput harness also drives
 * {@code io.neuralrate.nn} directly, because its baseline is the network without Spark.
 */
@Command(name = "neuralrate-bench", mixinStandardHelpOptions = true, version = "NeuralRate 0.1.0",
        description = "Measure NeuralRate: accuracy, throughput, scaling.",
        subcommands = {BenchCli.Benchmark.class, BenchCli.Throughput.class, BenchCli.Scaling.class})
public final class BenchCli implements Callable<Integer> {
    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int code = NeuralRateCli.execute(new BenchCli(), args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    @Command(name = "scaling", mixinStandardHelpOptions = true,
            description = "Train the configured model once per worker count on the same data and report holdout "
                    + "RMSE, epoch time, round overhead and bytes per round; writes "
                    + "<output.root>/scaling/<run-date>/scaling.{md,json}.")
    static final class Scaling implements Callable<Integer> {
        @Mixin
        NeuralRateCli.Common common;

        @Option(names = "--workers", split = ",", description = "worker counts, first is the reference "
                + "(default: 1,2,4)")
        int[] workers = {1, 2, 4};

        @Override
        public Integer call() {
            for (int w : workers) {
                if (w < 1) {
                    throw new IllegalArgumentException("--workers must be positive counts, got " + w);
                }
            }
            String out = ScalingBenchmark.run(NeuralRateCli.spark("scaling"), common.load(), common.runDate(), workers);
            System.out.println("Scaling report written to " + out);
            return 0;
        }
    }

    @Command(name = "benchmark", mixinStandardHelpOptions = true,
            description = "NeuralRate (features only; features + id embeddings), Spark ALS, FMRegressor, "
                    + "LinearRegression and a damped user + item bias baseline on the canonical MovieLens-100K folds: "
                    + "each tuned once on a holdout of one base fold with the same budget of fits, then fitted on "
                    + "every base fold and scored on its test fold, predictions clipped to [1, 5] for all; writes "
                    + "<output.root>/benchmark/<run-date>/movielens-100k.{md,json}.")
    static final class Benchmark implements Callable<Integer> {
        @Mixin
        NeuralRateCli.Common common;

        @Option(names = "--input", required = true, description = "the ML-100K folder (u1.base ... u5.test)")
        String input;

        @Option(names = "--folds", split = ",", description = "folds evaluated (default: 1,2,3,4,5)")
        int[] folds = {1, 2, 3, 4, 5};

        @Option(names = "--tuning-fold", description = "the fold whose base ratings tune every model; its test "
                + "set is the clean figure (default 1)")
        int tuningFold = 1;

        @Option(names = "--budget", description = "fits each model's tuning may make (default 16)")
        int budget = 16;

        @Option(names = "--max-epochs", description = "NeuralRate's epoch cap while tuning (early stopping on the "
                + "holdout decides; default 50)")
        int maxEpochs = 50;

        @Option(names = "--seed", description = "seed of the holdouts and the models (default 42)")
        long seed = 42;

        @Override
        public Integer call() {
            String out = MovieLensBenchmark.run(NeuralRateCli.spark("benchmark"), input, tuningFold, folds, budget,
                    maxEpochs, seed, common.load(), common.runDate());
            System.out.println("Benchmark written to " + out);
            return 0;
        }
    }

    @Command(name = "throughput", mixinStandardHelpOptions = true,
            description = "Training samples/s of one MLP shape: a bare DJL loop (no Spark) and MlpRegressor on the "
                    + "session's master (use --master local[1]); prints one JSON line. See bench/throughput.sh.")
    static final class Throughput implements Callable<Integer> {
        @Option(names = "--rows", description = "synthetic rows (default 200000)")
        int rows = 200_000;

        @Option(names = "--features", description = "input width (default 20)")
        int features = 20;

        @Option(names = "--hidden", split = ",", description = "hidden layer widths (default 32)")
        int[] hidden = {32};

        @Option(names = "--batch", description = "batch size (default 256)")
        int batch = 256;

        @Option(names = "--pairs", description = "alternated measurements of the bare loop and MlpRegressor, "
                + "after one warm-up of each (default 5)")
        int pairs = 5;

        @Option(names = "--scoring-rows", description = "instead: transform vs read+write of this many Parquet "
                + "rows, 3 times alternated (0 = training throughput)")
        int scoringRows;

        @Option(names = "--work-dir", description = "folder for the scoring measurement's Parquet "
                + "(default target/bench-scoring)")
        String workDir = "target/bench-scoring";

        @Override
        public Integer call() {
            SparkSession spark = NeuralRateCli.spark("throughput");
            if (scoringRows > 0) {
                System.out.println("SCORING " + ThroughputBenchmark.scoring(spark, scoringRows, features, hidden, 3,
                        workDir));
            } else {
                System.out.println("THROUGHPUT " + ThroughputBenchmark.run(spark, rows, features, hidden, batch,
                        pairs));
            }
            return 0;
        }
    }
}
