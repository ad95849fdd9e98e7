package io.neuralrate.bench;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PatternSearchTest {
    private static final PatternSearch.Dimension RATE = PatternSearch.Dimension.strength("rate", 1e-3, 1e-9, 1e3);
    private static final PatternSearch.Dimension SIZE = PatternSearch.Dimension.size("size", 8, 1, 4096);

    /** A bowl in log space, lowest at rate 0.1 (8 fine grid points above the start) and size 128. */
    private static double bowl(double[] v) {
        double r = Math.log10(v[0]) + 1;
        double s = Math.log(v[1] / 128) / Math.log(2);
        return r * r + s * s;
    }

    @Test
    void walksPastTheStartingGridToTheOptimumAndFitsEveryFineNeighbourOfIt() {
        Set<String> fitted = new HashSet<>();
        PatternSearch.Outcome outcome = PatternSearch.minimise(List.of(RATE, SIZE), 100, v -> {
            assertTrue(fitted.add(v[0] + "/" + v[1]), "a setting is fitted once");
            return bowl(v);
        });
        assertEquals(0.1, outcome.best()[0], 1e-12);
        assertEquals(128, outcome.best()[1]);
        assertTrue(outcome.converged());
        assertTrue(outcome.atBound().isEmpty());
        assertEquals(fitted.size(), outcome.trials().size());
        // The fine neighbours of the choice were all fitted, so the choice is not at the edge of what was tried.
        for (double[] n : new double[][] {{0.1 * RATE.factor(), 128}, {0.1 / RATE.factor(), 128}, {0.1, 181}, {0.1, 91}}) {
            assertTrue(outcome.trials().stream().anyMatch(t -> Math.abs(t.values()[0] / n[0] - 1) < 1e-9
                    && t.values()[1] == n[1]), java.util.Arrays.toString(n));
        }
    }

    @Test
    void stopsAtTheBudgetAndSaysItDidNotConverge() {
        AtomicInteger fits = new AtomicInteger();
        PatternSearch.Outcome outcome = PatternSearch.minimise(List.of(RATE, SIZE), 5, v -> {
            fits.incrementAndGet();
            return bowl(v);
        });
        assertEquals(5, fits.get());
        assertEquals(5, outcome.trials().size());
        assertFalse(outcome.converged());
        double best = outcome.trials().stream().mapToDouble(PatternSearch.Trial::score).min().orElseThrow();
        assertEquals(best, outcome.bestScore(), 0.0);
    }

    @Test
    void anOptimumBeyondADimensionsBoundIsReportedAtTheBound() {
        PatternSearch.Dimension capped = PatternSearch.Dimension.size("size", 8, 1, 32);
        PatternSearch.Outcome outcome = PatternSearch.minimise(List.of(RATE, capped), 100, PatternSearchTest::bowl);
        assertArrayEquals(new double[] {0.1, 32}, outcome.best(), 1e-12);
        assertTrue(outcome.converged());
        assertEquals(List.of("size"), outcome.atBound());
    }

    @Test
    void aStartOutsideTheBoundsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> PatternSearch.Dimension.strength("rate", 10, 0, 1));
    }
}
