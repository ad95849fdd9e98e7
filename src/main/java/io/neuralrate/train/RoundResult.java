package io.neuralrate.train;

import java.io.Serializable;
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
 * sparse updates by the worker count, which made 4 workers converge 10% worse than 1). Rows no
 * worker looked up fall back to the sample-weighted mean.
 */
final class RoundResult implements Serializable {
    private static final long serialVersionUID = 1L;

    /** One worker's state after its share of the round. */
    static final class Contribution implements Serializable {
        private static final long serialVersionUID = 1L;
        final long samples;
        final double lossSum;
        final long steps;
        final float[][] parameters;
        final float[][][] optimizerState;
        /** Per embedding column, lookups of each table row in this round. */
        final int[][] rowCounts;
        final double seconds;

        Contribution(long samples, double lossSum, long steps, float[][] parameters, float[][][] optimizerState,
                     int[][] rowCounts, double seconds) {
            this.rowCounts = rowCounts;
            this.seconds = seconds;
            this.samples = samples;
            this.lossSum = lossSum;
            this.steps = steps;
            this.parameters = parameters;
            this.optimizerState = optimizerState;
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

    private long[][] rowTotals() {
        long[][] totals = null;
        for (Contribution c : contributions.values()) {
            if (totals == null) {
                totals = new long[c.rowCounts.length][];
                for (int e = 0; e < totals.length; e++) {
                    totals[e] = new long[c.rowCounts[e].length];
                }
            }
            for (int e = 0; e < totals.length; e++) {
                for (int r = 0; r < totals[e].length; r++) {
                    totals[e][r] += c.rowCounts[e][r];
                }
            }
        }
        return totals;
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
     * The sample-weighted average of the workers' parameters and optimizer state; the step
     * count advances by the most steps any worker took.
     *
     * @param previous the state broadcast at the start of the round
     * @return the next state, or {@code previous} if no worker trained
     */
    ModelState average(ModelState previous) {
        long total = samples();
        if (total == 0) {
            return previous;
        }
        long[][] rowTotals = rowTotals();
        float[][] params = weightedMean(previous.parameters, -1, total, rowTotals);
        float[][][] state = new float[previous.optimizerState.length][][];
        for (int s = 0; s < state.length; s++) {
            state[s] = weightedMean(previous.optimizerState[s], s, total, rowTotals);
        }
        long steps = 0;
        for (Contribution c : contributions.values()) {
            steps = Math.max(steps, c.steps);
        }
        return new ModelState(params, state, previous.step + steps);
    }

    private float[][] weightedMean(float[][] shapeOf, int slot, long total, long[][] rowTotals) {
        double[][] sums = new double[shapeOf.length][];
        for (int i = 0; i < shapeOf.length; i++) {
            sums[i] = new double[shapeOf[i].length];
        }
        // Embedding column e owns tensors 2e (table) and 2e+1 (bias), one row per index (NetworkSpec).
        int sparseTensors = 2 * rowTotals.length;
        for (Contribution c : contributions.values()) {
            float[][] values = slot < 0 ? c.parameters : c.optimizerState[slot];
            double w = (double) c.samples / total;
            for (int i = 0; i < values.length; i++) {
                float[] v = values[i];
                double[] s = sums[i];
                if (i < sparseTensors) {
                    int[] counts = c.rowCounts[i / 2];
                    long[] totals = rowTotals[i / 2];
                    int width = v.length / counts.length;
                    for (int r = 0; r < counts.length; r++) {
                        double rw = totals[r] == 0 ? w : (double) counts[r] / totals[r];
                        for (int j = r * width; j < (r + 1) * width; j++) {
                            s[j] += rw * v[j];
                        }
                    }
                } else {
                    for (int j = 0; j < v.length; j++) {
                        s[j] += w * v[j];
                    }
                }
            }
        }
        float[][] out = new float[sums.length][];
        for (int i = 0; i < sums.length; i++) {
            out[i] = new float[sums[i].length];
            for (int j = 0; j < sums[i].length; j++) {
                out[i][j] = (float) sums[i][j];
            }
        }
        return out;
    }
}
