package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which rows of a worker's block a round trains on, in the epoch's shuffled order, and which table
 * row each of them looks up per embedding column (its own, or the unknown row where the round masks
 * it). A pure function of (seed, epoch, round, partition) and the block, so the executor that holds
 * the block knows the table rows a round needs before the round runs: the sharded path requests
 * exactly those rows from the shards.
 */
final class RoundRows {
    /** Per position of the round, the row of the block. */
    final int[] sources;
    /** Per embedding column, per position, the table row looked up. */
    final int[][] tableRows;
    /** The round's random stream after the masking draws (the dropout masks continue it). */
    final SplittableRandom random;

    private RoundRows(int[] sources, int[][] tableRows, SplittableRandom random) {
        this.sources = sources;
        this.tableRows = tableRows;
        this.random = random;
    }

    /**
     * The round's rows, or null when the worker has no rows left in this round.
     *
     * @param block the worker's training rows
     * @param spec the network (its cardinalities)
     * @param config training settings
     * @param epoch epoch (0-based)
     * @param round round within the epoch (0-based)
     * @param partition the worker's partition
     * @param workers number of workers
     */
    static RoundRows of(DataBlock block, NetworkSpec spec, TrainingConfig config, int epoch, int round,
                        int partition, int workers) {
        long roundRows = (long) config.roundBatches(workers, spec) * config.workerBatchSize(workers);
        long firstRow = round * roundRows;
        if (firstRow >= block.rows) {
            return null;
        }
        int rows = (int) Math.min(roundRows, block.rows - firstRow);
        BatchOrder order = new BatchOrder(block.rows, Seeds.mix(config.seed, 0x0dd3L, epoch, partition));
        SplittableRandom random = new SplittableRandom(Seeds.mix(config.seed, 0x7a1bL, epoch, round, partition));
        int[] cards = spec.embeddingCardinalities();
        int[] sources = new int[rows];
        int[][] tableRows = new int[cards.length][rows];
        for (int r = 0; r < rows; r++) {
            int src = (int) order.at(firstRow + r);
            sources[r] = src;
            for (int e = 0; e < cards.length; e++) {
                boolean masked = config.unknownIndexRate > 0 && random.nextDouble() < config.unknownIndexRate;
                tableRows[e][r] = masked ? cards[e] : spec.tableRow(e, block.indices[e][src]);
            }
        }
        return new RoundRows(sources, tableRows, random);
    }

    /** Per embedding column, the distinct table rows the round looks up, ascending. */
    int[][] distinctTableRows() {
        return distinct(tableRows);
    }

    /** Per embedding column, the distinct table rows of the given lookups, ascending. */
    static int[][] distinct(int[][] tableRows) {
        int[][] out = new int[tableRows.length][];
        for (int e = 0; e < out.length; e++) {
            out[e] = Arrays.stream(tableRows[e]).sorted().distinct().toArray();
        }
        return out;
    }

    /**
     * Per embedding column, the table rows that a block's rows look up when scored (no masking): an
     * index never trained looks up the unknown row, as in the model.
     */
    static int[][] scoringTableRows(DataBlock block, NetworkSpec spec, TrainedIndices trained) {
        int[][] out = new int[spec.numEmbeddings()][block.rows];
        for (int e = 0; e < out.length; e++) {
            for (int i = 0; i < block.rows; i++) {
                out[e][i] = trained.scoringRow(spec, e, block.indices[e][i]);
            }
        }
        return out;
    }
}
