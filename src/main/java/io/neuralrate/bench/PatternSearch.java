package io.neuralrate.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Hyperparameter tuning with a fixed budget of fits, the same for every model of a comparison: a
 * compass search on a geometric grid that has no edges.
 *
 * <p>Each hyperparameter is a {@link Dimension}, a grid {@code start * factor^i} over all integers
 * {@code i} (within the value's natural bounds). The search starts at {@code i = 0} in every
 * dimension and tries the two neighbours in each dimension at a coarse step of two grid points,
 * moving to the first one that scores better; when no coarse neighbour is better, it does the same
 * at the fine step of one grid point. It ends when no fine neighbour is better (every fine
 * neighbour of the choice was fitted: the choice is a local optimum of the grid, never an edge of it,
 * as a fixed grid's can be) or when the budget of fits is spent (then the result says so).
 */
final class PatternSearch {
    private PatternSearch() {}

    /**
     * One hyperparameter: the values {@code start * factor^i} for integers {@code i}, rounded when
     * {@code integral}, limited to {@code [min, max]}.
     */
    record Dimension(String name, double start, double factor, double min, double max, boolean integral) {
        Dimension {
            if (!(start >= min && start <= max && factor > 1)) {
                throw new IllegalArgumentException(name + ": start " + start + " outside [" + min + ", " + max
                        + "] or factor " + factor + " not above 1");
            }
        }

        /** A rate or a regularisation strength: grid points a quarter of a decade apart (a half decade coarse). */
        static Dimension strength(String name, double start, double min, double max) {
            return new Dimension(name, start, Math.pow(10, 0.25), min, max, false);
        }

        /** A size: grid points a factor of √2 apart (a factor of 2 coarse), whole numbers. */
        static Dimension size(String name, int start, int min, int max) {
            return new Dimension(name, start, Math.sqrt(2), min, max, true);
        }

        double value(int index) {
            double v = start * Math.pow(factor, index);
            return integral ? Math.round(v) : v;
        }

        boolean allows(int index) {
            double v = value(index);
            return v >= min && v <= max;
        }
    }

    /** One fit: the values it used, in the order of the dimensions, and its score (lower is better). */
    record Trial(double[] values, double score) {
    }

    /**
     * The search's result.
     *
     * @param best the chosen values, in the order of the dimensions
     * @param bestScore their score
     * @param trials every fit, in the order they were made
     * @param converged whether every fine neighbour of the choice inside its dimension's bounds was
     *     fitted and none was better (false: the budget ran out first)
     * @param atBound the dimensions whose chosen value has a fine neighbour outside their bounds
     */
    record Outcome(double[] best, double bestScore, List<Trial> trials, boolean converged, List<String> atBound) {
    }

    /** Minimises {@code score} over the grid of {@code dimensions} with at most {@code budget} fits. */
    static Outcome minimise(List<Dimension> dimensions, int budget, ToDoubleFunction<double[]> score) {
        if (dimensions.isEmpty() || budget < 1) {
            throw new IllegalArgumentException("a search needs a dimension and a budget of at least one fit");
        }
        Map<String, Trial> tried = new LinkedHashMap<>();
        int[] current = new int[dimensions.size()];
        Trial best = fit(dimensions, current, score, tried);
        boolean converged = false;
        search:
        for (int step = 2; step >= 1; ) {
            boolean moved = false;
            for (int d = 0; d < dimensions.size(); d++) {
                for (int direction : new int[] {1, -1}) {
                    int[] neighbour = current.clone();
                    neighbour[d] += direction * step;
                    if (!dimensions.get(d).allows(neighbour[d])) {
                        continue;
                    }
                    Trial known = tried.get(key(values(dimensions, neighbour)));
                    if (known == null && tried.size() >= budget) {
                        break search;
                    }
                    Trial trial = known != null ? known : fit(dimensions, neighbour, score, tried);
                    if (trial.score() < best.score()) {
                        best = trial;
                        current = neighbour;
                        moved = true;
                    }
                }
            }
            if (!moved) {
                converged = step == 1;
                step--;
            }
        }
        List<String> atBound = new ArrayList<>();
        for (int d = 0; d < dimensions.size(); d++) {
            Dimension dim = dimensions.get(d);
            if (!dim.allows(current[d] + 1) || !dim.allows(current[d] - 1)) {
                atBound.add(dim.name());
            }
        }
        return new Outcome(best.values(), best.score(), List.copyOf(tried.values()), converged, atBound);
    }

    private static Trial fit(List<Dimension> dimensions, int[] point, ToDoubleFunction<double[]> score,
                             Map<String, Trial> tried) {
        double[] values = values(dimensions, point);
        Trial trial = new Trial(values, score.applyAsDouble(values.clone()));
        tried.put(key(values), trial);
        return trial;
    }

    private static double[] values(List<Dimension> dimensions, int[] point) {
        double[] values = new double[point.length];
        for (int d = 0; d < point.length; d++) {
            values[d] = dimensions.get(d).value(point[d]);
        }
        return values;
    }

    // Keyed by value, not grid index: integral dimensions can round two indices to one value, fitted once.
    private static String key(double[] values) {
        return Arrays.toString(values);
    }
}
