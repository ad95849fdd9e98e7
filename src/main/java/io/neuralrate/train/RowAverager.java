package io.neuralrate.train;

import java.util.Arrays;
import java.util.List;

/**
 * Averages the embedding rows of one column over the workers that looked them up in a round,
 * weighted by how often each did (see {@link RoundResult}). The driver (tables held whole) and the
 * shards (tables held in pieces) both average with this one routine, adding the workers'
 * contributions in partition order in double precision, so the two give bit-identical rows. Time
 * and memory follow the rows the round touched, not the table.
 */
final class RowAverager {
    private RowAverager() {}

    /**
     * Writes the average of each touched row into {@code target}.
     *
     * @param slices the workers' trained rows of the column, in partition order
     * @param lookups per slice, how often each of its rows was looked up
     * @param target where the rows are kept (values and optimizer state)
     * @param position where {@code target} keeps a row
     */
    static void average(List<TableSlice> slices, List<int[]> lookups, TableSlice target,
                        TableSlice.Position position) {
        averaged(slices, lookups, target.dim, target.slots()).storeInto(target, position);
    }

    /**
     * The average of each touched row, computed apart from the table it goes into: storing it
     * ({@link Averaged#storeInto}) allocates nothing and cannot fail halfway, so a shard updated in place
     * is either wholly updated or not at all.
     *
     * @param slices the workers' trained rows of the column, in partition order
     * @param lookups per slice, how often each of its rows was looked up
     * @param dim the embedding width
     * @param slots the optimizer's state slots
     */
    static Averaged averaged(List<TableSlice> slices, List<int[]> lookups, int dim, int slots) {
        int[] rows = union(slices);
        long[] total = new long[rows.length];
        for (int c = 0; c < slices.size(); c++) {
            int[] own = slices.get(c).rows;
            for (int k = 0; k < own.length; k++) {
                total[Arrays.binarySearch(rows, own[k])] += lookups.get(c)[k];
            }
        }
        Averaged out = new Averaged(rows, dim, slots);
        for (int c = 0; c < slices.size(); c++) {
            TableSlice s = slices.get(c);
            for (int k = 0; k < s.rows.length; k++) {
                int at = Arrays.binarySearch(rows, s.rows[k]);
                double w = (double) lookups.get(c)[k] / total[at];
                add(out.vectors, at * dim, s.vectors, k * dim, dim, w);
                out.biases[at] += w * s.biases[k];
                for (int slot = 0; slot < slots; slot++) {
                    add(out.vectorState[slot], at * dim, s.vectorState[slot], k * dim, dim, w);
                    out.biasState[slot][at] += w * s.biasState[slot][k];
                }
            }
        }
        return out;
    }

    /** Averaged rows of one column, in double precision, not yet stored. */
    static final class Averaged {
        private final int dim;
        private final int[] rows;
        private final double[] vectors;
        private final double[] biases;
        private final double[][] vectorState;
        private final double[][] biasState;

        private Averaged(int[] rows, int dim, int slots) {
            this.dim = dim;
            this.rows = rows;
            this.vectors = new double[rows.length * dim];
            this.biases = new double[rows.length];
            this.vectorState = new double[slots][rows.length * dim];
            this.biasState = new double[slots][rows.length];
        }

        /** Writes the rows into {@code target}, where {@code position} says it keeps them. */
        void storeInto(TableSlice target, TableSlice.Position position) {
            for (int i = 0; i < rows.length; i++) {
                int to = position.of(rows[i]);
                store(vectors, i * dim, target.vectors, to * dim, dim);
                target.biases[to] = (float) biases[i];
                for (int slot = 0; slot < vectorState.length; slot++) {
                    store(vectorState[slot], i * dim, target.vectorState[slot], to * dim, dim);
                    target.biasState[slot][to] = (float) biasState[slot][i];
                }
            }
        }
    }

    /** The rows of all slices, distinct and ascending. */
    private static int[] union(List<TableSlice> slices) {
        return slices.stream().flatMapToInt(s -> Arrays.stream(s.rows)).sorted().distinct().toArray();
    }

    private static void add(double[] sum, int at, float[] values, int from, int n, double w) {
        for (int j = 0; j < n; j++) {
            sum[at + j] += w * values[from + j];
        }
    }

    private static void store(double[] sum, int from, float[] out, int at, int n) {
        for (int j = 0; j < n; j++) {
            out[at + j] = (float) sum[from + j];
        }
    }
}
