package io.neuralrate.train;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Averaging a round: embedding rows over the workers that looked them up, dense tensors by samples. */
class RoundResultTest {
    // One embedding column with a 4-row table of width 2 (tensor 0) and its biases (tensor 1), one dense tensor.
    private static final float[][] BROADCAST = {{0, 0, 1, 1, 2, 2, 3, 3}, {10, 11, 12, 13}, {5, 5}};

    @Test
    void rowsAreAveragedOverTheirUsersAndUntouchedRowsKeepTheBroadcastValues() {
        // Worker 0: 1 sample of row 0, 3 of row 2. Worker 1: 1 sample of row 2.
        RoundResult.Contribution first = contribution(4, new int[] {0, 2, 2, 2}, 100, 0);
        RoundResult.Contribution second = contribution(1, new int[] {2}, 200, 10);
        float[][] broadcast = copy(BROADCAST);
        ModelState previous = new ModelState(broadcast, ModelState.zeroState(1, broadcast), 7);
        float[] dense = broadcast[2];
        ModelState next = new RoundResult().add(1, second).add(0, first).average(previous);

        assertArrayEquals(new float[] {100, 100, 1, 1, 125, 125, 3, 3}, next.parameters[0], 1e-4f,
                "row 0 from worker 0 alone; row 2 weighted 3:1 by lookups; rows 1 and 3 unchanged");
        assertArrayEquals(new float[] {100, 11, 125, 13}, next.parameters[1], 1e-4f);
        assertArrayEquals(new float[] {4 * 100f / 5 + 200f / 5, 4 * 100f / 5 + 200f / 5}, next.parameters[2], 1e-4f,
                "dense tensors weighted by samples");
        assertArrayEquals(new float[] {1, 1, 0, 0, 1.25f, 1.25f, 0, 0}, next.optimizerState[0][0], 1e-4f,
                "optimizer state averaged like the parameters");
        assertEquals(7 + 10, next.step, "the step count advances by the most steps a worker took");
        assertSame(broadcast[0], next.parameters[0], "tables are updated in place, not copied");
        assertSame(previous.optimizerState[0][0], next.optimizerState[0][0]);
        assertArrayEquals(new float[] {5, 5}, dense, "dense tensors are new arrays");
    }

    private static float[][] copy(float[][] tensors) {
        float[][] out = new float[tensors.length][];
        for (int i = 0; i < tensors.length; i++) {
            out[i] = tensors[i].clone();
        }
        return out;
    }

    @Test
    void aContributionCarriesOnlyTheRowsItLookedUp() {
        RoundResult.Contribution c = contribution(4, new int[] {3, 0, 3, 3}, 1, 0);
        assertArrayEquals(new int[] {0, 3}, c.touchedRows[0]);
        assertArrayEquals(new int[] {1, 3}, c.lookups[0]);
        assertEquals(2 * 2, c.parameters[0].length);
        assertEquals(2, c.parameters[1].length);
        assertEquals(2, c.parameters[2].length, "dense tensors whole");
    }

    /** A worker whose every value is {@code value} (its state {@code value / 100}), after {@code steps} steps. */
    private static RoundResult.Contribution contribution(int samples, int[] rows, float value, int steps) {
        float[][] params = new float[BROADCAST.length][];
        float[][] state = new float[BROADCAST.length][];
        for (int i = 0; i < params.length; i++) {
            params[i] = new float[BROADCAST[i].length];
            state[i] = new float[BROADCAST[i].length];
            Arrays.fill(params[i], value);
            Arrays.fill(state[i], value / 100);
        }
        return RoundResult.Contribution.of(samples, 0, Math.max(steps, 1), params, new float[][][] {state},
                new int[][] {rows}, new int[] {4}, 0.1);
    }
}
