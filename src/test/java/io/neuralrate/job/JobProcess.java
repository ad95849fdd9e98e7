package io.neuralrate.job;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code submit.sh} as a separate process, the way a user does, and captures its output. */
final class JobProcess implements AutoCloseable {
    static final Path BASEDIR = Path.of(System.getProperty("neuralrate.basedir", ".")).toAbsolutePath();

    /** Exit status and combined output of a finished run. */
    record Result(int exitCode, String output) {
    }

    private final Process process;
    private final File log;
    private final String description;

    private JobProcess(Process process, File log, String description) {
        this.process = process;
        this.log = log;
        this.description = description;
    }

    /** Runs {@code submit.sh args} to completion (at most 10 minutes). */
    static Result submit(Map<String, String> env, String... args) throws IOException, InterruptedException {
        try (JobProcess job = start(env, args)) {
            return job.await();
        }
    }

    /** Starts {@code submit.sh args} without waiting for it. */
    static JobProcess start(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(BASEDIR.resolve("submit.sh").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(BASEDIR.toFile()).redirectErrorStream(true);
        builder.environment().remove("SPARK_HOME");
        builder.environment().putAll(env);
        applyChildJvmOptions(builder);
        File log = Files.createTempFile("neuralrate-job", ".log").toFile();
        builder.redirectOutput(log);
        return new JobProcess(builder.start(), log, String.join(" ", args));
    }

    /**
     * Gives a JVM the tests start, and every JVM it starts in turn (spark-submit's driver, a worker's
     * executors), the build's JVM options for them ({@code neuralrate.childJvmOptions}), through
     * {@code JDK_JAVA_OPTIONS} (after any options it already holds).
     */
    static void applyChildJvmOptions(ProcessBuilder builder) {
        String options = System.getProperty("neuralrate.childJvmOptions", "");
        if (!options.isBlank()) {
            builder.environment().merge("JDK_JAVA_OPTIONS", options, (existing, added) -> existing + " " + added);
        }
    }

    /** The output so far. */
    String output() throws IOException {
        return Files.readString(log.toPath(), StandardCharsets.UTF_8);
    }

    /** Waits until the output contains {@code marker}; fails if the job ends first or after the timeout. */
    void awaitOutput(String marker, long timeoutSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!output().contains(marker)) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException("'" + marker + "' never appeared in the output of " + description
                        + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")") + ":\n" + output());
            }
            Thread.sleep(20);
        }
    }

    /** The processes of the job: the submit.sh shell and everything it started (the driver JVM). */
    List<ProcessHandle> processTree() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        return all;
    }

    /** Waits for the job to end (at most 10 minutes). */
    Result await() throws IOException, InterruptedException {
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            close();
            throw new IllegalStateException("submit.sh did not finish in 10 minutes: " + description);
        }
        return new Result(process.exitValue(), output());
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        log.delete();
    }

    /** The saved network file inside a saved pipeline model folder. */
    static Path networkFile(Path model) throws IOException {
        try (var files = Files.walk(model)) {
            return files.filter(p -> p.getFileName().toString().equals("network.nrmlp")).findFirst().orElseThrow();
        }
    }

    /** {@code first} followed by {@code more}. */
    static String[] concat(String[] first, String... more) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }
}
