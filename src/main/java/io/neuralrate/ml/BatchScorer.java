package io.neuralrate.ml;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.neuralrate.nn.EngineBootstrap;
import io.neuralrate.nn.MlpNetwork;
import io.neuralrate.nn.NetworkFile;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.Tensors;
import io.neuralrate.train.RowLayout;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.internal.ReadOnlySQLConf;
import org.apache.spark.sql.internal.SQLConf;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Scores a partition in batches: rows are read lazily, a batch of them is packed into arrays and
 * run through the network in one call, and each input row is emitted with its prediction
 * appended. Rows arrive with their embedding rows already joined ({@link EmbeddingTables#attach}),
 * so a task holds only the perceptron (carried in the task itself: it is small), never a table.
 * The network lives for the whole partition and is closed when the partition ends.
 */
final class BatchScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 2L;
    static final int BATCH_SIZE = 4096;

    private final NetworkFile network;
    private final RowLayout layout;
    private final int outputColumns;
    private final ColdStartStrategy coldStart;
    private final double min;
    private final double max;

    /**
     * @param network the perceptron and spec (its tables are not serialised)
     * @param layout where the features sit in the rows
     * @param outputColumns how many leading columns of a row are the caller's (emitted with the prediction);
     *     after them come each embedding column's vector and bias, then the unseen flag
     * @param coldStart what an unseen index gives
     * @param min lower clipping bound
     * @param max upper clipping bound
     */
    BatchScorer(NetworkFile network, RowLayout layout, int outputColumns, ColdStartStrategy coldStart, double min,
                double max) {
        this.network = network;
        this.layout = layout;
        this.outputColumns = outputColumns;
        this.coldStart = coldStart;
        this.min = min;
        this.max = max;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        TaskContext context = TaskContext.get();
        EngineBootstrap.ensureLoaded(context == null ? 1 : Math.max(1, context.cpus()));
        NDManager root = NDManager.newBaseManager();
        if (context != null) { // registered first: the manager is closed however the task ends
            context.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> root.close());
        }
        // Spark looks its SQL settings up per value read in places (Spark 4's type dispatch behind a UDF's input
        // conversion and a generic row getter), and inside a task that lookup builds a new read-only view of the
        // task's settings each time unless one is set for the thread (Spark's internal SQLConf API, the same in
        // 3.5 and 4.x). Each batch pulls its input, running the feature stages upstream, with one such view made
        // once per task: a measurable share of the scoring stage's CPU (BENCHMARKS.md, scoring 1M pairs).
        SQLConf taskConf = context == null ? null : new ReadOnlySQLConf(context);
        MlpNetwork net;
        try {
            net = MlpNetwork.createDense(root, network.spec(), network.dense());
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
        return new Iterator<>() {
            private final List<Row> pending = new ArrayList<>(BATCH_SIZE);
            private int next;

            @Override
            public boolean hasNext() {
                if (next < pending.size()) {
                    return true;
                }
                pending.clear();
                next = 0;
                boolean scored = taskConf == null ? scoreNextBatch() : SQLConf.withExistingConf(taskConf,
                        this::scoreNextBatch);
                if (!scored) {
                    root.close();
                    return false;
                }
                return hasNext();
            }

            /** Scores the next batch into {@code pending}, or says there is none (pulling the input runs it). */
            private boolean scoreNextBatch() {
                if (!input.hasNext()) {
                    return false;
                }
                scoreBatch(root, net, input, pending);
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return pending.get(next++);
            }
        };
    }

    private void scoreBatch(NDManager root, MlpNetwork net, Iterator<Row> input, List<Row> out) {
        NetworkSpec spec = net.spec();
        int d = spec.numFeatures();
        int numEmb = spec.numEmbeddings();
        int dim = spec.embeddingDim();
        List<Row> rows = new ArrayList<>(BATCH_SIZE);
        float[] features = new float[BATCH_SIZE * d];
        float[][] vectors = new float[numEmb][BATCH_SIZE * dim];
        float[][] biases = new float[numEmb][BATCH_SIZE];
        boolean[] unseen = new boolean[BATCH_SIZE];
        while (rows.size() < BATCH_SIZE && input.hasNext()) {
            Row row = input.next();
            int i = rows.size();
            layout.readFeatures(row, features, i * d);
            for (int e = 0; e < numEmb; e++) {
                List<Object> vector = row.getList(outputColumns + 2 * e);
                for (int j = 0; j < dim; j++) {
                    vectors[e][i * dim + j] = (Float) vector.get(j);
                }
                biases[e][i] = row.getFloat(outputColumns + 2 * e + 1);
            }
            unseen[i] = numEmb > 0 && row.getBoolean(outputColumns + 2 * numEmb);
            rows.add(row);
        }
        int n = rows.size();
        float[] predictions;
        try (NDManager batch = root.newSubManager()) {
            NDArray x = d == 0 ? null : Tensors.floats(batch, features, 0, n, d);
            NDArray[] v = new NDArray[numEmb];
            NDArray[] b = new NDArray[numEmb];
            for (int e = 0; e < numEmb; e++) {
                v[e] = Tensors.floats(batch, vectors[e], 0, n, dim);
                b[e] = Tensors.floats(batch, biases[e], 0, n, 1);
            }
            predictions = net.predictWithEmbeddings(x, v, b).toFloatArray();
        }
        for (int i = 0; i < n; i++) {
            double p = Math.min(max, Math.max(min, predictions[i]));
            if (unseen[i]) {
                if (coldStart == ColdStartStrategy.DROP) {
                    continue;
                }
                if (coldStart == ColdStartStrategy.NAN) {
                    p = Double.NaN;
                }
            }
            out.add(withPrediction(rows.get(i), outputColumns, p));
        }
    }

    private static Row withPrediction(Row row, int columns, double prediction) {
        Object[] values = new Object[columns + 1];
        for (int i = 0; i < columns; i++) {
            values[i] = row.get(i);
        }
        values[columns] = prediction;
        return RowFactory.create(values);
    }
}
