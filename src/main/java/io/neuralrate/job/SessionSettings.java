package io.neuralrate.job;

import org.apache.spark.sql.SparkSession;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/** Spark session settings changed for the length of one piece of work, and put back however it ends. */
public final class SessionSettings {
    private SessionSettings() {}

    /**
     * Runs {@code body} with {@code settings} set on the session, then restores each one's previous value, or
     * unsets it where it was not set, also when {@code body} throws.
     *
     * @param spark the session
     * @param settings the settings and their values while {@code body} runs
     * @param body the work
     * @param <T> what the work returns
     * @return what {@code body} returned
     */
    public static <T> T with(SparkSession spark, Map<String, String> settings, Supplier<T> body) {
        Map<String, String> before = new HashMap<>();
        settings.keySet().stream().filter(key -> spark.conf().contains(key))
                .forEach(key -> before.put(key, spark.conf().get(key)));
        try {
            settings.forEach(spark.conf()::set);
            return body.get();
        } finally {
            settings.keySet().forEach(key -> {
                if (before.containsKey(key)) {
                    spark.conf().set(key, before.get(key));
                } else {
                    spark.conf().unset(key);
                }
            });
        }
    }
}
