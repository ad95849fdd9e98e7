package io.neuralrate.train;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Checkpoint files: exact round trip, damaged or foreign files skipped, only the newest kept. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static Checkpoint checkpoint(String fingerprint, int epochs) {
        float[][] params = {{1f, 2f, 3f}, {epochs}};
        float[][][] slots = {{{0.1f, 0.2f, 0.3f}, {0.4f}}, {{1e-3f, 2e-3f, 3e-3f}, {4e-3f}}};
        List<EpochStats> history = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            history.add(new EpochStats(e, 0.5 / e, 0.9 + e * 0.01, 1.5, 1000, 4, 1.2, 1.0));
        }
        return new Checkpoint(fingerprint, new ModelState(params, slots, 17L * epochs), new float[][] {{9f}, {8f}},
                1, 0.91, history);
    }

    @Test
    void theNewestIntactMatchingCheckpointIsResumedAndOnlyTwoAreKept() throws Exception {
        Configuration conf = new Configuration();
        for (int epochs = 1; epochs <= 4; epochs++) {
            checkpoint("settings-a", epochs).save(conf, dir.toString());
        }
        List<String> names;
        try (Stream<Path> files = Files.list(dir)) {
            names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".nrckpt")).sorted().toList();
        }
        assertEquals(List.of("checkpoint-000003.nrckpt", "checkpoint-000004.nrckpt"), names);

        Checkpoint c = Checkpoint.latest(conf, dir.toString(), "settings-a").orElseThrow();
        Checkpoint expected = checkpoint("settings-a", 4);
        assertEquals(4, c.epochs());
        assertEquals(expected.state.step, c.state.step);
        assertArrayEquals(expected.state.parameters, c.state.parameters);
        for (int s = 0; s < 2; s++) {
            assertArrayEquals(expected.state.optimizerState[s], c.state.optimizerState[s]);
        }
        assertArrayEquals(expected.best, c.best);
        assertEquals(expected.history, c.history);

        // A crash mid-write leaves a short file: its CRC fails and the previous checkpoint is used.
        Path newest = dir.resolve("checkpoint-000004.nrckpt");
        byte[] bytes = Files.readAllBytes(newest);
        Files.write(newest, Arrays.copyOf(bytes, bytes.length - 5));
        Files.deleteIfExists(dir.resolve(".checkpoint-000004.nrckpt.crc"));
        assertEquals(3, Checkpoint.latest(conf, dir.toString(), "settings-a").orElseThrow().epochs());

        Optional<Checkpoint> other = Checkpoint.latest(conf, dir.toString(), "settings-b");
        assertTrue(other.isEmpty(), "checkpoints of other settings or data are never resumed");
        assertTrue(Checkpoint.latest(conf, dir.resolve("none").toString(), "settings-a").isEmpty());
    }
}
