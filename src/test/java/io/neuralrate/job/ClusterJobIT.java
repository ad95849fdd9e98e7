package io.neuralrate.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The job on a real standalone cluster (master + two workers on 127.0.0.1, executors in their own
 * JVMs), submitted with {@code submit.sh --master spark://...}: serialisation of the closures and
 * broadcasts, and the natives loaded by each executor, are exercised for real. The executors' home
 * directory is made unwritable, so they must choose their own natives cache.
 */
class ClusterJobIT {
    @Test
    void trainRunsOnAStandaloneClusterWithExecutorsInSeparateJvms(@TempDir Path work) throws Exception {
        try (StandaloneCluster cluster = new StandaloneCluster(2, work)) {
            JobProcess.Result run = JobProcess.submit(Map.of(),
                    "--master", cluster.masterUrl(), "--executor-memory", "1g",
                    "--conf", "spark.executor.extraJavaOptions=-Duser.home=/proc/nonexistent-home",
                    "train", "--run-date", "2026-02-01", "--set", "output.root=" + work.resolve("out"),
                    "--set", "model.max-epochs=4", "--set", "model.num-workers=2");
            assertEquals(0, run.exitCode(), run.output() + "\n--- master:\n" + cluster.log("master"));
            JsonNode metrics = new ObjectMapper().readTree(work.resolve("out/2026-02-01/metrics.json").toFile());
            assertTrue(metrics.get("rmse").asDouble() < metrics.get("mean_predictor_rmse").asDouble(), metrics.toString());
            assertEquals(2, metrics.get("training").get("workers").asInt());
            List<Path> executors = cluster.executorDirs();
            assertEquals(2, executors.size(), "one executor JVM per worker: " + executors);
            for (Path executor : executors) {
                String stderr = Files.readString(executor.resolve("stderr"));
                assertTrue(stderr.contains("CoarseGrainedExecutorBackend"), stderr);
            }
        }
    }
}
