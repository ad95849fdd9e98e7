package io.neuralrate.job;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job killed with SIGKILL, as an unattended nightly run can be: outputs stay consistent, training resumes. */
class ReliabilityIT {
    @TempDir
    Path work;

    /** SIGKILL to submit.sh and the driver JVM it started. */
    private static void killAll(JobProcess job) throws InterruptedException {
        List<ProcessHandle> tree = job.processTree();
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : tree) {
            h.onExit().toCompletableFuture().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    @Test
    void aRunKilledWhileWritingLeavesThePreviousOutputAndTheRerunReplacesIt() throws Exception {
        // The previous night's output: the reference fit's run folder (the same job, seed 42).
        Path out = work.resolve("out");
        Files.createDirectories(out);
        Path day = out.resolve(ReferenceFit.RUN_DATE);
        ReferenceFit.copyTree(ReferenceFit.runFolder(), day);
        byte[] metrics = Files.readAllBytes(day.resolve("metrics.json"));
        String[] reseeded = JobProcess.concat(ReferenceFit.TRAIN, "--set", "output.root=" + out, "--set", "model.seed=7");

        try (JobProcess job = JobProcess.start(Map.of(), reseeded)) {
            Path staged = awaitStagedModel(out, job);
            killAll(job);
            assertTrue(Files.exists(staged), "killed while writing " + staged);
        }
        assertArrayEquals(metrics, Files.readAllBytes(day.resolve("metrics.json")), "previous output untouched");
        assertTrue(Files.exists(day.resolve(OutputLayout.SUCCESS)));
        try (Stream<Path> entries = Files.list(out)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                // Readers skip _-prefixed folders (Hadoop convention); only complete, marked runs are visible.
                assertTrue(name.startsWith("_") || Files.exists(p.resolve(OutputLayout.SUCCESS)), p.toString());
                assertFalse(name.startsWith("_staging") && Files.exists(p.resolve(OutputLayout.SUCCESS)), p.toString());
            }
        }

        JobProcess.Result rerun = JobProcess.submit(Map.of(), reseeded);
        assertEquals(0, rerun.exitCode(), rerun.output());
        assertNotEquals(new String(metrics), Files.readString(day.resolve("metrics.json")), "the rerun replaced it");
        try (Stream<Path> entries = Files.list(out)) {
            assertEquals(List.of(ReferenceFit.RUN_DATE), entries.map(p -> p.getFileName().toString()).toList(),
                    "the killed run's staging folder is cleaned up by the rerun");
        }
    }

    private static Path awaitStagedModel(Path out, JobProcess job) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(out)) {
                try (Stream<Path> entries = Files.list(out)) {
                    for (Path p : entries.toList()) {
                        if (p.getFileName().toString().startsWith("_staging") && Files.exists(p.resolve("model"))) {
                            return p;
                        }
                    }
                }
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException("the job never started writing:\n" + job.output());
    }

    @Test
    void aFitKilledMidTrainingResumesFromItsCheckpointAndEndsWithTheSameModel() throws Exception {
        byte[] reference = ReferenceFit.network();

        // Tables broadcast whole (the checkpoint file holds them) and sharded on the executors (Parquet next to it).
        for (String threshold : new String[] {"67108864", "-1"}) {
            Path out = work.resolve("resumed-" + threshold);
            String[] checkpointed = JobProcess.concat(ReferenceFit.TRAIN, "--set", "output.root=" + out,
                    "--set", "model.checkpoint-dir=" + work.resolve("checkpoints-" + threshold),
                    "--set", "model.checkpoint-interval=2", "--set", "model.table-broadcast-threshold=" + threshold);
            try (JobProcess job = JobProcess.start(Map.of(), checkpointed)) {
                job.awaitOutput("Checkpoint after epoch 2", 300);
                killAll(job);
            }
            assertFalse(Files.exists(out.resolve(ReferenceFit.RUN_DATE)), "killed before any output");
            JobProcess.Result run = JobProcess.submit(Map.of(), checkpointed);
            assertEquals(0, run.exitCode(), run.output());
            assertTrue(run.output().contains("Resuming from the checkpoint taken after epoch"), run.output());
            assertFalse(run.output().contains("epoch 1/" + ReferenceFit.EPOCHS + ":"),
                    "no epoch before the checkpoint is trained again");
            assertEquals(threshold.equals("-1"), run.output().contains("sharded on the executors"), run.output());
            assertArrayEquals(reference, Files.readAllBytes(JobProcess.networkFile(
                    out.resolve(ReferenceFit.RUN_DATE).resolve("model"))),
                    "the resumed fit gives the uninterrupted fit's parameters, bit for bit (tables " + threshold + ")");
        }
    }
}
