package io.neuralrate.train;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The workers' results of one round, combined by {@code treeAggregate}.
 *
 * <p>Contributions are kept per partition and summed on the driver in partition order, because
 * floating-point addition is not associative and Spark merges task results in completion order:
 * this way the same seed, data and partitioning give bit-identical models.
 *
 * <p>Dense tensors are averaged weighted by samples. An embedding row is averaged only over the
 * workers that looked it up in the round, weighted by how often: a user seen by one worker of
 * four keeps that worker's whole update instead of a quarter of it (plain averaging diluted
 * sparse updates by the worker count, which made 4 workers converge 10% worse than 1). A worker
 * changes only the rows it looked up (the trainer's updates of embedding tables are lazy), so it
 * sends back only those rows, and rows no worker looked up keep their broadcast values: the
 * result of a round grows with the rows the round touched, not with the tables.
 */
final class RoundResult implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One worker's state after its share of the round. */
    static final class Contribution implements Serializable {
        private static final long serialVersionUID = 1L;
        final long samples;
        final double lossSum;
        final long steps;
        /** Per tensor: embedding tables hold only the touched rows, in {@link #touchedRows} order. */
        final float[][] parameters;
        /** Per slot, compacted like {@link #parameters}. */
        final float[][][] optimizerState;
        /** Per embedding column, the table rows looked up in this round, ascending. */
        final int[][] touchedRows;
        /** Per embedding column, how often each of {@link #touchedRows} was looked up. */
        final int[][] lookups;
        final double seconds;

        private Contribution(long samples, double lossSum, long steps, float[][] parameters,
                             float[][][] optimizerState, int[][] touchedRows, int[][] lookups, double seconds) {
            this.samples = samples;
            this.lossSum = lossSum;
            this.steps = steps;
            this.parameters = parameters;
            this.optimizerState = optimizerState;
            this.touchedRows = touchedRows;
            this.lookups = lookups;
            this.seconds = seconds;
        }

        /**
         * A worker's contribution, keeping of each embedding table only the rows it looked up.
         *
         * @param samples samples trained on
         * @param lossSum summed loss
         * @param steps optimizer steps taken
         * @param parameters all parameter values, in layout order (embedding tables first)
         * @param optimizerState all optimizer state, {@code [slot][param][]}
         * @param tableRows per embedding column, the table row of every sample of the round
         * @param tableSizes per embedding column, the table's number of rows
         * @param seconds time spent training
         * @return the contribution
         */
        static Contribution of(long samples, double lossSum, long steps, float[][] parameters,
                               float[][][] optimizerState, int[][] tableRows, int[] tableSizes, double seconds) {
            int columns = tableRows.length;
            int[][] touched = new int[columns][];
            int[][] lookups = new int[columns][];
            for (int e = 0; e < columns; e++) {
                int[] counts = new int[tableSizes[e]];
                for (int row : tableRows[e]) {
                    counts[row]++;
                }
                touched[e] = IntStream.range(0, counts.length).filter(r -> counts[r] > 0).toArray();
                lookups[e] = Arrays.stream(touched[e]).map(r -> counts[r]).toArray();
            }
            float[][][] state = new float[optimizerState.length][][];
            for (int s = 0; s < state.length; s++) {
                state[s] = compact(optimizerState[s], touched, tableSizes);
            }
            return new Contribution(samples, lossSum, steps, compact(parameters, touched, tableSizes), state,
                    touched, lookups, seconds);
        }

        private static float[][] compact(float[][] tensors, int[][] touched, int[] tableSizes) {
            float[][] out = tensors.clone();
            // Embedding column e owns tensors 2e (vectors) and 2e+1 (biases), one row per index (NetworkSpec).
            for (int i = 0; i < 2 * touched.length; i++) {
                int[] rows = touched[i / 2];
                int width = tensors[i].length / tableSizes[i / 2];
                out[i] = new float[rows.length * width];
                for (int k = 0; k < rows.length; k++) {
                    System.arraycopy(tensors[i], rows[k] * width, out[i], k * width, width);
                }
            }
            return out;
        }
    }

    private final TreeMap<Integer, Contribution> contributions = new TreeMap<>();

    /** Adds a worker's contribution (seqOp). */
    RoundResult add(int partition, Contribution c) {
        if (c != null && c.samples > 0) {
            contributions.put(partition, c);
        }
        return this;
    }

    /** Merges another partial result (combOp). */
    RoundResult merge(RoundResult other) {
        contributions.putAll(other.contributions);
        return this;
    }

    long samples() {
        long n = 0;
        for (Contribution c : contributions.values()) {
            n += c.samples;
        }
        return n;
    }

    /** @return the longest time a worker of this round spent training */
    double slowestWorkerSeconds() {
        double max = 0;
        for (Contribution c : contributions.values()) {
            max = Math.max(max, c.seconds);
        }
        return max;
    }

    double lossSum() {
        double s = 0;
        for (Contribution c : contributions.values()) {
            s += c.lossSum;
        }
        return s;
    }

    /**
     * The average of the workers' parameters and optimizer state (see the class comment); the
     * step count advances by the most steps any worker took.
     *
     * <p>The embedding tables of {@code previous} are updated in place, row by touched row, so a
     * round costs the driver time and memory in proportion to the rows the workers touched, not
     * to the tables; the caller must not hold on to {@code previous}'s arrays (the trainer copies
     * the best epoch's parameters when it keeps them). Dense tensors are new arrays.
     *
     * @param previous the state broadcast at the start of the round
     * @return the next state, or {@code previous} if no worker trained
     */
    ModelState average(ModelState previous) {
        long total = samples();
        if (total == 0) {
            return previous;
        }
        TouchedRows touched = new TouchedRows(contributions.values());
        float[][] params = weightedMean(previous.parameters, -1, total, touched);
        float[][][] state = new float[previous.optimizerState.length][][];
        for (int s = 0; s < state.length; s++) {
            state[s] = weightedMean(previous.optimizerState[s], s, total, touched);
        }
        long steps = 0;
        for (Contribution c : contributions.values()) {
            steps = Math.max(steps, c.steps);
        }
        return new ModelState(params, state, previous.step + steps);
    }

    private float[][] weightedMean(float[][] previous, int slot, long total, TouchedRows touched) {
        int tables = 2 * touched.rows.length;
        double[][] sums = new double[previous.length][];
        for (int i = 0; i < previous.length; i++) {
            sums[i] = new double[i < tables ? touched.rows[i / 2].length * width(previous, i) : previous[i].length];
        }
        for (Contribution c : contributions.values()) {
            float[][] values = slot < 0 ? c.parameters : c.optimizerState[slot];
            double w = (double) c.samples / total;
            for (int i = 0; i < values.length; i++) {
                float[] v = values[i];
                double[] sum = sums[i];
                if (i < tables) {
                    int e = i / 2;
                    int width = width(previous, i);
                    for (int k = 0; k < c.touchedRows[e].length; k++) {
                        int at = touched.position(e, c.touchedRows[e][k]);
                        double rw = (double) c.lookups[e][k] / touched.lookups[e][at];
                        for (int j = 0; j < width; j++) {
                            sum[at * width + j] += rw * v[k * width + j];
                        }
                    }
                } else {
                    for (int j = 0; j < v.length; j++) {
                        sum[j] += w * v[j];
                    }
                }
            }
        }
        float[][] out = new float[previous.length][];
        for (int i = 0; i < previous.length; i++) {
            if (i < tables) {
                // In place: untouched rows keep their values, touched rows take the average.
                out[i] = previous[i];
                int[] rows = touched.rows[i / 2];
                int width = width(previous, i);
                for (int k = 0; k < rows.length; k++) {
                    for (int j = 0; j < width; j++) {
                        out[i][rows[k] * width + j] = (float) sums[i][k * width + j];
                    }
                }
            } else {
                out[i] = new float[sums[i].length];
                for (int j = 0; j < sums[i].length; j++) {
                    out[i][j] = (float) sums[i][j];
                }
            }
        }
        return out;
    }

    /** Values per row of tensor {@code i}, an embedding table (its bias tensor has one value per row). */
    private static int width(float[][] tensors, int i) {
        return tensors[i].length / tensors[(i / 2) * 2 + 1].length;
    }

    /**
     * Per embedding column: the rows any worker looked up (ascending) and their total lookups. Built
     * from the contributions' own sorted lists, so its size follows the touched rows, not the tables.
     */
    private static final class TouchedRows {
        final int[][] rows;
        final long[][] lookups;

        TouchedRows(Collection<Contribution> contributions) {
            int columns = contributions.iterator().next().touchedRows.length;
            rows = new int[columns][];
            lookups = new long[columns][];
            for (int e = 0; e < columns; e++) {
                int n = 0;
                for (Contribution c : contributions) {
                    n += c.touchedRows[e].length;
                }
                int[] all = new int[n];
                int at = 0;
                for (Contribution c : contributions) {
                    System.arraycopy(c.touchedRows[e], 0, all, at, c.touchedRows[e].length);
                    at += c.touchedRows[e].length;
                }
                rows[e] = Arrays.stream(all).sorted().distinct().toArray();
                lookups[e] = new long[rows[e].length];
                for (Contribution c : contributions) {
                    for (int k = 0; k < c.touchedRows[e].length; k++) {
                        lookups[e][position(rows[e], c.touchedRows[e][k])] += c.lookups[e][k];
                    }
                }
            }
        }

        /** Where table row {@code row} of column {@code e} sits in {@link #rows}. */
        int position(int e, int row) {
            return position(rows[e], row);
        }

        private static int position(int[] sorted, int row) {
            return Arrays.binarySearch(sorted, row);
        }
    }
}
