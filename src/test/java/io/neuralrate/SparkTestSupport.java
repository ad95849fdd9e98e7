package io.neuralrate;

import io.neuralrate.job.SessionSettings;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.adaptive.AdaptiveSparkPlanExec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Shared test helpers: a local SparkSession and synthetic regression data. */
public final class SparkTestSupport {
    private SparkTestSupport() {}

    /** A local[2] session, quiet and small, shared by the tests of one JVM. */
    public static synchronized SparkSession spark() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("neuralrate-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    /** A smooth non-linear function of 20 features. */
    public static double target(double[] x) {
        return Math.sin(2 * x[0]) + x[1] * x[2] + 0.5 * x[3] * x[3] - Math.abs(x[4]) + 0.3 * x[5]
                + Math.tanh(x[6] + x[7]) + 0.2 * x[8] * x[9] - 0.4 * x[10] + 0.1 * (x[11] + x[12] + x[13]);
    }

    /** Rows (features: Vector of 20, label: double) of {@link #target} with small noise. */
    public static Dataset<Row> nonLinear(SparkSession spark, int rows, long seed) {
        Random random = new Random(seed);
        List<Row> out = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            double[] x = new double[20];
            for (int j = 0; j < x.length; j++) {
                x[j] = random.nextGaussian();
            }
            out.add(RowFactory.create(Vectors.dense(x), target(x) + 0.05 * random.nextGaussian()));
        }
        StructType schema = new StructType()
                .add("features", new VectorUDT())
                .add("label", DataTypes.DoubleType);
        return spark.createDataFrame(out, schema);
    }

    /** Root mean squared error between two columns. */
    public static double rmse(Dataset<Row> df, String label, String prediction) {
        Row r = df.selectExpr("sqrt(avg(pow(" + label + " - " + prediction + ", 2)))").first();
        return r.getDouble(0);
    }

    /** Standard deviation of a column (population). */
    public static double std(Dataset<Row> df, String column) {
        return df.selectExpr("stddev_pop(" + column + ")").first().getDouble(0);
    }

    /**
     * The physical plan Spark ran for a Dataset that has been collected: with adaptive execution, the final
     * plan (the joins it chose at run time and how it read each shuffle).
     */
    public static String executedPlan(Dataset<Row> ran) {
        SparkPlan plan = ran.queryExecution().executedPlan();
        return (plan instanceof AdaptiveSparkPlanExec adaptive ? adaptive.executedPlan() : plan).toString();
    }

    /**
     * Runs {@code body} with the session's settings {@code settings} set, then puts back what they were, however
     * it ends ({@link SessionSettings#with}).
     */
    public static void withSettings(SparkSession spark, Map<String, String> settings, Runnable body) {
        SessionSettings.with(spark, settings, () -> {
            body.run();
            return null;
        });
    }

    /** How many times {@code word} occurs in {@code text}. */
    public static int occurrences(String text, String word) {
        return text.split(word, -1).length - 1;
    }
}
