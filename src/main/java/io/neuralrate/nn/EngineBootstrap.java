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

    private static final ThreadLocal<Integer> THREAD_COUNT = new ThreadLocal<>();

    private EngineBootstrap() {}

    /**
     * Returns the PyTorch engine, loading it on first use, and sets PyTorch's intra-op thread count
     * for the calling thread to {@code threads}.
     *
     * @param threads PyTorch intra-op threads (Spark's {@code spark.task.cpus} on an executor)
     * @return the loaded engine
     * @throws IllegalStateException if the natives cannot be loaded
     */
    public static Engine ensureLoaded(int threads) {
        Engine loaded = engine;
        if (loaded == null) {
            synchronized (LOCK) {
                if (engine == null) {
                    engine = load(Math.max(1, threads));
                }
                loaded = engine;
            }
        }
        // OpenMP's thread count is a per-thread setting: a Spark task thread that never set it runs
        // PyTorch's ops on every core, which on small networks is several times slower (measured:
        // 4-5x on a 20-32-1 MLP with 2 cores). So each calling thread sets it once.
        Integer current = THREAD_COUNT.get();
        if (current == null || current != Math.max(1, threads)) {
            JniUtils.setNumThreads(Math.max(1, threads));
            THREAD_COUNT.set(Math.max(1, threads));
        }
        return loaded;
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
