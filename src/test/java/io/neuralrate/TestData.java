package io.neuralrate;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where the tests find MovieLens-100K. Its licence forbids redistribution, so it is never copied
 * into the repository: a test that needs it is skipped, with a message saying how to provide it,
 * where the folder is absent.
 */
public final class TestData {
    private TestData() {}

    /**
     * The ML-100K folder ({@code u.data}, {@code u.user}, {@code u.item}, {@code u1.base} ...
     * {@code u5.test}) under {@code -Dneuralrate.datasets} (the build passes {@code ../shared/datasets}
     * when it exists); skips the calling test where it is missing.
     *
     * @return the folder
     */
    public static Path movieLens100k() {
        assumeTrue(hasMovieLens100k(), () -> movieLens100kMissing() + ": skipped");
        return folder();
    }

    /** @return whether the ML-100K folder is there (for a test that falls back to other data without it) */
    public static boolean hasMovieLens100k() {
        Path dir = folder();
        return Files.exists(dir.resolve("u.data")) && Files.exists(dir.resolve("u1.base"));
    }

    /** @return that ML-100K is missing, where it was looked for and how to provide it */
    public static String movieLens100kMissing() {
        return "MovieLens-100K not found at " + folder() + " (download ml-100k.zip from GroupLens, "
                + "grouplens.org/datasets/movielens/100k, unzip it and run with "
                + "-Dneuralrate.datasets=<folder that holds ml-100k/>)";
    }

    private static Path folder() {
        String root = System.getProperty("neuralrate.datasets", "../shared/datasets");
        return Path.of(root).resolve("ml-100k").toAbsolutePath().normalize();
    }
}
