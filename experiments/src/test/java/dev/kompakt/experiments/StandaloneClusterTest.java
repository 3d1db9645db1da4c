package dev.kompakt.experiments;

import dev.kompakt.search.Trial;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts a real Spark standalone cluster (a master and two workers, each its own JVM, on 127.0.0.1, from the
 * Maven jars: no Spark distribution) and runs the tiny search against it. Executors are separate JVMs that
 * get the application's classes through SPARK_DIST_CLASSPATH (stack-probe.md section 4, recipe B).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {
    static final List<Process> PROCESSES = new ArrayList<>();
    static String masterUrl;

    /** A fake SPARK_HOME (empty jars/) that also keeps the cluster's logs, under target/ so CI can show them. */
    static Path sparkHome;

    @BeforeAll
    static void startCluster() throws Exception {
        sparkHome = Files.createTempDirectory(Files.createDirectories(Path.of("target", "spark-standalone")), "home").toAbsolutePath();
        String classpath = System.getProperty("kompakt.dist.classpath");
        assertNotNull(classpath, "surefire must pass kompakt.dist.classpath");
        Files.createDirectories(sparkHome.resolve("jars"));
        int port = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        Path logs = sparkHome.resolve("logs");
        Files.createDirectories(logs);
        // The cluster JVMs log at INFO (the CLI's own log4j2.xml keeps Spark at WARN): registration is read from the logs.
        Files.writeString(sparkHome.resolve("log4j2-cluster.properties"), String.join("\n",
                "rootLogger.level = info", "rootLogger.appenderRef.stdout.ref = console", "appender.console.type = Console",
                "appender.console.name = console", "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n", ""));
        start(classpath, logs.resolve("master.log"), "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        for (int w = 1; w <= 2; w++) {
            start(classpath, logs.resolve("worker" + w + ".log"), "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--cores", "1", "--memory", "2g", "--webui-port", Integer.toString(freePort()),
                    "--work-dir", sparkHome.resolve("work" + w).toString(), masterUrl);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!(registered(logs.resolve("worker1.log")) && registered(logs.resolve("worker2.log")))) {
            for (Process p : PROCESSES) {
                assertTrue(p.isAlive(), "a cluster process died; logs in " + logs + ":\n" + Files.readString(logs.resolve("master.log")));
            }
            assertTrue(System.nanoTime() < deadline, "workers did not register within 120 s; logs in " + logs);
            Thread.sleep(500);
        }
        System.setProperty("spark.executor.memory", "1536m");
        System.setProperty("spark.cores.max", "2");
    }

    private static boolean registered(Path log) throws IOException {
        return Files.exists(log) && Files.readString(log).contains("Successfully registered with master");
    }

    private static void start(String classpath, Path log, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dlog4j2.configurationFile=" + sparkHome.resolve("log4j2-cluster.properties"), "-cp",
                classpath, mainClass));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_DIST_CLASSPATH", classpath);
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
        env.put("OMP_NUM_THREADS", "1");
        PROCESSES.add(pb.start());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        System.clearProperty("spark.executor.memory");
        System.clearProperty("spark.cores.max");
        for (Process p : PROCESSES) {
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
        }
        for (Process p : PROCESSES) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    @Test
    void tinySearchOnStandaloneCluster(@TempDir Path tmp) throws Exception {
        SearchRunner.Result r = TinySearch.runAndCheck(masterUrl, tmp.resolve("run"));
        Set<String> workers = new HashSet<>();
        long self = ProcessHandle.current().pid();
        for (Trial t : r.summary().trials()) {
            assertFalse(t.worker().startsWith("executor-driver"), "trial ran on the driver: " + t.worker());
            assertFalse(t.worker().contains("@" + self + "@") || t.worker().endsWith("@" + self), "trial ran in the test JVM");
            workers.add(t.worker());
        }
        assertEquals(2, workers.size(), "trials spread over both executors: " + workers);
    }
}
