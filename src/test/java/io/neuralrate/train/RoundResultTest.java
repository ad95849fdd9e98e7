package io.neuralrate.train;

import io.neuralrate.nn.Activation;
import io.neuralrate.nn.NetworkSpec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Averaging a round: embedding rows over the workers that looked them up, dense tensors by samples. */
class RoundResultTest {
    // One embedding column: a 4-row table of width 2 (3 indices and the unknown row); one hidden unit.
    private static final NetworkSpec SPEC = new NetworkSpec(0, new int[] {1}, Activation.RELU, 0, new int[] {3}, 2,
            0, 1);
    private static final float[][] START = {{0, 0, 1, 1, 2, 2, 3, 3}, {10, 11, 12, 13}, {5, 5}, {5}, {5}, {5}};

    @Test
    void rowsAreAveragedOverTheirUsersAndUntouchedRowsKeepTheirValues() {
        // Worker 0: 1 sample of row 0, 3 of row 2. Worker 1: 1 sample of row 2.
        RoundResult.Contribution first = contribution(new int[] {0, 2, 2, 2}, 100, 0);
        RoundResult.Contribution second = contribution(new int[] {2}, 200, 10);
        float[][] start = copy(START);
        ModelState previous = new ModelState(start, ModelState.zeroState(1, start), 7);
        float[] dense = start[2];
        ModelState next = new RoundResult().add(1, second).add(0, first).average(previous);

        assertArrayEquals(new float[] {100, 100, 1, 1, 125, 125, 3, 3}, next.parameters[0], 1e-4f,
                "row 0 from worker 0 alone; row 2 weighted 3:1 by lookups; rows 1 and 3 unchanged");
        assertArrayEquals(new float[] {100, 11, 125, 13}, next.parameters[1], 1e-4f);
        assertArrayEquals(new float[] {4 * 100f / 5 + 200f / 5, 4 * 100f / 5 + 200f / 5}, next.parameters[2], 1e-4f,
                "dense tensors weighted by samples");
        assertArrayEquals(new float[] {1, 1, 0, 0, 1.25f, 1.25f, 0, 0}, next.optimizerState[0][0], 1e-4f,
                "optimizer state averaged like the parameters");
        assertEquals(7 + 10, next.step, "the step count advances by the most steps a worker took");
        assertSame(start[0], next.parameters[0], "tables are updated in place, not copied");
        assertSame(previous.optimizerState[0][0], next.optimizerState[0][0]);
        assertArrayEquals(new float[] {5, 5}, dense, "dense tensors are new arrays");
    }

    @Test
    void shardsAverageTheirRowsExactlyAsTheDriverDoes() {
        // Three workers with different values per row, rows shared between them, lookups of different weights.
        List<RoundResult.Contribution> workers = List.of(
                distinctContribution(new int[] {0, 2, 2, 3}, 100.3f),
                distinctContribution(new int[] {2, 1, 3, 3, 3}, 200.7f),
                distinctContribution(new int[] {3, 0, 2}, 0.123f));
        RoundResult round = new RoundResult();
        for (int p = workers.size() - 1; p >= 0; p--) { // merged in any order, summed in partition order
            round.add(p, workers.get(p));
        }
        float[][] start = copy(START);
        ModelState driver = round.average(new ModelState(start, ModelState.zeroState(1, start), 0));

        // The same round through two shards (rows 0, 2 and rows 1, 3), each averaging what the workers send it.
        float[][][] zero = ModelState.zeroState(1, START);
        for (int shard = 0; shard < 2; shard++) {
            int[] rows = EmbeddingShard.rowsOf(4, shard, 2);
            EmbeddingShard held = EmbeddingShard.of(shard, 2,
                    new TableSlice[] {TableSlice.cut(START, zero, 0, 2, rows)}, 7);
            List<TableSlice[]> sent = new ArrayList<>();
            List<int[][]> lookups = new ArrayList<>();
            for (int p = 0; p < workers.size(); p++) {
                ShardedTables.Update u = ShardedTables.Update.of(p, workers.get(p), shard, 2);
                sent.add(u.tables);
                lookups.add(u.lookups);
            }
            held.apply(sent, lookups, 7, 8);
            TableSlice after = held.columns[0];
            float[] vectorsOnce = after.vectors.clone();
            float[] stateOnce = after.vectorState[0].clone();
            held.apply(sent, lookups, 7, 8); // a retried task
            assertArrayEquals(vectorsOnce, after.vectors, 0f, "a retried update is accepted and changes nothing");
            assertArrayEquals(stateOnce, after.vectorState[0], 0f);
            assertThrows(EmbeddingShard.StaleShardException.class, () -> held.serve(new int[][] {rows}, 7),
                    "serving the version before the update (a recomputed round) fails");
            assertThrows(EmbeddingShard.StaleShardException.class, () -> held.apply(sent, lookups, 9, 10),
                    "an update made for another version fails");
            for (int k = 0; k < rows.length; k++) {
                int r = rows[k];
                assertArrayEquals(Arrays.copyOfRange(driver.parameters[0], 2 * r, 2 * r + 2),
                        Arrays.copyOfRange(after.vectors, 2 * k, 2 * k + 2), 0f, "row " + r + " bit for bit");
                assertEquals(driver.parameters[1][r], after.biases[k], 0f);
                assertArrayEquals(Arrays.copyOfRange(driver.optimizerState[0][0], 2 * r, 2 * r + 2),
                        Arrays.copyOfRange(after.vectorState[0], 2 * k, 2 * k + 2), 0f);
                assertEquals(driver.optimizerState[0][1][r], after.biasState[0][k], 0f);
            }
        }
    }

