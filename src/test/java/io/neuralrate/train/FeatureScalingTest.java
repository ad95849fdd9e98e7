package io.neuralrate.train;

import io.neuralrate.nn.Activation;
import io.neuralrate.nn.NetworkSpec;
import org.junit.jupiter.api.Test;

import java.nio.FloatBuffer;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The features' standardisation and its folding into the first layer. */
class FeatureScalingTest {
    @Test
    void theFoldedFirstLayerOnRawFeaturesEqualsTheTrainedLayerOnScaledOnes() {
        int d = 3;
        int dim = 2;
        NetworkSpec spec = new NetworkSpec(d, new int[] {4}, Activation.RELU, 0f, new int[] {5}, dim, 0f, 1f);
        Random random = new Random(1);
        float[][] rows = new float[50][d];
        double[] sum = new double[d];
        double[] squares = new double[d];
        for (float[] row : rows) {
            row[0] = (float) (1000 + 50 * random.nextGaussian()); // large offset
            row[1] = (float) (0.01 * random.nextGaussian());      // tiny scale
            row[2] = 7f;                                          // constant
            for (int j = 0; j < d; j++) {
                sum[j] += row[j];
                squares[j] += (double) row[j] * row[j];
            }
        }
        FeatureScaling scaling = FeatureScaling.of(rows.length, sum, squares);
        int in = d + dim; // the features, then the embedding
        float[] weights = new float[4 * in];
        float[] bias = new float[4];
        for (int i = 0; i < weights.length; i++) {
            weights[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) random.nextGaussian();
        }
        float[][] dense = {weights, bias, new float[4], new float[1]};
        float[][] folded = scaling.fold(dense, spec);
        assertArrayEquals(dense[2], folded[2], "only the first layer changes");

        float[] embedding = {0.3f, -1.2f};
        for (float[] row : rows) {
            float[] scaled = new float[d];
            scaling.scaleInto(row, 0, FloatBuffer.wrap(scaled), 0, d);
            assertEquals(0f, scaled[2], "a constant feature scales to 0");
            for (int i = 0; i < 4; i++) {
                double trained = bias[i];
                double raw = folded[1][i];
                for (int j = 0; j < d; j++) {
                    trained += (double) weights[i * in + j] * scaled[j];
                    raw += (double) folded[0][i * in + j] * row[j];
                }
                for (int k = 0; k < dim; k++) {
                    trained += (double) weights[i * in + d + k] * embedding[k];
                    raw += (double) folded[0][i * in + d + k] * embedding[k];
                }
                assertEquals(trained, raw, 1e-3, "unit " + i);
            }
        }
        // The scaled features have mean 0 and standard deviation 1.
        double mean = 0;
        double square = 0;
        for (float[] row : rows) {
            float[] scaled = scaling.scaled(row, 0, 1, d);
            mean += scaled[0] / rows.length;
            square += (double) scaled[0] * scaled[0] / rows.length;
        }
        assertEquals(0, mean, 1e-3);
        assertEquals(1, square, 1e-3);
    }
}
