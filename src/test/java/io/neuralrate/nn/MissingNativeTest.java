package io.neuralrate.nn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Without the PyTorch native jar on the classpath, loading fails at once with a clear message, never a download or a hang. */
class MissingNativeTest {
    /** Child-process entry: try to load the engine, print the outcome. */
    public static void main(String[] args) {
        try {
            EngineBootstrap.ensureLoaded(1);
            System.out.println("LOADED");
        } catch (IllegalStateException e) {
            System.out.println("FAILED: " + e.getMessage());
        }
    }

    @Test
    void missingNativesGiveAClearErrorQuickly(@TempDir Path cache) throws Exception {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(entry -> !entry.contains("pytorch-native-cpu"))
                .collect(Collectors.joining(File.pathSeparator));
        Process p = new ProcessBuilder("java", "-cp", classpath, "-DDJL_CACHE_DIR=" + cache,
                MissingNativeTest.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "loading without natives must not hang");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("FAILED: Could not load the PyTorch natives") && out.contains("pytorch-native-cpu"), out);
        assertTrue(Files.exists(cache), "the cache folder was chosen as given");
    }
}
