package io.neuralrate.job;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Wall time of a job's named stages, in order, each logged when it starts and ends, so a long
 * preparation shows where it is and {@code metrics.json} says where the time went.
 */
final class StageTimings {
    private static final Logger LOG = LoggerFactory.getLogger(StageTimings.class);

    private final Map<String, Double> seconds = new LinkedHashMap<>();

    /**
     * Runs one stage.
     *
     * @param stage its name (a metrics key)
     * @param work the stage
     * @param <T> its result type
     * @return its result
     */
    <T> T time(String stage, Supplier<T> work) {
        LOG.info("preparation: {} ...", stage);
        long start = System.nanoTime();
        T result = work.get();
        double s = (System.nanoTime() - start) / 1e9;
        seconds.merge(stage, s, Double::sum);
        LOG.info("preparation: {} done in {} s", stage, String.format("%.2f", s));
        return result;
    }

    /** @return seconds per stage, in the order the stages first ran */
    Map<String, Double> seconds() {
        return Collections.unmodifiableMap(seconds);
    }
}
