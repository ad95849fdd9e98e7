package io.neuralrate.job;

import io.neuralrate.TestFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The uninterrupted fit that the kill tests compare against: {@link #TRAIN} on the sample data,
 * run once per test JVM in local mode and shared by {@link ReliabilityIT} and {@link ClusterJobIT}.
 * Sharing it is a stronger check as well as a cheaper one: a fit interrupted on the standalone
 * cluster must give the parameters of the same fit run in local mode, bit for bit (the training
 * core is deterministic for a given seed and number of workers, wherever its tasks run). It also
 * needs the input read into the same partitions both ways: true of the sample data, whose files are
 * far below Spark's split size, and two task slots in local mode as on the test cluster.
 */
final class ReferenceFit {
    /** Epochs of {@link #TRAIN}: enough for a checkpoint, a kill and a resume in between. */
    static final int EPOCHS = 6;
    /** The run date of {@link #TRAIN}: its output is under {@code <output.root>/<RUN_DATE>}. */
    static final String RUN_DATE = "2026-03-02";
    /** The fit every kill test runs: two workers, a fixed number of epochs (no early stop). */
    static final String[] TRAIN = {"train", "--run-date", RUN_DATE, "--set", "model.max-epochs=" + EPOCHS,
        "--set", "model.num-workers=2", "--set", "model.early-stopping-patience=0"};

    private static Path output;

    private ReferenceFit() {}

    /** The saved network file of {@link #TRAIN} run without interruption. */
    static byte[] network() throws IOException, InterruptedException {
        return Files.readAllBytes(JobProcess.networkFile(runFolder().resolve("model")));
    }

    /**
     * The run folder ({@code <output.root>/<RUN_DATE>}) that {@link #TRAIN} wrote, trained on first
     * use and deleted when the test JVM exits; callers copy it, never change it.
     */
    static synchronized Path runFolder() throws IOException, InterruptedException {
        if (output == null) {
            Path out = Files.createTempDirectory("neuralrate-reference");
            JobProcess.Result run = JobProcess.submit(Map.of(),
                    JobProcess.concat(TRAIN, "--set", "output.root=" + out));
            assertEquals(0, run.exitCode(), run.output());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> TestFiles.deleteTree(out)));
            output = out;
        }
        return output.resolve(RUN_DATE);
    }

    /** Copies the folder tree {@code from} to {@code to} (which must not exist). */
    static void copyTree(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Files.copy(p, to.resolve(from.relativize(p).toString()));
            }
        }
    }
}