    @Test
    void aContributionCarriesOnlyTheRowsItLookedUp() {
        RoundResult.Contribution c = contribution(new int[] {3, 0, 3, 3}, 1, 0);
        assertArrayEquals(new int[] {0, 3}, c.tables[0].rows);
        assertArrayEquals(new int[] {1, 3}, c.lookups[0]);
        assertEquals(2 * 2, c.tables[0].vectors.length);
        assertEquals(2, c.tables[0].biases.length);
        assertEquals(2, c.dense[0].length, "dense tensors whole");
    }

    /** Like {@link #contribution}, but each row's values differ (so that an order of summing shows). */
    private static RoundResult.Contribution distinctContribution(int[] lookups, float value) {
        RoundResult.Contribution c = contribution(lookups, value, 1);
        TableSlice t = c.tables[0];
        for (int k = 0; k < t.size(); k++) {
            t.biases[k] = value / (3 + t.rows[k]);
            t.biasState[0][k] = value / (7 + t.rows[k]);
            for (int j = 0; j < 2; j++) {
                t.vectors[2 * k + j] = value / (11 + 2 * t.rows[k] + j);
                t.vectorState[0][2 * k + j] = value / (13 + 2 * t.rows[k] + j);
            }
        }
        return c;
    }

    private static float[][] copy(float[][] tensors) {
        float[][] out = new float[tensors.length][];
        for (int i = 0; i < tensors.length; i++) {
            out[i] = tensors[i].clone();
        }
        return out;
    }

    /**
     * A worker that looked up {@code lookups} (one sample each) and whose every trained value is
     * {@code value} (its state a hundredth of that), after {@code steps} steps.
     */
    private static RoundResult.Contribution contribution(int[] lookups, float value, int steps) {
        int[][] distinct = RoundRows.distinct(new int[][] {lookups});
        TableSlice given = TableSlice.cut(START, ModelState.zeroState(1, START), 0, 2, distinct[0]);
        int n = given.size();
        float[][] params = new float[START.length][];
        float[][] state = new float[START.length][];
        params[0] = new float[2 * n];
        params[1] = new float[n];
        for (int i = 2; i < START.length; i++) {
            params[i] = new float[START[i].length];
        }
        for (int i = 0; i < params.length; i++) {
            Arrays.fill(params[i], value);
            state[i] = new float[params[i].length];
            Arrays.fill(state[i], value / 100);
        }
        return RoundResult.Contribution.of(lookups.length, 0, Math.max(steps, 1), SPEC, params,
                new float[][][] {state}, new TableSlice[] {given}, ShardTrainer.positions(new int[][] {lookups},
                        new TableSlice[] {given}), 0.1);
    }
}
