package io.neuralrate.job;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Where the tests find MovieLens-100K (never copied into the repository: its licence forbids it). */
final class TestData {
    private TestData() {}

    /** The ML-100K folder: {@code -Dneuralrate.datasets} (set by the build to ../shared/datasets). */
    static Path movieLens100k() {
        Path dir = Path.of(System.getProperty("neuralrate.datasets",
                JobProcess.BASEDIR.resolve("../shared/datasets").toString())).resolve("ml-100k").normalize();
        assertTrue(Files.exists(dir.resolve("u.data")), "MovieLens-100K expected at " + dir
                + " (set -Dneuralrate.datasets=<folder holding ml-100k>)");
        return dir;
    }
}
