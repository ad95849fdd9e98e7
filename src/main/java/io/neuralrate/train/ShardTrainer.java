package io.neuralrate.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.neuralrate.nn.EngineBootstrap;
import io.neuralrate.nn.MlpNetwork;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.NetworkTrainer;
import io.neuralrate.nn.Tensors;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Executor side of a round: one worker runs its share of mini-batches on its block, starting
 * from the round's dense state and the table rows the round looks up, and returns its new state.
 *
 * <p>The worker's network holds only those table rows ({@link TableSlice}s, whether cut from a
 * broadcast or served by the shards), with each lookup renumbered to its position among them. The
 * renumbering keeps the rows' order, and the trainer's updates of tables touch only looked-up rows
 * one by one, so the result is the same, bit for bit, as training on the whole tables.
 *
 * <p>The rows of the round are gathered once, in the epoch's shuffled order, straight into one
 * native tensor per input; each mini-batch is then a view of it. Every native resource
 * is scoped in a manager closed before the task ends, so nothing accumulates across rounds or
 * epochs.
 */
final class ShardTrainer {
    private ShardTrainer() {}

    /**
     * Trains one round.
     *
     * @param block the worker's training rows
     * @param spec network shape
     * @param config training settings
     * @param state the round's state (its dense tensors, optimizer state and step are used)
     * @param round the round's rows and lookups ({@link RoundRows#of})
     * @param tables per embedding column, at least the table rows the round looks up
     * @param scaling the features' standardisation while training, or null
     * @param workers number of workers sharing the global batch
     * @param threads PyTorch threads for this task
     * @return the worker's contribution, with the table rows it trained
     */
    static RoundResult.Contribution trainRound(DataBlock block, NetworkSpec spec, TrainingConfig config,
                                               ModelState state, RoundRows round, TableSlice[] tables,
                                               FeatureScaling scaling, int workers, int threads) {
        int batchSize = config.workerBatchSize(workers);
        int rows = round.sources.length;
        long startNanos = System.nanoTime();
        EngineBootstrap.ensureLoaded(threads);
        try (NDManager root = NDManager.newBaseManager()) {
            RoundData data = gather(root, block, spec, round, tables, scaling);
            int tableCount = spec.embeddingTableCount();
            float[][][] slotState = new float[state.optimizerState.length][][];
            for (int s = 0; s < slotState.length; s++) {
                slotState[s] = state.optimizerState[s].clone();
                for (int e = 0; e < tables.length; e++) {
                    slotState[s][2 * e] = tables[e].vectorState[s];
                    slotState[s][2 * e + 1] = tables[e].biasState[s];
                }
            }
            MlpNetwork network = MlpNetwork.createWithTables(root, spec, ShardEvaluator.localTables(tables),
                    Arrays.copyOfRange(state.parameters, tableCount, state.parameters.length), true);
            try (NetworkTrainer trainer = new NetworkTrainer(network, config.loss, config.optimizer,
                    slotState, state.step, config.learningRate, config.weightDecay)) {
                double lossSum = 0;
                long steps = 0;
                for (int start = 0; start < rows; start += batchSize) {
                    int end = Math.min(start + batchSize, rows);
                    NDIndex slice = new NDIndex().addSliceDim(start, end);
                    try (NDManager step = root.newSubManager()) {
                        NDArray[] batchIndices = new NDArray[data.indices.length];
                        for (int e = 0; e < batchIndices.length; e++) {
                            batchIndices[e] = view(data.indices[e], slice, step);
                        }
                        float loss = trainer.step(
                                data.features == null ? null : view(data.features, slice, step),
                                batchIndices,
                                view(data.labels, slice, step),
                                data.weights == null ? null : view(data.weights, slice, step),
                                data.dropoutMasks == null ? null : view(data.dropoutMasks, slice, step));
                        lossSum += (double) loss * (end - start);
                        steps++;
                    }
                }
                return RoundResult.Contribution.of(rows, lossSum, steps, spec, network.parameterValues(),
                        trainer.optimizerState(), tables, data.positions, (System.nanoTime() - startNanos) / 1e9);
            }
        }
    }

    /** A slice of a round tensor, moved into the step's scope so all its derived tensors die with it. */
    private static NDArray view(NDArray source, NDIndex slice, NDManager step) {
        NDArray v = source.get(slice);
        v.attach(step);
        return v;
    }

    /** The round's rows in shuffled order, as tensors, with standardised labels and renumbered lookups. */
    private static final class RoundData {
        NDArray features;
        NDArray labels;
        NDArray weights;
        NDArray[] indices;
        NDArray dropoutMasks;
        /** Per embedding column, each row's position in the column's {@link TableSlice}. */
        int[][] positions;
    }

    /** Gathers the round's rows straight into native tensors owned by {@code manager} (one copy, no Java buffers). */
    private static RoundData gather(NDManager manager, DataBlock block, NetworkSpec spec, RoundRows round,
                                    TableSlice[] tables, FeatureScaling scaling) {
        int rows = round.sources.length;
        int d = block.numFeatures;
        RoundData out = new RoundData();
        out.features = d == 0 ? null : Tensors.emptyFloats(manager, rows, d);
        out.labels = Tensors.emptyFloats(manager, rows, 0);
        out.weights = block.weights == null ? null : Tensors.emptyFloats(manager, rows, 0);
        FloatBuffer features = out.features == null ? null : Tensors.floatView(out.features);
        FloatBuffer labels = Tensors.floatView(out.labels);
        FloatBuffer weights = out.weights == null ? null : Tensors.floatView(out.weights);
        float mean = spec.labelMean();
        float scale = spec.labelScale();
        for (int r = 0; r < rows; r++) {
            int src = round.sources[r];
            if (features != null) {
                if (scaling == null) {
                    features.put(r * d, block.features, src * d, d);
                } else {
                    scaling.scaleInto(block.features, src * d, features, r * d, d);
                }
            }
            labels.put(r, (block.labels[src] - mean) / scale);
            if (weights != null) {
                weights.put(r, block.weights[src]);
            }
        }
        out.positions = positions(round.tableRows, tables);
        out.indices = new NDArray[tables.length];
        for (int e = 0; e < tables.length; e++) {
            out.indices[e] = Tensors.longs(manager, out.positions[e], 0, rows);
        }
        if (spec.dropout() > 0) {
            SplittableRandom random = round.random;
            int width = spec.hiddenWidthSum();
            float keep = 1f - spec.dropout();
            float scaled = 1f / keep;
            out.dropoutMasks = Tensors.emptyFloats(manager, rows, width);
            FloatBuffer masks = Tensors.floatView(out.dropoutMasks);
            for (int i = 0; i < rows * width; i++) {
                masks.put(i, random.nextDouble() < keep ? scaled : 0f);
            }
        }
        return out;
    }

    /**
     * Per embedding column, each lookup's position among the column's slice rows.
     *
     * @throws IllegalStateException if a slice lacks a row that is looked up
     */
    static int[][] positions(int[][] tableRows, TableSlice[] tables) {
        int[][] out = new int[tableRows.length][];
        for (int e = 0; e < tableRows.length; e++) {
            out[e] = new int[tableRows[e].length];
            for (int r = 0; r < out[e].length; r++) {
                int at = tables[e].position(tableRows[e][r]);
                if (at < 0) {
                    throw new IllegalStateException("table row " + tableRows[e][r] + " of embedding column " + e
                            + " was not provided to the task");
                }
                out[e][r] = at;
            }
        }
        return out;
    }
}
