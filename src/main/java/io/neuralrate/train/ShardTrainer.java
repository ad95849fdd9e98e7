package io.neuralrate.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.neuralrate.nn.EngineBootstrap;
import io.neuralrate.nn.MlpNetwork;
import io.neuralrate.nn.NetworkSpec;
import io.neuralrate.nn.NetworkTrainer;
import io.neuralrate.nn.Tensors;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Executor side of a round: one worker runs its share of mini-batches on its block, starting
 * from the broadcast state, and returns its new state.
 *
 * <p>The rows of the round are gathered once, in the epoch's shuffled order, into one buffer per
 * input that PyTorch uses in place; each mini-batch is then a view of it. Every native resource
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
        long firstRow = (long) round * config.roundBatches(workers, spec) * batchSize;
        if (firstRow >= block.rows) {
            return null;
        }
        long startNanos = System.nanoTime();
        int rows = (int) Math.min((long) config.roundBatches(workers, spec) * batchSize, block.rows - firstRow);
        RoundData data = gather(block, spec, config, epoch, round, partition, (int) firstRow, rows);

        EngineBootstrap.ensureLoaded(threads);
        try (NDManager root = NDManager.newBaseManager()) {
            MlpNetwork network = MlpNetwork.create(root, spec, state.parameters, true);
            try (NetworkTrainer trainer = new NetworkTrainer(network, config.loss, config.optimizer,
                    state.optimizerState, state.step, config.learningRate, config.weightDecay)) {
                int d = spec.numFeatures();
                NDArray features = d == 0 ? null : Tensors.floats(root, data.features, 0, rows, d);
                NDArray labels = Tensors.floats(root, data.labels, 0, rows, 0);
                NDArray weights = data.weights == null ? null : Tensors.floats(root, data.weights, 0, rows, 0);
                NDArray[] indices = new NDArray[spec.numEmbeddings()];
                for (int e = 0; e < indices.length; e++) {
                    indices[e] = Tensors.longs(root, data.indices[e], 0, rows);
                }
                NDArray masks = data.dropoutMasks == null
                        ? null : Tensors.floats(root, data.dropoutMasks, 0, rows, spec.hiddenWidthSum());
                double lossSum = 0;
                long steps = 0;
                for (int start = 0; start < rows; start += batchSize) {
                    int end = Math.min(start + batchSize, rows);
                    NDIndex slice = new NDIndex().addSliceDim(start, end);
                    try (NDManager step = root.newSubManager()) {
                        NDArray[] batchIndices = new NDArray[indices.length];
                        for (int e = 0; e < indices.length; e++) {
                            batchIndices[e] = view(indices[e], slice, step);
                        }
                        float loss = trainer.step(
                                features == null ? null : view(features, slice, step),
                                batchIndices,
                                view(labels, slice, step),
                                weights == null ? null : view(weights, slice, step),
                                masks == null ? null : view(masks, slice, step));
                        lossSum += (double) loss * (end - start);
                        steps++;
                    }
                }
                int[] tableSizes = Arrays.stream(spec.embeddingCardinalities()).map(c -> c + 1).toArray();
                return RoundResult.Contribution.of(rows, lossSum, steps, network.parameterValues(),
                        trainer.optimizerState(), data.indices, tableSizes, (System.nanoTime() - startNanos) / 1e9);
            }
        }
    }

    /** A slice of a round tensor, moved into the step's scope so all its derived tensors die with it. */
    private static NDArray view(NDArray source, NDIndex slice, NDManager step) {
        NDArray v = source.get(slice);
        v.attach(step);
        return v;
    }

    /** The round's rows in shuffled order, with standardised labels and masked indices. */
    private static final class RoundData {
        float[] features;
        float[] labels;
        float[] weights;
        int[][] indices;
        float[] dropoutMasks;
    }

    private static RoundData gather(DataBlock block, NetworkSpec spec, TrainingConfig config, int epoch,
                                    int round, int partition, int firstRow, int rows) {
        BatchOrder order = new BatchOrder(block.rows, Seeds.mix(config.seed, 0x0dd3L, epoch, partition));
        SplittableRandom random = new SplittableRandom(Seeds.mix(config.seed, 0x7a1bL, epoch, round, partition));
        int d = block.numFeatures;
        int[] cards = spec.embeddingCardinalities();
        RoundData out = new RoundData();
        out.features = new float[rows * d];
        out.labels = new float[rows];
        out.weights = block.weights == null ? null : new float[rows];
        out.indices = new int[cards.length][rows];
        float mean = spec.labelMean();
        float scale = spec.labelScale();
        for (int r = 0; r < rows; r++) {
            int src = (int) order.at(firstRow + r);
            System.arraycopy(block.features, src * d, out.features, r * d, d);
            out.labels[r] = (block.labels[src] - mean) / scale;
            if (out.weights != null) {
                out.weights[r] = block.weights[src];
            }
            for (int e = 0; e < cards.length; e++) {
                boolean masked = config.unknownIndexRate > 0 && random.nextDouble() < config.unknownIndexRate;
                out.indices[e][r] = masked ? cards[e] : spec.tableRow(e, block.indices[e][src]);
            }
        }
        if (spec.dropout() > 0) {
            int width = spec.hiddenWidthSum();
            float keep = 1f - spec.dropout();
            float scaled = 1f / keep;
            out.dropoutMasks = new float[rows * width];
            for (int i = 0; i < out.dropoutMasks.length; i++) {
                out.dropoutMasks[i] = random.nextDouble() < keep ? scaled : 0f;
            }
        }
        return out;
    }
}
