package io.neuralrate.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.neuralrate.nn.EngineBootstrap;
import io.neuralrate.nn.MlpNetwork;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.Tensors;

/** Executor side of validation: squared and absolute errors of a block under given parameters. */
final class ShardEvaluator {
    private static final int BATCH = 4096;

    private ShardEvaluator() {}

    /**
     * Returns {@code {sum of squared errors, sum of absolute errors, rows}} for the block, in
     * label units. Unknown or missing indices use the unknown embedding, as at prediction time.
     */
    static double[] errors(DataBlock block, NetworkSpec spec, float[][] parameters, int threads) {
        if (block.rows == 0) {
            return new double[3];
        }
        EngineBootstrap.ensureLoaded(threads);
        double sse = 0;
        double sae = 0;
        int d = block.numFeatures;
        try (NDManager root = NDManager.newBaseManager();
             MlpNetwork network = MlpNetwork.create(root, spec, parameters, false)) {
            int[] mapped = new int[Math.min(BATCH, block.rows)];
            for (int start = 0; start < block.rows; start += BATCH) {
                int n = Math.min(BATCH, block.rows - start);
                try (NDManager batch = root.newSubManager()) {
                    NDArray features = d == 0 ? null : Tensors.floats(batch, block.features, start * d, n, d);
                    NDArray[] indices = new NDArray[spec.numEmbeddings()];
                    for (int e = 0; e < spec.numEmbeddings(); e++) {
                        for (int i = 0; i < n; i++) {
                            mapped[i] = spec.tableRow(e, block.indices[e][start + i]);
                        }
                        indices[e] = Tensors.longs(batch, mapped, 0, n);
                    }
                    float[] predictions = network.predict(features, indices).toFloatArray();
                    for (int i = 0; i < n; i++) {
                        double err = predictions[i] - block.labels[start + i];
                        sse += err * err;
                        sae += Math.abs(err);
                    }
                }
            }
        }
        return new double[] {sse, sae, block.rows};
    }
}
