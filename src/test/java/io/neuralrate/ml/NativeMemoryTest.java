package io.neuralrate.ml;

import io.neuralrate.SparkTestSupport;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Repeated fits and transforms must not grow native memory: every tensor, gradient and manager of
 * a task is closed with it. The network is made wide so that a leak of even one gradient or
 * activation per step would add hundreds of MB over the repetitions.
 */
class NativeMemoryTest {
    @Test
    void repeatedFitsAndTransformsDoNotGrowResidentMemory() throws Exception {
        Dataset<Row> data = SparkTestSupport.nonLinear(SparkTestSupport.spark(), 4000, 9).cache();
        MlpRegressor mlp = new MlpRegressor().setHiddenLayers(new int[] {512, 256}).setMaxEpochs(2)
                .setBatchSize(64).setNumWorkers(2);
        for (int i = 0; i < 2; i++) { // warm-up: engine, thread pools, allocator caches
            mlp.fit(data).transform(data).count();
        }
        System.gc();
        long before = residentKb();
        for (int i = 0; i < 6; i++) {
            mlp.setSeed(i).fit(data).transform(data).count();
        }
        System.gc();
        long growthMb = (residentKb() - before) / 1024;
        // Without closing, each step would leak ~0.6 MB of gradients (150k parameters): ~700 steps here.
        System.out.println("resident memory growth over 6 fits: " + growthMb + " MB");
        assertTrue(growthMb < 150, "resident memory grew by " + growthMb + " MB");
    }

    private static long residentKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }
}
