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
 * <p>A round's updates are written in place, into the shard object that the executor caches, so a
 * round costs time and memory for the rows it touched, not for the shard. The shard carries a
 * version, which every use checks: an update moves it from one version to the next only from the
 * version it was made for ({@link #apply}), so a retried task changes nothing; and serving or
 * reading a shard at another version than the caller expects fails with {@link StaleShardException}
 * instead of giving stale or lost rows. That happens where Spark recomputes an earlier round's
 * rows after the shard moved on, or where an update went to a copy of the shard (one read back
 * from disk that memory could not hold, or fetched from another executor); the trainer then
 * restarts the epoch from its snapshot.
 */
final class EmbeddingShard implements Serializable {
    private static final long serialVersionUID = 2L;

    final int shard;
    final int shards;
    /** Per embedding column, this shard's rows. */
    final TableSlice[] columns;
    /** Which state of the fit's tables this shard holds (the trainer counts them). */
    private long version;

    private EmbeddingShard(int shard, int shards, TableSlice[] columns, long version) {
        this.shard = shard;
        this.shards = shards;
        this.columns = columns;
        this.version = version;
    }

    /**
     * The shard's rows at their initial values ({@link NetworkSpec#initialEmbeddingRow}), optimizer state
     * zero, at version {@code version}.
     */
    static EmbeddingShard initial(NetworkSpec spec, long seed, int shard, int shards, int slots, long version) {
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
        return new EmbeddingShard(shard, shards, columns, version);
    }

    /**
     * A shard of given columns, each holding exactly the shard's rows ({@link #rowsOf}), as a snapshot is
     * read, at version {@code version}.
     */
    static EmbeddingShard of(int shard, int shards, TableSlice[] columns, long version) {
        return new EmbeddingShard(shard, shards, columns, version);
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
     * The requested rows of each column, with their optimizer state, copied out of the shard.
     *
     * @param rows per embedding column, rows of this shard, ascending
     * @param expected the version the caller expects
     * @throws StaleShardException when the shard is at another version
     */
    TableSlice[] serve(int[][] rows, long expected) {
        at(expected);
        TableSlice[] out = new TableSlice[columns.length];
        for (int e = 0; e < columns.length; e++) {
            out[e] = columns[e].select(rows[e], this::position);
        }
        return out;
    }

    /**
     * This shard, checked to be at version {@code expected}.
     *
     * @throws StaleShardException when it is not
     */
    EmbeddingShard at(long expected) {
        if (version != expected) {
            throw new StaleShardException(shard, version, expected);
        }
        return this;
    }

    /**
     * Averages a round's updates into this shard in place ({@link RowAverager}) and moves it from version
     * {@code from} to {@code to}. Every average is computed before the first row is written, and writing
     * allocates nothing, so the shard is updated wholly or not at all; a shard already at {@code to} (the
     * task is a retry) is left as it is.
     *
     * @param updates per worker in partition order, its trained rows of this shard per column
     * @param lookups per worker likewise, how often it looked each row up
     * @throws StaleShardException when the shard is at neither version
     */
    void apply(List<TableSlice[]> updates, List<int[][]> lookups, long from, long to) {
        if (version == to) {
            return;
        }
        at(from);
        TableSlice.Position position = this::position;
        RowAverager.Averaged[] averaged = new RowAverager.Averaged[columns.length];
        for (int e = 0; e < columns.length; e++) {
            List<TableSlice> column = new ArrayList<>(updates.size());
            List<int[]> counts = new ArrayList<>(updates.size());
            for (int w = 0; w < updates.size(); w++) {
                if (updates.get(w)[e].size() > 0) {
                    column.add(updates.get(w)[e]);
                    counts.add(lookups.get(w)[e]);
                }
            }
            averaged[e] = RowAverager.averaged(column, counts, columns[e].dim, columns[e].slots());
        }
        for (int e = 0; e < columns.length; e++) {
            averaged[e].storeInto(columns[e], position);
        }
        version = to;
    }

    private int position(int row) {
        return (row - shard) / shards;
    }

    /**
     * A shard found at another version than its user expected: an earlier round recomputed after the
     * shard moved on, or an update that went to a copy of the shard. The trainer restarts the epoch from
     * its snapshot when a round fails with it (its message holds {@link #MARK}).
     */
    static final class StaleShardException extends IllegalStateException {
        private static final long serialVersionUID = 1L;
        /** Text that Spark's job-failure message keeps from this exception. */
        static final String MARK = "stale embedding shard";

        StaleShardException(int shard, long found, long expected) {
            super(MARK + " " + shard + ": at version " + found + ", expected " + expected
                    + " (a round recomputed after the shard moved on, or an update applied to a copy)");
        }
    }
}
