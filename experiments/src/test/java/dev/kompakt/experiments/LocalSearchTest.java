package dev.kompakt.experiments;

import dev.kompakt.search.Trial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole path on embedded Spark local[2]: spec, baseline, study, Kryo, actor, executors, outputs. */
class LocalSearchTest {
    @TempDir
    Path tmp;

    @Test
    void tinySearchOnLocalSpark() throws Exception {
        SearchRunner.Result r = TinySearch.runAndCheck("local[2]", tmp.resolve("run"));
        for (Trial t : r.summary().trials()) {
            assertTrue(t.worker().startsWith("executor-driver@"), "local mode runs tasks in the driver JVM: " + t.worker());
        }

        // export rebuilds a front trial exactly: same accuracy as in the journal, a model ONNX Runtime runs
        Trial best = r.summary().front().get(0);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int code = dev.kompakt.experiments.cli.KompaktCli.run(new String[] {"export", r.runDir().toString(), "--trial",
                Integer.toString(best.number())}, new java.io.PrintStream(out, true), System.err);
        assertTrue(code == 0, out.toString());
        Path dir = r.runDir().resolve("export").resolve("trial-" + best.number());
        var recipe = new com.fasterxml.jackson.databind.ObjectMapper().readTree(dir.resolve("recipe.json").toFile());
        org.junit.jupiter.api.Assertions.assertEquals(best.metric("accuracy"), recipe.get("rebuilt_accuracy").asDouble(), 1e-12);
        org.junit.jupiter.api.Assertions.assertEquals(best.metric("test_accuracy"), recipe.get("rebuilt_test_accuracy").asDouble(), 1e-12);
        assertTrue(!out.toString().contains("warning"), out.toString());
        assertTrue(java.nio.file.Files.size(dir.resolve("model.onnx")) > 1000);
        assertTrue(recipe.get("onnx_top1_agreement").asDouble() > 0.9, recipe.toString());
    }
}
