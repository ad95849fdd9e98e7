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
final class JobProcess {
    static final Path BASEDIR = Path.of(System.getProperty("neuralrate.basedir", ".")).toAbsolutePath();

    /** Exit status and combined output of a finished run. */
    record Result(int exitCode, String output) {
    }

    private JobProcess() {}

    static Result submit(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("bash");
        command.add(BASEDIR.resolve("submit.sh").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(BASEDIR.toFile()).redirectErrorStream(true);
        builder.environment().remove("SPARK_HOME");
        builder.environment().putAll(env);
        File log = Files.createTempFile("neuralrate-job", ".log").toFile();
        builder.redirectOutput(log);
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException("submit.sh did not finish in 10 minutes: " + String.join(" ", args));
        }
        String output = Files.readString(log.toPath(), StandardCharsets.UTF_8);
        log.delete();
        return new Result(process.exitValue(), output);
    }
}
