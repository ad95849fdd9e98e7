package io.neuralrate.train;

import java.io.Serializable;
import java.util.Arrays;
import java.util.List;

/**
 * Some rows of one embedding column's table, with their optimizer state: what a worker trains in a
 * round, what a shard serves and holds, and what a worker sends back. Rows are global table rows in
 * ascending order; row {@code rows[k]} owns {@code vectors[k*dim .. k*dim+dim)}, {@code biases[k]}
 * and the same positions of each optimizer slot.
 */
final class TableSlice implements Serializable {
    private static final long serialVersionUID = 1L;

    final int dim;
    final int[] rows;
    final float[] vectors;
    final float[] biases;
    /** Per optimizer slot, the state of {@link #vectors}. */
    final float[][] vectorState;
    /** Per optimizer slot, the state of {@link #biases}. */
    final float[][] biasState;

    TableSlice(int dim, int[] rows, float[] vectors, float[] biases, float[][] vectorState, float[][] biasState) {
        this.dim = dim;
        this.rows = rows;
        this.vectors = vectors;
        this.biases = biases;
        this.vectorState = vectorState;
        this.biasState = biasState;
    }

    /** Number of rows. */
    int size() {
        return rows.length;
    }

    int slots() {
        return vectorState.length;
    }

    /**
     * Rows of a table held as whole arrays (row {@code r} at position {@code r}).
     *
     * @param tables the parameters in layout order (column {@code e}: tensors {@code 2e}, {@code 2e+1})
     * @param state the optimizer state, {@code [slot][tensor][]}
     * @param column the embedding column
     * @param dim the embedding width
     * @param rows the rows to cut, ascending
     */
    static TableSlice cut(float[][] tables, float[][][] state, int column, int dim, int[] rows) {
        float[][] vectorState = new float[state.length][];
        float[][] biasState = new float[state.length][];
        for (int s = 0; s < state.length; s++) {
            vectorState[s] = gather(state[s][2 * column], rows, dim, IDENTITY);
            biasState[s] = gather(state[s][2 * column + 1], rows, 1, IDENTITY);
        }
        return new TableSlice(dim, rows, gather(tables[2 * column], rows, dim, IDENTITY),
                gather(tables[2 * column + 1], rows, 1, IDENTITY), vectorState, biasState);
    }

    /**
     * Some of this slice's rows, found at {@code position.of(row)} (a slice whose rows follow a pattern
     * locates them without a search).
     */
    TableSlice select(int[] wanted, Position position) {
        float[][] vs = new float[slots()][];
        float[][] bs = new float[slots()][];
        for (int s = 0; s < slots(); s++) {
            vs[s] = gather(vectorState[s], wanted, dim, position);
            bs[s] = gather(biasState[s], wanted, 1, position);
        }
        return new TableSlice(dim, wanted, gather(vectors, wanted, dim, position), gather(biases, wanted, 1, position),
                vs, bs);
    }

    /** The position of {@code row} in this slice, or a negative value when absent. */
    int position(int row) {
        return Arrays.binarySearch(rows, row);
    }

    /** Slices with disjoint rows (from different shards) as one slice, rows ascending. */
    static TableSlice merge(List<TableSlice> parts, int dim, int slots) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int n = parts.stream().mapToInt(TableSlice::size).sum();
        long[] keyed = new long[n]; // the row in the high half, the entry's number in the low: sorts by row
        int[] part = new int[n];
        int[] at = new int[n];
        int k = 0;
        for (int p = 0; p < parts.size(); p++) {
            int[] rows = parts.get(p).rows;
            for (int i = 0; i < rows.length; i++, k++) {
                keyed[k] = ((long) rows[i] << 32) | k;
                part[k] = p;
                at[k] = i;
            }
        }
        Arrays.sort(keyed);
        TableSlice out = new TableSlice(dim, new int[n], new float[n * dim], new float[n],
                new float[slots][n * dim], new float[slots][n]);
        for (int i = 0; i < n; i++) {
            int from = (int) keyed[i];
            TableSlice src = parts.get(part[from]);
            int j = at[from];
            out.rows[i] = (int) (keyed[i] >>> 32);
            System.arraycopy(src.vectors, j * dim, out.vectors, i * dim, dim);
            out.biases[i] = src.biases[j];
            for (int s = 0; s < slots; s++) {
                System.arraycopy(src.vectorState[s], j * dim, out.vectorState[s], i * dim, dim);
                out.biasState[s][i] = src.biasState[s][j];
            }
        }
        return out;
    }

    /** Where a slice keeps a row. */
    interface Position extends Serializable {
        int of(int row);
    }

    private static final Position IDENTITY = row -> row;

    private static float[] gather(float[] source, int[] rows, int width, Position position) {
        float[] out = new float[rows.length * width];
        for (int k = 0; k < rows.length; k++) {
            System.arraycopy(source, position.of(rows[k]) * width, out, k * width, width);
        }
        return out;
    }
}
