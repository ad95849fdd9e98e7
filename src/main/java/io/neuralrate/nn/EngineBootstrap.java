package io.neuralrate.nn;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads the PyTorch engine once per JVM, offline, from the natives packaged in the application
 * jar.
 *
 * <p>On an executor the user's home directory may not exist or be read-only, so the cache
 * directory into which DJL extracts the natives is chosen here: an explicit {@code DJL_CACHE_DIR}
 * (system property or environment) if it is writable, else {@code $HOME/.djl.ai} if writable,
 * else a per-user folder under {@code java.io.tmpdir}. Offline mode is forced so that a missing
 * native fails at once with a clear message instead of trying (and hanging on) a download.
 */
public final class EngineBootstrap {
    private static final Object LOCK = new Object();
    private static volatile Engine engine;

    private EngineBootstrap() {}

    /**
     * Returns the PyTorch engine, loading it on first use with {@code threads} intra-op threads.
     * Later calls return the same engine; the thread count of the first call wins, because
     * PyTorch's thread pool is per process.
     *
     * @param threads PyTorch intra-op threads (Spark's {@code spark.task.cpus} on an executor)
     * @return the loaded engine
     * @throws IllegalStateException if the natives cannot be loaded
     */
    public static Engine ensureLoaded(int threads) {
        Engine loaded = engine;
        if (loaded != null) {
            return loaded;
        }
        synchronized (LOCK) {
            if (engine == null) {
                engine = load(Math.max(1, threads));
            }
            return engine;
        }
    }

    private static Engine load(int threads) {
        System.setProperty("ai.djl.offline", "true");
        Path cache = chooseCacheDir();
        System.setProperty("DJL_CACHE_DIR", cache.toString());
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        try {
            Engine pt = Engine.getEngine("PyTorch");
            JniUtils.setNumThreads(threads);
            return pt;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new IllegalStateException(
                    "Could not load the PyTorch natives (cache directory " + cache
                            + "). NeuralRate expects ai.djl.pytorch:pytorch-native-cpu (linux-x86_64) and "
                            + "pytorch-jni on the classpath; nothing is downloaded at run time.",
                    e);
        }
    }

    /** Picks a writable directory for the extracted natives. */
    static Path chooseCacheDir() {
        List<Path> candidates = new ArrayList<>();
        String explicit = System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR"));
        if (explicit != null && !explicit.isEmpty()) {
            candidates.add(Paths.get(explicit));
        }
        String home = System.getProperty("user.home");
        if (home != null && !home.isEmpty() && !"?".equals(home)) {
            candidates.add(Paths.get(home, ".djl.ai"));
        }
        String user = System.getProperty("user.name", "spark").replaceAll("[^A-Za-z0-9_.-]", "_");
        candidates.add(Paths.get(System.getProperty("java.io.tmpdir"), "neuralrate-djl-" + user));
        for (Path dir : candidates) {
            if (isWritableDir(dir)) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "No writable directory for the PyTorch natives; tried " + candidates
                        + ". Set DJL_CACHE_DIR (spark.executorEnv.DJL_CACHE_DIR) to a writable folder.");
    }

    private static boolean isWritableDir(Path dir) {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, "probe", ".tmp");
            Files.delete(probe);
            return true;
        } catch (IOException | SecurityException | UnsupportedOperationException e) {
            return false;
        }
    }
}
