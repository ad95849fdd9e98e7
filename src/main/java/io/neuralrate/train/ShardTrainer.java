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
 * from the broadcast state, and returns its new state.
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
     * @param state the broadcast state
     * @param epoch epoch number (0-based)
     * @param round round number within the epoch (0-based)
     * @param partition the worker's partition number
     * @param workers number of workers sharing the global batch
     * @param threads PyTorch threads for this task
     * @return the worker's contribution, or null when it has no batches in this round
     */
    static RoundResult.Contribution trainRound(DataBlock block, NetworkSpec spec, TrainingConfig config,
                                               ModelState state, int epoch, int round, int partition,
                                               int workers, int threads) {
        int batchSize = config.workerBatchSize(workers);
        long roundRows = (long) config.roundBatches(workers, spec) * batchSize;
        long firstRow = round * roundRows;
        if (firstRow >= block.rows) {
            return null;
        }
        long startNanos = System.nanoTime();
        int rows = (int) Math.min(roundRows, block.rows - firstRow);
        EngineBootstrap.ensureLoaded(threads);
        try (NDManager root = NDManager.newBaseManager()) {
            RoundData data = gather(root, block, spec, config, epoch, round, partition, (int) firstRow, rows);
            MlpNetwork network = MlpNetwork.create(root, spec, state.parameters, true);
            try (NetworkTrainer trainer = new NetworkTrainer(network, config.loss, config.optimizer,
                    state.optimizerState, state.step, config.learningRate, config.weightDecay)) {
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
                int[] tableSizes = Arrays.stream(spec.embeddingCardinalities()).map(c -> c + 1).toArray();
                return RoundResult.Contribution.of(rows, lossSum, steps, network.parameterValues(),
                        trainer.optimizerState(), data.tableRows, tableSizes, (System.nanoTime() - startNanos) / 1e9);
            }
        }
    }

    /** A slice of a round tensor, moved into the step's scope so all its derived tensors die with it. */
    private static NDArray view(NDArray source, NDIndex slice, NDManager step) {
        NDArray v = source.get(slice);
        v.attach(step);
        return v;
    }

    /** The round's rows in shuffled order, as tensors, with standardised labels and masked indices. */
    private static final class RoundData {
        NDArray features;
        NDArray labels;
        NDArray weights;
        NDArray[] indices;
        NDArray dropoutMasks;
        /** Per embedding column, each row's table row (for the lookup counts). */
        int[][] tableRows;
    }

    /** Gathers the round's rows straight into native tensors owned by {@code manager} (one copy, no Java buffers). */
    private static RoundData gather(NDManager manager, DataBlock block, NetworkSpec spec, TrainingConfig config,
                                    int epoch, int round, int partition, int firstRow, int rows) {
        BatchOrder order = new BatchOrder(block.rows, Seeds.mix(config.seed, 0x0dd3L, epoch, partition));
        SplittableRandom random = new SplittableRandom(Seeds.mix(config.seed, 0x7a1bL, epoch, round, partition));
        int d = block.numFeatures;
        int[] cards = spec.embeddingCardinalities();
        RoundData out = new RoundData();
        out.features = d == 0 ? null : Tensors.emptyFloats(manager, rows, d);
        out.labels = Tensors.emptyFloats(manager, rows, 0);
        out.weights = block.weights == null ? null : Tensors.emptyFloats(manager, rows, 0);
        FloatBuffer features = out.features == null ? null : Tensors.floatView(out.features);
        FloatBuffer labels = Tensors.floatView(out.labels);
        FloatBuffer weights = out.weights == null ? null : Tensors.floatView(out.weights);
        out.tableRows = new int[cards.length][rows];
        float mean = spec.labelMean();
        float scale = spec.labelScale();
        for (int r = 0; r < rows; r++) {
            int src = (int) order.at(firstRow + r);
            if (features != null) {
                features.put(r * d, block.features, src * d, d);
            }
            labels.put(r, (block.labels[src] - mean) / scale);
            if (weights != null) {
                weights.put(r, block.weights[src]);
            }
            for (int e = 0; e < cards.length; e++) {
                boolean masked = config.unknownIndexRate > 0 && random.nextDouble() < config.unknownIndexRate;
                out.tableRows[e][r] = masked ? cards[e] : spec.tableRow(e, block.indices[e][src]);
            }
        }
        out.indices = new NDArray[cards.length];
        for (int e = 0; e < cards.length; e++) {
            out.indices[e] = Tensors.longs(manager, out.tableRows[e], 0, rows);
        }
        if (spec.dropout() > 0) {
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
}
