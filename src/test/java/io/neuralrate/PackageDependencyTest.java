package io.neuralrate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Dependencies between NeuralRate's packages go one way: {@code nn} ← {@code train} ← {@code ml} ←
 * {@code job}; {@code data} stands alone and is used by {@code job}; the measuring tools in
 * {@code bench} sit on top. Every reference to another NeuralRate package in the main sources (an
 * import, a fully qualified name, a Javadoc link) must be allowed here.
 */
class PackageDependencyTest {
    private static final Path MAIN = Path.of("src/main/java/io/neuralrate");
    private static final Pattern REFERENCE = Pattern.compile("io\\.neuralrate\\.([a-z]+)\\b");

    /** What each package may use, besides itself. */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "nn", Set.of(),
            "train", Set.of("nn"),
            "ml", Set.of("train", "nn"),
            "data", Set.of(),
            "job", Set.of("data", "ml"),
            // the throughput harness drives the network without Spark: that is its baseline
            "bench", Set.of("job", "data", "ml", "nn"));

    @Test
    void packagesOnlyUseThePackagesBelowThem() throws IOException {
        assertEquals(ALLOWED.keySet(), Set.copyOf(packages(MAIN)), "every package has its rule");
        List<String> violations = violations(MAIN);
        assertTrue(violations.isEmpty(), "references against the package direction:\n" + String.join("\n", violations));
    }

    @Test
    void aReferenceAgainstTheDirectionIsReported(@TempDir Path root) throws IOException {
        Files.createDirectories(root.resolve("nn"));
        Files.createDirectories(root.resolve("job"));
        Files.writeString(root.resolve("nn/Up.java"), "package io.neuralrate.nn;\nimport io.neuralrate.ml.MlpRegressor;\n");
        Files.writeString(root.resolve("job/Down.java"), "package io.neuralrate.job;\nclass Down { "
                + "io.neuralrate.train.TrainingConfig c; io.neuralrate.ml.MlpRegressor ok; }\n");
        List<String> violations = violations(root);
        assertEquals(2, violations.size(), violations.toString());
        assertTrue(violations.get(0).contains("uses io.neuralrate.train") || violations.get(1).contains(
                "uses io.neuralrate.train"), violations.toString());
    }

    private static List<String> packages(Path root) throws IOException {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).sorted().toList();
        }
    }

    private static List<String> violations(Path root) throws IOException {
        List<String> violations = new ArrayList<>();
        for (String pkg : packages(root)) {
            try (Stream<Path> files = Files.walk(root.resolve(pkg))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                    for (String line : Files.readAllLines(file)) {
                        if (line.startsWith("package ")) {
                            continue;
                        }
                        Matcher m = REFERENCE.matcher(line);
                        while (m.find()) {
                            String used = m.group(1);
                            if (!used.equals(pkg) && !ALLOWED.get(pkg).contains(used)) {
                                violations.add(root.relativize(file) + " uses io.neuralrate." + used + ": "
                                        + line.trim());
                            }
                        }
                    }
                }
            }
        }
        return violations;
    }
}
