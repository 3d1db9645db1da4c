package dev.kompakt.experiments.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster on 127.0.0.1 (a master and workers, each its own JVM) started from a classpath of
 * Maven jars, no Spark distribution: workers launch executors that get the application's classes through
 * SPARK_DIST_CLASSPATH. Its home (an empty {@code jars/}, the cluster's logs, the workers' work directories) is a
 * directory of the caller's. For tests and benchmarks of the cluster path; close() stops every process.
 */
public final class LocalStandaloneCluster implements AutoCloseable {
    private final Path home;
    private final String masterUrl;
    private final List<Process> processes = new ArrayList<>();

    private LocalStandaloneCluster(Path home, String masterUrl) {
        this.home = home;
        this.masterUrl = masterUrl;
    }

    /**
     * Starts a master and {@code workers} workers of {@code cores} cores and {@code memory} (e.g. "2g") each, and waits
     * (2 minutes at most) until every worker has registered.
     */
    public static LocalStandaloneCluster start(Path home, String classpath, int workers, int cores, String memory) throws IOException,
            InterruptedException {
        Files.createDirectories(home.resolve("jars"));
        Path logs = Files.createDirectories(home.resolve("logs"));
        int port = freePort();
        LocalStandaloneCluster c = new LocalStandaloneCluster(home.toAbsolutePath(), "spark://127.0.0.1:" + port);
        // The cluster JVMs log at INFO (the CLI's own log4j2.xml keeps Spark at WARN): registration is read from the logs.
        Files.writeString(home.resolve("log4j2-cluster.properties"), String.join("\n",
                "rootLogger.level = info", "rootLogger.appenderRef.stdout.ref = console", "appender.console.type = Console",
                "appender.console.name = console", "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n", ""));
        try {
            c.launch(classpath, logs.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
            for (int w = 1; w <= workers; w++) {
                c.launch(classpath, logs.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker",
                        "--host", "127.0.0.1", "--cores", Integer.toString(cores), "--memory", memory, "--webui-port", Integer.toString(freePort()),
                        "--work-dir", c.workDir(w).toString(), c.masterUrl);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            for (int w = 1; w <= workers; w++) {
                while (!registered(logs.resolve("worker" + w + ".log"))) {
                    for (Process p : c.processes) {
                        if (!p.isAlive()) {
                            throw new IOException("a cluster process died; logs in " + logs + ":\n" + Files.readString(logs.resolve("master.log")));
                        }
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException("workers did not register within 120 s; logs in " + logs);
                    }
                    Thread.sleep(500);
                }
            }
            return c;
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    public String masterUrl() {
        return masterUrl;
    }

    public Path home() {
        return home;
    }

    /** Worker {@code w}'s (1-based) work directory, where its executors' stdout and stderr go. */
    public Path workDir(int w) {
        return home.resolve("work" + w);
    }

    /** The worker processes (their executors are their descendants). */
    public List<Process> workers() {
        return processes.subList(1, processes.size());
    }

    private static boolean registered(Path log) throws IOException {
        return Files.exists(log) && Files.readString(log).contains("Successfully registered with master");
    }

    private void launch(String classpath, Path log, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dlog4j2.configurationFile=" + home.resolve("log4j2-cluster.properties"), "-cp", classpath, mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", home.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_DIST_CLASSPATH", classpath);
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("OMP_NUM_THREADS", "1");
        processes.add(pb.start());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }
}
