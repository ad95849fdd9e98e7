package io.neuralrate.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lazy update of embedding tables: only the rows a batch looks up move, with their optimizer state. */
class NetworkTrainerTest {
    private static final float LR = 0.01f;

    @Test
    void aStepMovesOnlyTheLookedUpTableRowsAndTheirAdamMoments() {
        EngineBootstrap.ensureLoaded(1);
        // Two embedding columns (5 users, 4 items; the last row of each is "unknown"), two features.
        NetworkSpec spec = new NetworkSpec(2, new int[] {4}, Activation.RELU, 0f, new int[] {5, 4}, 3, 0f, 1f);
        float[][] initial = spec.initialParameters(3);
        try (NDManager root = NDManager.newBaseManager();
             NetworkTrainer trainer = new NetworkTrainer(MlpNetwork.create(root, spec, initial, true),
                     LossKind.MSE, OptimizerKind.ADAM, null, 0, LR, 0.1f)) {
            try (NDManager step = root.newSubManager()) {
                NDArray features = step.create(new float[] {0.5f, -1f, 1f, 0.2f, -0.3f, 0.4f}, new Shape(3, 2));
                // User 1 twice (its gradients add up) and user 3; items 0, 2 and 2.
                NDArray[] indices = {step.create(new long[] {1, 3, 1}), step.create(new long[] {0, 2, 2})};
                trainer.step(features, indices, step.create(new float[] {2f, -2f, 1f}), null, null);
            }
            float[][] after = trainer.network().parameterValues();
            float[][][] moments = trainer.optimizerState();
            int dim = spec.embeddingDim();
            assertRowsMoved(initial[0], after[0], moments, 0, dim, new int[] {1, 3}, 6);
            assertRowsMoved(initial[1], after[1], moments, 1, 1, new int[] {1, 3}, 6);
            assertRowsMoved(initial[2], after[2], moments, 2, dim, new int[] {0, 2}, 5);
            assertRowsMoved(initial[3], after[3], moments, 3, 1, new int[] {0, 2}, 5);
            for (int i = spec.embeddingTableCount(); i < initial.length; i++) {
                assertTrue(maxAbsDiff(initial[i], after[i]) > 0, "dense tensor " + i + " is updated");
            }
            assertEquals(1, trainer.stepCount());
        }
    }

    /**
     * At Adam's first step from zero moments every element with a gradient moves by about the
     * learning rate; rows that were not looked up keep their values and zero moments exactly (a dense
     * update would move them too: weight decay gives every row a gradient).
     */
    private static void assertRowsMoved(float[] before, float[] after, float[][][] moments, int tensor, int width,
                                        int[] touched, int rows) {
        for (int row = 0; row < rows; row++) {
            int r = row;
            boolean isTouched = Arrays.stream(touched).anyMatch(t -> t == r);
            float[] b = Arrays.copyOfRange(before, row * width, (row + 1) * width);
            float[] a = Arrays.copyOfRange(after, row * width, (row + 1) * width);
            float[] m = Arrays.copyOfRange(moments[0][tensor], row * width, (row + 1) * width);
            if (!isTouched) {
                assertArrayEquals(b, a, "tensor " + tensor + " row " + row + " was not looked up");
                assertArrayEquals(new float[width], m, "tensor " + tensor + " row " + row + " first moment");
                continue;
            }
            for (int k = 0; k < width; k++) {
                if (m[k] != 0) {
                    assertEquals(LR, Math.abs(a[k] - b[k]), LR * 1e-3, "tensor " + tensor + " row " + row + " col " + k);
                }
            }
            assertTrue(maxAbsDiff(b, a) > 0, "tensor " + tensor + " row " + row + " was looked up and moves");
        }
    }

    private static float maxAbsDiff(float[] a, float[] b) {
        float max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }
}
