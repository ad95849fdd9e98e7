package io.neuralrate.job;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;

import java.io.File;
import java.util.List;

/**
 * The job's configuration: the defaults in {@code conf/neuralrate.conf} (packaged in the jar),
 * then an optional file ({@code --config}, else {@code $NEURALRATE_CONF}), then
 * {@code --set key=value} overrides, later ones winning.
 */
public final class JobConfig {
    private final Config config;

    private JobConfig(Config config) {
        this.config = config.getConfig("neuralrate");
    }

    /**
     * A copy with one setting replaced.
     *
     * @param key a key under {@code neuralrate}
     * @param value its new value (a string, number, boolean or list)
     * @return the new configuration
     */
    public JobConfig with(String key, Object value) {
        return new JobConfig(config.withValue(key, ConfigValueFactory.fromAnyRef(value)).atKey("neuralrate"));
    }

    /**
     * Loads the configuration.
     *
     * @param file a HOCON file, or null
     * @param overrides {@code key=value} settings (HOCON values), applied last
     * @return the configuration
     */
    public static JobConfig load(String file, List<String> overrides) {
        Config defaults = ConfigFactory.parseResources(JobConfig.class.getClassLoader(), "neuralrate.conf",
                ConfigParseOptions.defaults().setAllowMissing(false));
        Config merged = defaults;
        String path = file != null ? file : System.getenv("NEURALRATE_CONF");
        if (path != null && !path.isEmpty()) {
            File f = new File(path);
            if (!f.isFile()) {
                throw new IllegalArgumentException("Configuration file not found: " + path);
            }
            merged = ConfigFactory.parseFile(f).withFallback(merged);
        }
        for (String override : overrides) {
            int eq = override.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("--set expects key=value, got '" + override + "'");
            }
            String key = override.substring(0, eq).trim();
            String value = override.substring(eq + 1).trim();
            if (!defaults.hasPathOrNull(key)) {
                throw new IllegalArgumentException("Unknown configuration key '" + key + "' (see conf/neuralrate.conf)");
            }
            merged = ConfigFactory.parseString(key + " = " + quoteIfNeeded(value)).withFallback(merged);
        }
        return new JobConfig(merged.resolve());
    }

    private static String quoteIfNeeded(String value) {
        if (value.startsWith("[") || value.startsWith("{") || value.startsWith("\"")
                || value.matches("-?[0-9.eE+-]+|true|false")) {
            return value;
        }
        return ConfigValueFactory.fromAnyRef(value).render();
    }

    /** @param key a key under {@code neuralrate} @return its string value */
    public String string(String key) {
        return config.getString(key);
    }

    /** @param key a key under {@code neuralrate} @return its int value */
    public int integer(String key) {
        return config.getInt(key);
    }

    /** @param key a key under {@code neuralrate} @return its long value */
    public long longValue(String key) {
        return config.getLong(key);
    }

    /** @param key a key under {@code neuralrate} @return its double value */
    public double number(String key) {
        return config.getDouble(key);
    }

    /** @param key a key under {@code neuralrate} @return its boolean value */
    public boolean flag(String key) {
        return config.getBoolean(key);
    }

    /** @param key a key under {@code neuralrate} @return its string list */
    public List<String> strings(String key) {
        return config.getStringList(key);
    }

    /** @param key a key under {@code neuralrate} @return its int list */
    public List<Integer> integers(String key) {
        return config.getIntList(key);
    }

    /** @param key a key under {@code neuralrate} @return its double list */
    public List<Double> numbers(String key) {
        return config.getDoubleList(key);
    }
}
