package io.neuralrate.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.neuralrate.ml.EpochSummary;
import io.neuralrate.ml.MlpRegressionModel;
import io.neuralrate.ml.MlpRegressor;
import io.neuralrate.nn.Activation;
import io.neuralrate.nn.EngineBootstrap;
import io.neuralrate.nn.LossKind;
import io.neuralrate.nn.MlpNetwork;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.NetworkTrainer;
import io.neuralrate.nn.OptimizerKind;
import io.neuralrate.nn.Tensors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Training throughput of one network shape, measured two ways in one JVM on the same rows: a bare
 * loop over NeuralRate's DJL network and optimizer (no Spark), and {@link MlpRegressor} on the
 * session's master (run it with {@code local[1]} for one thread). The machine is shared and its
 * speed drifts over seconds, so the two are alternated: after one warm-up of each, every pair is
 * one bare-loop epoch and one MlpRegressor fit of two epochs whose second is counted. The result
 * gives the median rate of each and the median of the per-pair overheads. {@code
 * bench/pytorch_mlp.py} is the plain-PyTorch counterpart; {@code bench/throughput.sh} runs both.
 */
final class ThroughputBenchmark {
    private ThroughputBenchmark() {}

    static String run(SparkSession spark, int rows, int features, int[] hidden, int batch, int pairs) {
        Random random = new Random(1);
        float[] x = new float[rows * features];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int f = 0; f < features; f++) {
                x[r * features + f] = (float) random.nextGaussian();
                s += (f % 3 == 0 ? 1 : -0.5) * x[r * features + f];
            }
            y[r] = (float) (Math.tanh(s) + 0.1 * random.nextGaussian());
        }
        Dataset<Row> df = dataFrame(spark, x, y, rows, features);
        List<Double> bare = new ArrayList<>();
        List<Double> regressor = new ArrayList<>();
        List<Double> overheads = new ArrayList<>();
        try (BareLoop loop = new BareLoop(x, y, rows, features, hidden, batch)) {
            loop.epoch(); // warm-up
            fitRate(df, hidden, batch);
            for (int p = 0; p < pairs; p++) {
                bare.add(loop.epoch());
                regressor.add(fitRate(df, hidden, batch));
                overheads.add(bare.get(p) / regressor.get(p) - 1);
            }
        } finally {
            df.unpersist();
        }
        return String.format(Locale.ROOT, "{\"shape\": \"%d-%s-1\", \"rows\": %d, \"batch\": %d, \"pairs\": %d, "
                + "\"bare_djl_samples_per_s\": %.0f, \"mlp_regressor_samples_per_s\": %.0f, "
                + "\"spark_overhead\": %.3f, \"spark_overhead_per_pair\": %s, \"master\": \"%s\"}", features,
                joined(hidden), rows, batch, pairs, median(bare), median(regressor), median(overheads),
                overheads.stream().map(o -> String.format(Locale.ROOT, "%.3f", o)).toList(),
                spark.sparkContext().master());
    }

    /**
     * Scoring against pure I/O on the same Parquet rows: a job that reads them and writes them back,
     * and one that reads them, runs {@link MlpRegressionModel#transform} and writes rows plus
     * predictions. Alternated {@code repeats} times; medians and their ratio.
     */
    static String scoring(SparkSession spark, int rows, int features, int[] hidden, int repeats, String workDir) {
        org.apache.spark.sql.Column[] values = new org.apache.spark.sql.Column[features];
        for (int f = 0; f < features; f++) {
            values[f] = org.apache.spark.sql.functions.randn(f);
        }
        String input = workDir + "/scoring-input";
        spark.range(rows).withColumn("features", org.apache.spark.ml.functions.array_to_vector(
                org.apache.spark.sql.functions.array(values))).withColumn("label", org.apache.spark.sql.functions.rand(99))
                .write().mode("overwrite").parquet(input);
        MlpRegressionModel model = new MlpRegressor().setHiddenLayers(hidden).setMaxEpochs(1).setSeed(1)
                .fit(spark.read().parquet(input).limit(20_000));
        List<Double> io = new ArrayList<>();
        List<Double> scored = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            spark.read().parquet(input).write().mode("overwrite").parquet(workDir + "/scoring-io");
            io.add((System.nanoTime() - start) / 1e9);
            start = System.nanoTime();
            model.transform(spark.read().parquet(input)).write().mode("overwrite").parquet(workDir + "/scoring-model");
            scored.add((System.nanoTime() - start) / 1e9);
        }
        return String.format(Locale.ROOT, "{\"rows\": %d, \"shape\": \"%d-%s-1\", \"io_only_seconds\": %.2f, "
                + "\"transform_seconds\": %.2f, \"ratio\": %.3f, \"runs_io\": %s, \"runs_transform\": %s, "
                + "\"master\": \"%s\"}", rows, features, joined(hidden), median(io), median(scored),
                median(scored) / median(io), io, scored, spark.sparkContext().master());
    }

    private static String joined(int[] hidden) {
        return String.join("-", Arrays.stream(hidden).mapToObj(String::valueOf).toArray(String[]::new));
    }

    /**
     * The executor's inner loop without Spark: a shuffled gather into native tensors per epoch,
     * views per batch, the same network and fused Adam step.
     */
    private static final class BareLoop implements AutoCloseable {
        private final float[] x;
        private final float[] y;
        private final int rows;
        private final int features;
        private final int batch;
        private final int[] order;
        private final Random random = new Random(2);
        private final NDManager root;
        private final NetworkTrainer trainer;

        BareLoop(float[] x, float[] y, int rows, int features, int[] hidden, int batch) {
            this.x = x;
            this.y = y;
            this.rows = rows;
            this.features = features;
            this.batch = batch;
            this.order = IntStream.range(0, rows).toArray();
            EngineBootstrap.ensureLoaded(1);
            NetworkSpec spec = new NetworkSpec(features, hidden, Activation.RELU, 0f, new int[0], 0, 0f, 1f);
            root = NDManager.newBaseManager();
            trainer = new NetworkTrainer(MlpNetwork.create(root, spec, spec.initialParameters(1), true),
                    LossKind.MSE, OptimizerKind.ADAM, null, 0, 1e-3f, 0f);
        }

        /** Trains one epoch; returns its samples/s. */
        double epoch() {
            long start = System.nanoTime();
            for (int i = rows - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            try (NDManager epochScope = root.newSubManager()) {
                NDArray fx = Tensors.emptyFloats(epochScope, rows, features);
                NDArray fy = Tensors.emptyFloats(epochScope, rows, 0);
                FloatBuffer gx = Tensors.floatView(fx);
                FloatBuffer gy = Tensors.floatView(fy);
                for (int r = 0; r < rows; r++) {
                    gx.put(r * features, x, order[r] * features, features);
                    gy.put(r, y[order[r]]);
                }
                for (int b = 0; b < rows; b += batch) {
                    NDIndex slice = new NDIndex().addSliceDim(b, Math.min(b + batch, rows));
                    try (NDManager step = epochScope.newSubManager()) {
                        NDArray bx = fx.get(slice);
                        bx.attach(step);
                        NDArray by = fy.get(slice);
                        by.attach(step);
                        trainer.step(bx, new NDArray[0], by, null, null);
                    }
                }
            }
            return rows / ((System.nanoTime() - start) / 1e9);
        }

        @Override
        public void close() {
            try {
                trainer.close();
            } finally {
                root.close();
            }
        }
    }

    private static Dataset<Row> dataFrame(SparkSession spark, float[] x, float[] y, int rows, int features) {
        List<Row> data = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            double[] v = new double[features];
            for (int f = 0; f < features; f++) {
                v[f] = x[r * features + f];
            }
            data.add(RowFactory.create(Vectors.dense(v), (double) y[r]));
        }
        StructType schema = new StructType().add("features", SQLDataTypes.VectorType())
                .add("label", DataTypes.DoubleType);
        Dataset<Row> df = spark.createDataFrame(data, schema).repartition(1).cache();
        df.count();
        return df;
    }

    /** One MlpRegressor fit of two epochs on the cached rows; the second epoch's samples/s. */
    private static double fitRate(Dataset<Row> df, int[] hidden, int batch) {
        // As the bare loop trains: no weight decay, the features as they are.
        MlpRegressionModel model = new MlpRegressor().setHiddenLayers(hidden).setBatchSize(batch).setNumWorkers(1)
                .setMaxEpochs(2).setValidationFraction(0).setEarlyStoppingPatience(0).setSeed(1)
                .setWeightDecay(0).setStandardization(false).fit(df);
        EpochSummary e = model.summary().history().get(1);
        System.out.printf(Locale.ROOT, "MlpRegressor epoch: %.3f s, %d rounds, slowest-worker compute %.3f s%n",
                e.roundSeconds(), e.rounds(), e.computeSeconds());
        return e.samplesPerSecond();
    }

    private static double median(List<Double> values) {
        return Stats.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }
}
