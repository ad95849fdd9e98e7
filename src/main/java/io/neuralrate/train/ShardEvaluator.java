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
     * Returns {@code {sum of squared errors, sum of absolute errors, sum of weights}} for the block,
     * in label units, each row weighted by its weight (1 without a weight column), so that the
     * validation RMSE weighs rows as the training loss does. Unknown or missing indices use the
     * unknown embedding, as at prediction time, and so do indices never trained; predictions are
     * clipped as the model clips them.
     *
     * @param block the rows to score
     * @param spec the network's shape
     * @param dense the tensors after the embedding tables
     * @param tables per embedding column, at least the table rows the block looks up ({@link
     *     RoundRows#scoringTableRows})
     * @param rules the trained indices, the features' scaling and the prediction range
     * @param threads PyTorch threads for this task
     */
    static double[] errors(DataBlock block, NetworkSpec spec, float[][] dense, TableSlice[] tables, RowRules rules,
                           int threads) {
        FeatureScaling scaling = rules.scaling();
        if (block.rows == 0) {
            return new double[3];
        }
        EngineBootstrap.ensureLoaded(threads);
        double sse = 0;
        double sae = 0;
        double weight = 0;
        int d = block.numFeatures;
        try (NDManager root = NDManager.newBaseManager();
             MlpNetwork network = MlpNetwork.createWithTables(root, spec, localTables(tables), dense, false)) {
            int[][] positions = ShardTrainer.positions(RoundRows.scoringTableRows(block, spec, rules.trained()), tables);
            for (int start = 0; start < block.rows; start += BATCH) {
                int n = Math.min(BATCH, block.rows - start);
                try (NDManager batch = root.newSubManager()) {
                    NDArray features = d == 0 ? null : scaling == null
                            ? Tensors.floats(batch, block.features, start * d, n, d)
                            : Tensors.floats(batch, scaling.scaled(block.features, start, n, d), 0, n, d);
                    NDArray[] indices = new NDArray[spec.numEmbeddings()];
                    for (int e = 0; e < spec.numEmbeddings(); e++) {
                        indices[e] = Tensors.longs(batch, positions[e], start, n);
                    }
                    float[] predictions = network.predict(features, indices).toFloatArray();
                    for (int i = 0; i < n; i++) {
                        double err = rules.clip(predictions[i]) - block.labels[start + i];
                        double w = block.weights == null ? 1 : block.weights[start + i];
                        sse += w * err * err;
                        sae += w * Math.abs(err);
                        weight += w;
                    }
                }
            }
        }
        return new double[] {sse, sae, weight};
    }

    /** The slices' values as the network's table tensors (vectors, biases per column). */
    static float[][] localTables(TableSlice[] tables) {
        float[][] out = new float[2 * tables.length][];
        for (int e = 0; e < tables.length; e++) {
            out[2 * e] = tables[e].vectors;
            out[2 * e + 1] = tables[e].biases;
        }
        return out;
    }
}
