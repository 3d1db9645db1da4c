package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the CLI as users do, in its own JVM with the default thread stack (as bin/kompakt starts it): the tiny
 * search on embedded Spark. Guards against failures that only show outside Surefire, like the native stack
 * overflow that ONNX Runtime's session creation hit on a 1 MiB main thread.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CliProcessTest {
    @Test
    void searchRunsInAFreshJvm(@TempDir Path tmp) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the Spark JVM flags this test JVM got from Surefire, as bin/kompakt passes them
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || arg.startsWith("-Dio.netty")
                    || arg.startsWith("--sun-misc") || arg.startsWith("--enable-native")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx2g", "-cp", System.getProperty("kompakt.dist.classpath"), "dev.kompakt.experiments.cli.KompaktCli",
                "search", TinySearch.SPEC.toString(), "--master", "local[2]", "--run-dir", tmp.resolve("run").toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("out.log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        Process p = pb.start();
        assertTrue(p.waitFor(4, TimeUnit.MINUTES), "CLI did not finish");
        String log = Files.readString(tmp.resolve("out.log"));
        assertEquals(0, p.exitValue(), "exit code; output:\n" + log);
        assertTrue(log.contains("4 trials: 4 complete, 0 failed"), log);
        var pareto = new ObjectMapper().readTree(tmp.resolve("run/pareto.json").toFile());
        assertTrue(pareto.get("front").size() >= 1);
        assertTrue(pareto.get("front").get(0).get("metrics").get("onnx_top1_agreement").asDouble() > 0.9, pareto.toString());
    }
}
