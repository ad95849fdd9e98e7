package io.neuralrate.job;

import io.neuralrate.data.MovieLensImporter;
import io.neuralrate.data.SampleDataGenerator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code spark-submit} entry point: {@code train}, {@code predict},
 * {@code generate-sample-data} and {@code import-movielens} (the measuring tools have an entry point
 * of their own). Exits non-zero on any failure,
 * after printing the reason.
 */
@Command(name = "neuralrate", mixinStandardHelpOptions = true, version = "NeuralRate 0.1.0",
        description = "Train and serve neural rating models on Apache Spark.",
        subcommands = {NeuralRateCli.Train.class, NeuralRateCli.Predict.class, NeuralRateCli.GenerateSampleData.class,
            NeuralRateCli.ImportMovieLens.class})
public final class NeuralRateCli implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(NeuralRateCli.class);

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        int code = execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Runs the command line and returns its exit status (0 on success).
     *
     * @param args the arguments
     * @return the exit status
     */
    public static int execute(String... args) {
        return execute(new NeuralRateCli(), args);
    }

    /**
     * Runs a picocli command with the job's error handling: a failure prints one {@code ERROR:} line
     * naming its root cause and gives exit status 1.
     *
     * @param command the annotated command object
     * @param args the arguments
     * @return the exit status
     */
    public static int execute(Object command, String... args) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            LOG.error("neuralrate {} failed", commandLine.getCommandName(), e);
            System.err.println("ERROR: " + rootMessage(e));
            return 1;
        });
        return cli.execute(args);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t && (t.getMessage() == null || t instanceof RuntimeException
                && !(t instanceof IllegalArgumentException))) {
            t = t.getCause();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 2;
    }

    /** Options every subcommand shares: {@code --config}, {@code --set}, {@code --run-date}. */
    public static final class Common {
        @Option(names = "--config", description = "HOCON file overriding conf/neuralrate.conf (default: $NEURALRATE_CONF)")
        String config;

        @Option(names = "--set", description = "override one setting, e.g. --set neuralrate.model.max-epochs=40 "
                + "(the 'neuralrate.' prefix is optional); repeatable")
        List<String> overrides = new ArrayList<>();

        @Option(names = "--run-date", description = "run date, the output folder name (default: today)")
        String runDate = LocalDate.now().toString();

        /** @return the configuration: defaults, then {@code --config}, then each {@code --set} */
        public JobConfig load() {
            List<String> keys = new ArrayList<>();
            for (String o : overrides) {
                keys.add(o.startsWith("neuralrate.") ? o : "neuralrate." + o);
            }
            return JobConfig.load(config, keys);
        }

        /** @return the run date as YYYY-MM-DD */
        public String runDate() {
            try {
                return LocalDate.parse(runDate).toString();
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("--run-date must be YYYY-MM-DD, got '" + runDate + "'");
            }
        }
    }

    /**
     * The session of a subcommand (its master and settings come from spark-submit).
     *
     * @param app the subcommand, for the application name
     * @return the session
     */
    public static SparkSession spark(String app) {
        return SparkSession.builder().appName("neuralrate " + app).getOrCreate();
    }

    @Command(name = "train", mixinStandardHelpOptions = true,
            description = "Fit, evaluate on a holdout, and write model/, predictions/, metrics.json and "
                    + "training-curve.png under <output.root>/<run-date>.")
    static final class Train implements Callable<Integer> {
        @Mixin
        Common common;

        @Override
        public Integer call() {
            JobConfig config = common.load();
            String runDate = common.runDate();
            SparkSession spark = spark("train");
            String out = TrainJob.run(spark, config, runDate);
            System.out.println("Output written to " + out);
            return 0;
        }
    }

    @Command(name = "predict", mixinStandardHelpOptions = true,
            description = "Score user/item pairs with a saved model; writes <output-root>/<run-date>/predictions.")
    static final class Predict implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--model", required = true, description = "a saved model folder (a train run's model/)")
        String model;

        @Option(names = "--input", required = true, description = "Parquet with user_id, item_id (and optional rating)")
        String input;

        @Option(names = "--output-root", description = "root of the scoring outputs (default: <output.root>/scores)")
        String outputRoot;

        @Override
        public Integer call() {
            JobConfig config = common.load();
            String runDate = common.runDate();
            String root = outputRoot != null ? outputRoot : config.string("output.root") + "/scores";
            String out = PredictJob.run(spark("predict"), config, model, input, root, runDate);
            System.out.println("Predictions written to " + out + "/predictions");
            return 0;
        }
    }

    @Command(name = "generate-sample-data", mixinStandardHelpOptions = true,
            description = "Write synthetic users/items/ratings Parquet tables with planted structure.")
    static final class GenerateSampleData implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--output", description = "folder for users/, items/, ratings/ (default: sample-data)")
        String output = "sample-data";

        @Option(names = "--users", description = "number of users (default: sample-data.users)")
        Integer users;

        @Option(names = "--items", description = "number of items (default: sample-data.items)")
        Integer items;

        @Option(names = "--ratings", description = "number of ratings (default: sample-data.ratings); generated on "
                + "the executors, one Parquet file per million")
        Long ratings;

        @Option(names = "--seed", description = "random seed (default: sample-data.seed)")
        Long seed;

        @Option(names = "--self-selection", description = "how strongly the chance that a rating is observed grows "
                + "with the rating, in [0, 3]: a drawn rating r is kept with probability exp(s * (r - 5)); the "
                + "ratings then carry it as 'propensity' (default 0: observed at random)")
        double selfSelection;

        @Option(names = "--random-pairs", description = "also write random-pairs/: this many pairs drawn without "
                + "self-selection, with their ratings (default 0: none)")
        long randomPairs;

        @Override
        public Integer call() {
            JobConfig config = common.load();
            SparkSession spark = spark("generate-sample-data");
            int userCount = users != null ? users : config.integer("sample-data.users");
            int itemCount = items != null ? items : config.integer("sample-data.items");
            long seedValue = seed != null ? seed : config.longValue("sample-data.seed");
            SampleDataGenerator.SampleTables tables = SampleDataGenerator.generate(spark, userCount, itemCount,
                    ratings != null ? ratings : config.longValue("sample-data.ratings"), seedValue, selfSelection);
            writeTables(output, tables.users(), tables.items(), tables.ratings());
            if (randomPairs > 0) {
                SampleDataGenerator.randomPairs(spark, userCount, itemCount, randomPairs, seedValue).write()
                        .mode(SaveMode.Overwrite).parquet(output + "/random-pairs");
            }
            System.out.println("Sample data written to " + output);
            return 0;
        }
    }

    @Command(name = "import-movielens", mixinStandardHelpOptions = true,
            description = "Convert MovieLens ML-100K (u.user, u.item, u.data) or ML-1M (*.dat) files to the three "
                    + "Parquet tables.")
    static final class ImportMovieLens implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--input", required = true, description = "the MovieLens folder")
        String input;

        @Option(names = "--ratings-file", description = "ratings file in it (default: u.data or ratings.dat; "
                + "e.g. u1.base for a fold)")
        String ratingsFile;

        @Option(names = "--test-ratings-file", description = "a held-out ratings file (e.g. u1.test), written to "
                + "test-ratings/ for input.test-ratings")
        String testRatingsFile;

        @Option(names = "--output", required = true, description = "folder for users/, items/, ratings/")
        String output;

        @Override
        public Integer call() {
            SparkSession spark = spark("import-movielens");
            MovieLensImporter.MovieLensTables tables = MovieLensImporter.read(spark, input, ratingsFile);
            writeTables(output, tables.users().coalesce(1), tables.items().coalesce(1), tables.ratings().coalesce(1));
            if (testRatingsFile != null) {
                MovieLensImporter.readRatings(spark, input, testRatingsFile).coalesce(1).write()
                        .mode(SaveMode.Overwrite).parquet(output + "/test-ratings");
            }
            System.out.println("MovieLens tables written to " + output);
            return 0;
        }
    }

    private static void writeTables(String output, Dataset<Row> users, Dataset<Row> items, Dataset<Row> ratings) {
        users.write().mode(SaveMode.Overwrite).parquet(output + "/users");
        items.write().mode(SaveMode.Overwrite).parquet(output + "/items");
        ratings.write().mode(SaveMode.Overwrite).parquet(output + "/ratings");
    }
}
