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
    }
}
