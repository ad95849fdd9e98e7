package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

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
        /** The tensors after the embedding tables, in layout order. */
        final float[][] dense;
        /** Per optimizer slot, the state of {@link #dense}. */
        final float[][][] denseState;
        /** Per embedding column, the rows the worker looked up, trained; null once sent to the shards. */
        final TableSlice[] tables;
        /** Per embedding column, how often each row of {@link #tables} was looked up. */
        final int[][] lookups;
        final double seconds;

        private Contribution(long samples, double lossSum, long steps, float[][] dense, float[][][] denseState,
                             TableSlice[] tables, int[][] lookups, double seconds) {
            this.samples = samples;
            this.lossSum = lossSum;
            this.steps = steps;
            this.dense = dense;
            this.denseState = denseState;
            this.tables = tables;
            this.lookups = lookups;
            this.seconds = seconds;
        }

        /**
         * A worker's contribution from its network after the round.
         *
         * @param samples samples trained on
         * @param lossSum summed loss
         * @param steps optimizer steps taken
         * @param spec the network's shape
         * @param parameters the worker network's values in layout order; its tables hold the rows of {@code
         *     tables}, in their order
         * @param optimizerState the worker's optimizer state, {@code [slot][tensor][]}, laid out likewise
         * @param tables per embedding column, the rows the worker was given (all of them looked up)
         * @param positions per embedding column, each sample's position among those rows
         * @param seconds time spent training
         * @return the contribution
         */
        static Contribution of(long samples, double lossSum, long steps, NetworkSpec spec, float[][] parameters,
                               float[][][] optimizerState, TableSlice[] tables, int[][] positions, double seconds) {
            int tableCount = spec.embeddingTableCount();
            TableSlice[] trained = new TableSlice[tables.length];
            int[][] lookups = new int[tables.length][];
            for (int e = 0; e < tables.length; e++) {
                float[][] vectorState = new float[optimizerState.length][];
                float[][] biasState = new float[optimizerState.length][];
                for (int s = 0; s < optimizerState.length; s++) {
                    vectorState[s] = optimizerState[s][2 * e];
                    biasState[s] = optimizerState[s][2 * e + 1];
                }
                trained[e] = new TableSlice(tables[e].dim, tables[e].rows, parameters[2 * e], parameters[2 * e + 1],
                        vectorState, biasState);
                lookups[e] = new int[tables[e].size()];
                for (int at : positions[e]) {
                    lookups[e][at]++;
                }
            }
            float[][][] denseState = new float[optimizerState.length][][];
            for (int s = 0; s < denseState.length; s++) {
                denseState[s] = Arrays.copyOfRange(optimizerState[s], tableCount, optimizerState[s].length);
            }
            return new Contribution(samples, lossSum, steps,
                    Arrays.copyOfRange(parameters, tableCount, parameters.length), denseState, trained, lookups,
                    seconds);
        }

        /** This contribution without its table rows (what the driver needs when the shards average them). */
        Contribution withoutTables() {
            return new Contribution(samples, lossSum, steps, dense, denseState, null, null, seconds);
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
     * <p>When the contributions carry table rows, the embedding tables of {@code previous} are
     * updated in place, row by touched row ({@link RowAverager}), so a round costs the driver time
     * and memory in proportion to the rows the workers touched, not to the tables; the caller must
     * not hold on to {@code previous}'s table arrays (the trainer copies the best epoch's parameters
     * when it keeps them). Without table rows (the shards average them), the tables are left as they
     * are. Dense tensors are new arrays.
     *
     * @param previous the state at the start of the round
     * @return the next state, or {@code previous} if no worker trained
     */
    ModelState average(ModelState previous) {
        long total = samples();
        if (total == 0) {
            return previous;
        }
        int tableCount = previous.parameters.length - contributions.firstEntry().getValue().dense.length;
        float[][] params = previous.parameters.clone();
        float[][][] state = new float[previous.optimizerState.length][][];
        for (int s = 0; s < state.length; s++) {
            state[s] = previous.optimizerState[s].clone();
        }
        averageDense(params, -1, tableCount, total);
        for (int s = 0; s < state.length; s++) {
            averageDense(state[s], s, tableCount, total);
        }
        if (contributions.firstEntry().getValue().tables != null) {
            for (int e = 0; e < tableCount / 2; e++) {
                List<TableSlice> slices = new ArrayList<>();
                List<int[]> lookups = new ArrayList<>();
                for (Contribution c : contributions.values()) {
                    slices.add(c.tables[e]);
                    lookups.add(c.lookups[e]);
                }
                RowAverager.average(slices, lookups, wholeTable(params, state, e), row -> row);
            }
        }
        long steps = 0;
        for (Contribution c : contributions.values()) {
            steps = Math.max(steps, c.steps);
        }
        return new ModelState(params, state, previous.step + steps);
    }

    /** Replaces the dense tensors of {@code out} by the workers' means, weighted by samples. */
    private void averageDense(float[][] out, int slot, int tableCount, long total) {
        for (int i = tableCount; i < out.length; i++) {
            double[] sum = new double[out[i].length];
            for (Contribution c : contributions.values()) {
                float[] v = slot < 0 ? c.dense[i - tableCount] : c.denseState[slot][i - tableCount];
                double w = (double) c.samples / total;
                for (int j = 0; j < v.length; j++) {
                    sum[j] += w * v[j];
                }
            }
            out[i] = new float[sum.length];
            for (int j = 0; j < sum.length; j++) {
                out[i][j] = (float) sum[j];
            }
        }
    }

    /** Column {@code e}'s whole table and state as a slice whose row r sits at position r (no copy). */
    private static TableSlice wholeTable(float[][] params, float[][][] state, int e) {
        float[][] vectorState = new float[state.length][];
        float[][] biasState = new float[state.length][];
        for (int s = 0; s < state.length; s++) {
            vectorState[s] = state[s][2 * e];
            biasState[s] = state[s][2 * e + 1];
        }
        int dim = params[2 * e].length / Math.max(1, params[2 * e + 1].length);
        return new TableSlice(dim, null, params[2 * e], params[2 * e + 1], vectorState, biasState);
    }
}
