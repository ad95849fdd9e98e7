package io.neuralrate.bench;

import java.util.Arrays;

/** Summary statistics of repeated measurements. */
final class Stats {
    private Stats() {}

    /** The median of {@code values} (NaN for none); benchmark figures are medians of several runs. */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
