package io.neuralrate.job;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on 127.0.0.1: one master and N one-core workers, each in its own
 * JVM started from the embedded Spark jars; executors are launched by the workers in JVMs of their
 * own. {@link #close()} stops every process it started, by its own handle.
 */
final class StandaloneCluster implements AutoCloseable {
    private final List<Process> processes = new ArrayList<>();
    private final Path sparkHome;
    private final Path workDir;
    private final int masterPort;

    StandaloneCluster(int workers, Path workDir) throws IOException, InterruptedException {
        this.sparkHome = JobProcess.BASEDIR.resolve("target/spark");
        this.workDir = Files.createDirectories(workDir);
        this.masterPort = freePort();
        try {
            start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    String.valueOf(masterPort), "--webui-port", String.valueOf(freePort()));
            awaitPort(masterPort);
            for (int w = 0; w < workers; w++) {
                Path dir = Files.createDirectories(workDir.resolve("worker-" + w));
                start("worker-" + w, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "1",
                        "--memory", "1536m", "--webui-port", String.valueOf(freePort()), "--work-dir", dir.toString(),
                        masterUrl());
            }
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /** The executor JVMs running now: children of the workers whose main class is Spark's executor backend. */
    List<ProcessHandle> executorProcesses() {
        List<ProcessHandle> executors = new ArrayList<>();
        for (Process p : processes) {
            p.descendants().filter(h -> h.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                    .forEach(executors::add);
        }
        return executors;
    }

    private void start(String name, String mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx512m", "-cp", sparkHome.resolve("jars") + "/*",
                mainClass));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(workDir.resolve(name + ".log").toFile());
        builder.environment().put("SPARK_HOME", sparkHome.toString());
        builder.environment().put("SPARK_SCALA_VERSION", scalaLine());
        builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        JobProcess.applyChildJvmOptions(builder);
        processes.add(builder.start());
    }

    /** The Scala line of the Spark jars (2.12 or 2.13), read off spark-core's file name. */
    private String scalaLine() throws IOException {
        try (var jars = Files.list(sparkHome.resolve("jars"))) {
            return jars.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("spark-core_")).findFirst()
                    .map(n -> n.substring("spark-core_".length(), n.indexOf('-', "spark-core_".length())))
                    .orElseThrow(() -> new IOException("no spark-core jar in " + sparkHome.resolve("jars")));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("Spark master did not open port " + port);
    }

    /** The last lines of a process's log, for failure messages. */
    String log(String name) {
        try {
            List<String> lines = Files.readAllLines(workDir.resolve(name + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
