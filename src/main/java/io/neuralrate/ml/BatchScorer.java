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
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Scores a partition in batches: rows are read lazily, a batch of them is packed into arrays and
 * run through the network in one call, and each input row is emitted with its prediction
 * appended. The network lives for the whole partition and is closed when the partition ends.
 */
final class BatchScorer implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    static final int BATCH_SIZE = 4096;

    private final Broadcast<NetworkFile> network;
    private final RowLayout layout;
    private final ColdStartStrategy coldStart;
    private final double min;
    private final double max;

    BatchScorer(Broadcast<NetworkFile> network, RowLayout layout, ColdStartStrategy coldStart, double min,
                double max) {
        this.network = network;
        this.layout = layout;
        this.coldStart = coldStart;
        this.min = min;
        this.max = max;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> input) {
        TaskContext context = TaskContext.get();
        EngineBootstrap.ensureLoaded(context == null ? 1 : Math.max(1, context.cpus()));
        NetworkFile stored = network.value();
        NDManager root = NDManager.newBaseManager();
        MlpNetwork net = MlpNetwork.create(root, stored.spec(), stored.parameters(), false);
        if (context != null) {
            context.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> root.close());
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
                if (!input.hasNext()) {
                    root.close();
                    return false;
                }
                scoreBatch(root, net, input, pending);
                return hasNext();
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
        List<Row> rows = new ArrayList<>(BATCH_SIZE);
        float[] features = new float[BATCH_SIZE * d];
        int[][] indices = new int[numEmb][BATCH_SIZE];
        boolean[] unseen = new boolean[BATCH_SIZE];
        while (rows.size() < BATCH_SIZE && input.hasNext()) {
            Row row = input.next();
            int i = rows.size();
            layout.readFeatures(row, features, i * d);
            for (int e = 0; e < numEmb; e++) {
                int index = layout.readIndex(row, e);
                unseen[i] |= !spec.isKnown(e, index);
                indices[e][i] = spec.tableRow(e, index);
            }
            rows.add(row);
        }
        int n = rows.size();
        float[] predictions;
        try (NDManager batch = root.newSubManager()) {
            NDArray x = d == 0 ? null : Tensors.floats(batch, features, 0, n, d);
            NDArray[] idx = new NDArray[numEmb];
            for (int e = 0; e < numEmb; e++) {
                idx[e] = Tensors.longs(batch, indices[e], 0, n);
            }
            predictions = net.predict(x, idx).toFloatArray();
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
            out.add(withPrediction(rows.get(i), p));
        }
    }

    private static Row withPrediction(Row row, double prediction) {
        Object[] values = new Object[row.length() + 1];
        for (int i = 0; i < row.length(); i++) {
            values[i] = row.get(i);
        }
        values[row.length()] = prediction;
        return RowFactory.create(values);
    }
}
