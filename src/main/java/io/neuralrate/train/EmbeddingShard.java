package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard of the embedding tables during sharded training: of every embedding column, the table
 * rows {@code r} with {@code r mod shards == shard} (the unknown row included), held densely (row
 * {@code r} at position {@code r / shards}, no hash map), with their optimizer state.
 *
 * <p>Immutable in effect: {@link #applied} returns a new shard, so a task that Spark retries, or a
 * round that reads the previous shard again, sees the values it saw the first time.
 */
final class EmbeddingShard implements Serializable {
    private static final long serialVersionUID = 1L;

    final int shard;
    final int shards;
    /** Per embedding column, this shard's rows. */
    final TableSlice[] columns;

    private EmbeddingShard(int shard, int shards, TableSlice[] columns) {
        this.shard = shard;
        this.shards = shards;
        this.columns = columns;
    }

    /** The shard's rows at their initial values ({@link NetworkSpec#initialEmbeddingRow}), optimizer state zero. */
    static EmbeddingShard initial(NetworkSpec spec, long seed, int shard, int shards, int slots) {
        int dim = spec.embeddingDim();
        int[] cards = spec.embeddingCardinalities();
        TableSlice[] columns = new TableSlice[cards.length];
        for (int e = 0; e < cards.length; e++) {
            int[] rows = rowsOf(cards[e] + 1, shard, shards);
            float[] vectors = new float[rows.length * dim];
            for (int k = 0; k < rows.length; k++) {
                spec.initialEmbeddingRow(seed, e, rows[k], vectors, k * dim);
            }
            columns[e] = new TableSlice(dim, rows, vectors, new float[rows.length], new float[slots][rows.length * dim],
                    new float[slots][rows.length]);
        }
        return new EmbeddingShard(shard, shards, columns);
    }

    /** A shard of given columns, each holding exactly the shard's rows ({@link #rowsOf}), as a snapshot is read. */
    static EmbeddingShard of(int shard, int shards, TableSlice[] columns) {
        return new EmbeddingShard(shard, shards, columns);
    }

    /** The rows {@code r} of a table with {@code tableRows} rows that shard {@code shard} holds. */
    static int[] rowsOf(int tableRows, int shard, int shards) {
        int n = tableRows > shard ? (tableRows - shard + shards - 1) / shards : 0;
        int[] rows = new int[n];
        for (int k = 0; k < n; k++) {
            rows[k] = shard + k * shards;
        }
        return rows;
    }

    /**
     * The requested rows of each column, with their optimizer state.
     *
     * @param rows per embedding column, rows of this shard, ascending
     */
    TableSlice[] serve(int[][] rows) {
        TableSlice[] out = new TableSlice[columns.length];
        for (int e = 0; e < columns.length; e++) {
            out[e] = columns[e].select(rows[e], this::position);
        }
        return out;
    }

    /**
     * A copy of this shard with a round's updates averaged in ({@link RowAverager}).
     *
     * @param updates per worker in partition order, its trained rows of this shard per column
     * @param lookups per worker likewise, how often it looked each row up
     */
    EmbeddingShard applied(List<TableSlice[]> updates, List<int[][]> lookups) {
        TableSlice[] next = new TableSlice[columns.length];
        for (int e = 0; e < columns.length; e++) {
            TableSlice c = columns[e];
            float[][] vs = new float[c.slots()][];
            float[][] bs = new float[c.slots()][];
            for (int s = 0; s < vs.length; s++) {
                vs[s] = c.vectorState[s].clone();
                bs[s] = c.biasState[s].clone();
            }
            next[e] = new TableSlice(c.dim, c.rows, c.vectors.clone(), c.biases.clone(), vs, bs);
            List<TableSlice> column = new ArrayList<>(updates.size());
            List<int[]> counts = new ArrayList<>(updates.size());
            for (int w = 0; w < updates.size(); w++) {
                if (updates.get(w)[e].size() > 0) {
                    column.add(updates.get(w)[e]);
                    counts.add(lookups.get(w)[e]);
                }
            }
            if (!column.isEmpty()) {
                RowAverager.average(column, counts, next[e], this::position);
            }
        }
        return new EmbeddingShard(shard, shards, next);
    }

    private int position(int row) {
        return (row - shard) / shards;
    }
}
