package io.neuralrate.train;

import io.neuralrate.nn.NetworkSpec;

import java.io.Serializable;
import java.nio.FloatBuffer;

/**
 * Standardisation of the dense features while training: each feature is centred on its mean over
 * the training rows and divided by its standard deviation (a constant feature becomes 0), as Spark's
 * {@code LinearRegression} does with {@code standardization}. Features of very different ranges (an
 * age next to one-hot columns) then train at one learning rate. The trained network is handed back
 * for raw features: the scaling is folded into its first layer ({@link #fold}), so a model never
 * stores it and scoring applies nothing.
 */
final class FeatureScaling implements Serializable {
    private static final long serialVersionUID = 1L;

    private final float[] mean;
    /** 1 / standard deviation, or 0 for a constant feature. */
    private final float[] scale;

    private FeatureScaling(float[] mean, float[] scale) {
        this.mean = mean;
        this.scale = scale;
    }

    /**
     * The scaling of features whose training rows sum to {@code sum} and {@code squareSum}.
     *
     * @param rows the (weighted) number of training rows
     * @param sum per feature, the (weighted) sum of its values
     * @param squareSum per feature, the (weighted) sum of its squared values
     * @return the scaling
     */
    static FeatureScaling of(double rows, double[] sum, double[] squareSum) {
        float[] mean = new float[sum.length];
        float[] scale = new float[sum.length];
        for (int j = 0; j < sum.length; j++) {
            double m = rows > 0 ? sum[j] / rows : 0;
            double variance = rows > 0 ? squareSum[j] / rows - m * m : 0;
            mean[j] = (float) m;
            scale[j] = variance > 1e-12 * Math.max(1, m * m) ? (float) (1 / Math.sqrt(variance)) : 0f;
        }
        return new FeatureScaling(mean, scale);
    }

    /** Writes {@code d} scaled features of {@code source} (from {@code from}) into {@code target} at {@code at}. */
    void scaleInto(float[] source, int from, FloatBuffer target, int at, int d) {
        for (int j = 0; j < d; j++) {
            target.put(at + j, (source[from + j] - mean[j]) * scale[j]);
        }
    }

    /** {@code n} rows of {@code d} features of {@code source} (from row {@code start}), scaled, in a new array. */
    float[] scaled(float[] source, int start, int n, int d) {
        float[] out = new float[n * d];
        FloatBuffer target = FloatBuffer.wrap(out);
        for (int i = 0; i < n; i++) {
            scaleInto(source, (start + i) * d, target, i * d, d);
        }
        return out;
    }

    /** A digest of the scaling's values (for checkpoint matching). */
    int digest() {
        return 31 * java.util.Arrays.hashCode(mean) + java.util.Arrays.hashCode(scale);
    }

    /**
     * The dense parameters of a network trained on scaled features, for raw ones: the first layer's
     * weights of feature {@code j} times its scale, and its bias less what the means contributed
     * ({@code W x' + b = (W S) x + (b - W S m)}).
     *
     * @param dense the parameters after the embedding tables (first layer's weights, then its bias, ...)
     * @param spec the network's shape
     * @return new parameters, the same except the first layer's
     */
    float[][] fold(float[][] dense, NetworkSpec spec) {
        float[][] out = dense.clone();
        float[] weights = dense[0].clone();
        float[] bias = dense[1].clone();
        int in = weights.length / bias.length;
        int d = spec.numFeatures();
        for (int i = 0; i < bias.length; i++) {
            double shift = 0;
            for (int j = 0; j < d; j++) {
                double w = (double) weights[i * in + j] * scale[j];
                shift += w * mean[j];
                weights[i * in + j] = (float) w;
            }
            bias[i] = (float) (bias[i] - shift);
        }
        out[0] = weights;
        out[1] = bias;
        return out;
    }
}
