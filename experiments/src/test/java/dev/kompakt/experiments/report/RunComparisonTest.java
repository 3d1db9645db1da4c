package dev.kompakt.experiments.report;

import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.RecordedRun;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunComparisonTest {
    private static final String SPEC = """
            schemaVersion: 1
            name: cmp
            data: { dataset: fashion-mnist }
            baseline: { architecture: cnn }
            strategies:
              quantization: { weightBits: [32, 8] }
            budget: { trials: 3 }
            search:
              sampler: %s
              objectives:
                - { metric: accuracy, direction: maximize }
                - { metric: size_bytes, direction: minimize }
              constraints:
                - { metric: accuracy_drop, max: 0.05 }
            devices: [rpi4]
            """;

    private static RecordedRun run(String name, String sampler, List<Trial> trials) {
        ExperimentSpec spec = SpecLoader.parse(SPEC.formatted(sampler), name, Path.of("."), ProfileRegistry.builtIn().all().keySet());
        return new RecordedRun(Path.of(name), SPEC, spec, List.of(), trials, Map.of(), Map.of());
    }

    private static Trial trial(int n, double accuracy, double size, double drop) {
        return new Trial(n, TrialState.COMPLETE, new Assignment(Map.of("quant.weight_bits", 8)),
                Map.of("accuracy", accuracy, "size_bytes", size, "accuracy_drop", drop), null, "w",
                Instant.EPOCH.plusSeconds(n), Instant.EPOCH.plusSeconds(n + 1));
    }

    @Test
    void hypervolumesOnObjectivesNormalisedAcrossRuns() {
        // minimisation vectors (-accuracy, size): A has (-0.9, 100) and (-0.8, 50), B has (-0.85, 80) and an infeasible
        // (-0.95, 10) that must not move the normalisation. Ideal (-0.9, 50), nadir (-0.8, 100).
        RecordedRun a = run("a", "motpe", List.of(trial(0, 0.9, 100, 0.0), trial(1, 0.8, 50, 0.01)));
        RecordedRun b = run("b", "nsga2", List.of(trial(0, 0.85, 80, 0.0), trial(1, 0.95, 10, 0.2)));
        RunComparison c = RunComparison.of(List.of(a, b));
        assertArrayEquals(new double[]{-0.9, 50}, c.normalization().ideal(), 1e-12);
        assertArrayEquals(new double[]{-0.8, 100}, c.normalization().nadir(), 1e-12);
        // normalised: A = {(0, 1), (1, 0)}: two 1.1 x 0.1 strips overlapping in 0.1 x 0.1 -> 0.21; B = {(0.5, 0.6)} -> 0.6 * 0.5
        assertEquals(0.21, c.rows().get(0).hypervolume(), 1e-9);
        assertEquals(0.30, c.rows().get(1).hypervolume(), 1e-9);
        assertEquals(0.11, c.rows().get(0).hypervolumeAfter(1), 1e-9);
        assertEquals(0.21, c.rows().get(0).hypervolumeAfter(2), 1e-9);
        assertEquals(1, c.rows().get(1).feasible());
        assertEquals(2, c.rows().get(0).front());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.print(new PrintStream(out, true, StandardCharsets.UTF_8));
        String table = out.toString(StandardCharsets.UTF_8);
        assertTrue(table.contains("| a | motpe | 2 | 2 | 2 | 2 | 0.2100 |"), table);
        assertTrue(table.contains("| b | nsga2 | 2 | 2 | 1 | 1 | 0.3000 |"), table);
    }

    @Test
    void runsOfDifferentProblemsAreRefused() {
        RecordedRun a = run("a", "motpe", List.of(trial(0, 0.9, 100, 0.0)));
        ExperimentSpec other = SpecLoader.parse(SPEC.formatted("motpe").replace("size_bytes", "latency_ms@rpi4"), "c", Path.of("."),
                ProfileRegistry.builtIn().all().keySet());
        RecordedRun c = new RecordedRun(Path.of("c"), SPEC, other, List.of(), List.of(), Map.of(), Map.of());
        SpecException e = assertThrows(SpecException.class, () -> RunComparison.of(List.of(a, c)));
        assertTrue(e.getMessage().contains("objectives and constraints differ"), e.getMessage());
    }
}
