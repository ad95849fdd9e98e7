package io.neuralrate.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.neuralrate.TestData;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on a real standalone cluster (master + two one-core workers on 127.0.0.1, executors in
 * their own JVMs), submitted with {@code submit.sh --master spark://...}: serialisation of the
 * closures and broadcasts, the natives loaded by each executor, accuracy with 1, 2 and 4 workers,
 * and an executor killed in the middle of a fit.
 */
class ClusterJobIT {
    @TempDir
    static Path work;
    static StandaloneCluster cluster;

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = new StandaloneCluster(2, work.resolve("cluster"));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<String> onCluster(String... args) {
        List<String> all = new ArrayList<>(List.of("--master", cluster.masterUrl(), "--executor-memory", "1g"));
        all.addAll(List.of(args));
        return all;
    }

    private static JobProcess.Result submit(String... args) throws Exception {
        JobProcess.Result run = JobProcess.submit(Map.of(), onCluster(args).toArray(new String[0]));
        assertEquals(0, run.exitCode(), run.output() + "\n--- master:\n" + cluster.log("master"));
        return run;
    }

    @Test
    void trainRunsWithExecutorsInSeparateJvmsWhoseHomeIsNotWritable() throws Exception {
        Set<Path> before = new HashSet<>(cluster.executorDirs());
        submit("--conf", "spark.executor.extraJavaOptions=-Duser.home=/proc/nonexistent-home",
                "train", "--run-date", "2026-02-01", "--set", "output.root=" + work.resolve("out"),
                "--set", "model.max-epochs=4", "--set", "model.num-workers=2");
        JsonNode metrics = new ObjectMapper().readTree(work.resolve("out/2026-02-01/metrics.json").toFile());
        assertTrue(metrics.get("rmse").asDouble() < metrics.get("mean_predictor_rmse").asDouble(), metrics.toString());
        assertEquals(2, metrics.get("training").get("workers").asInt());
        List<Path> executors = new ArrayList<>(cluster.executorDirs());
        executors.removeAll(before);
        assertEquals(2, executors.size(), "one executor JVM per worker: " + executors);
        for (Path executor : executors) {
            String stderr = Files.readString(executor.resolve("stderr"));
            assertTrue(stderr.contains("CoarseGrainedExecutorBackend"), stderr);
        }
    }

    @Test
    void oneTwoAndFourWorkersReachTheSameAccuracyOnTheSampleData() throws Exception {
        // With the embedding tables sharded on the executors (the MovieLens test below broadcasts them).
        JobProcess.Result run = submit("scaling", "--workers", "1,2,4", "--run-date", "2026-02-02",
                "--set", "output.root=" + work.resolve("sample"), "--set", "model.table-broadcast-threshold=-1");
        assertTrue(run.output().contains("sharded on the executors"), run.output());
        // 3% here, 2% on MovieLens: on these 20k ratings two changes of a random draw alone (which rows validate;
        // the initial embeddings) each moved the 4-worker run by about 1.5 points, to +2.8% and +2.7%.
        assertParity(work.resolve("sample/scaling/2026-02-02/scaling.json"), 0.03);
        // Four workers on two task slots: logged, run in waves, no hang (the test would time out).
        assertTrue(run.output().contains("numWorkers=4 exceeds the 2 task slots"), run.output());
    }

    @Test
    void oneTwoAndFourWorkersReachTheSameAccuracyOnMovieLensFoldU1() throws Exception {
        Path u1 = work.resolve("u1");
        JobProcess.Result imported = JobProcess.submit(Map.of(), "import-movielens", "--input",
                TestData.movieLens100k().toString(), "--ratings-file", "u1.base", "--test-ratings-file", "u1.test",
                "--output", u1.toString());
        assertEquals(0, imported.exitCode(), imported.output());
        submit("scaling", "--workers", "1,2,4", "--run-date", "2026-02-03",
                "--set", "output.root=" + work.resolve("ml"),
                "--set", "input.users=" + u1.resolve("users"), "--set", "input.items=" + u1.resolve("items"),
                "--set", "input.ratings=" + u1.resolve("ratings"),
                "--set", "input.test-ratings=" + u1.resolve("test-ratings"));
        assertParity(work.resolve("ml/scaling/2026-02-03/scaling.json"), 0.02);
    }

    private static void assertParity(Path report, double bound) throws IOException {
        JsonNode runs = new ObjectMapper().readTree(report.toFile()).get("runs");
        assertEquals(3, runs.size(), runs.toString());
        for (JsonNode run : runs) {
            System.out.printf("%s: %d workers test RMSE %.4f (%+.2f%%)%n", report.getParent().getFileName(),
                    run.get("workers").asInt(), run.get("test_rmse").asDouble(),
                    100 * run.get("rmse_vs_first").asDouble());
            assertTrue(Math.abs(run.get("rmse_vs_first").asDouble()) <= bound,
                    "test RMSE within " + bound + " of the single-worker run: " + runs);
        }
    }

    @Test
    void anExecutorKilledMidFitGivesTheSameModelAsAnUninterruptedRun() throws Exception {
        String[] train = {"train", "--set", "model.max-epochs=12", "--set", "model.num-workers=2",
            "--set", "model.early-stopping-patience=0"};
        submit(JobProcess.concat(train, "--run-date", "2026-02-04", "--set", "output.root=" + work.resolve("reference")));
        byte[] reference = Files.readAllBytes(JobProcess.networkFile(work.resolve("reference/2026-02-04/model")));

        // Tables broadcast whole (Spark reruns the lost tasks) and sharded on the executors (the epoch restarts
        // from its snapshot).
        for (String threshold : new String[] {"67108864", "-1"}) {
            Set<Long> before = new HashSet<>();
            cluster.executorProcesses().forEach(h -> before.add(h.pid()));
            Path out = work.resolve("killed-" + threshold);
            try (JobProcess job = JobProcess.start(Map.of(), onCluster(JobProcess.concat(train, "--run-date",
                    "2026-02-04", "--set", "output.root=" + out, "--set", "model.table-broadcast-threshold="
                    + threshold)).toArray(new String[0]))) {
                job.awaitOutput("epoch 3/12", 300);
                List<ProcessHandle> executors = cluster.executorProcesses();
                executors.removeIf(h -> before.contains(h.pid()));
                assertEquals(2, executors.size(), "the job's executors: " + executors);
                assertTrue(executors.get(0).destroyForcibly(), "SIGKILL sent to the executor");
                JobProcess.Result run = job.await();
                assertEquals(0, run.exitCode(), run.output());
                assertTrue(run.output().contains("Lost executor"), "the driver saw the executor die:\n" + run.output());
                // One shard per executor (each has one core): the killed one's shard is lost and the epoch restarts.
                assertEquals(threshold.equals("-1"), run.output().contains("restarting it from its start"),
                        run.output());
            }
            assertArrayEquals(reference, Files.readAllBytes(JobProcess.networkFile(out.resolve("2026-02-04/model"))),
                    "the interrupted fit must give the uninterrupted one's parameters, bit for bit (tables "
                            + threshold + ")");
        }
    }
}
