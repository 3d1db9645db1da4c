package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.sampler.MotpeSampler;
import dev.kompakt.search.sampler.WarmStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run warm-started from an earlier run: the earlier run's usable trials are copied into the new run directory,
 * the sampler models from them, provenance says so, and resume finds the same prior trials in the run itself.
 */
class WarmStartRunTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondRunLearnsFromTheFirst() throws Exception {
        SearchRunner.Result first = TinySearch.runAndCheck("local[2]", tmp.resolve("first"));

        String text = Files.readString(TinySearch.SPEC)
                .replace("path: ../../../data/fashion-mnist-subset", "path: " + TinySearch.SPEC.toAbsolutePath().getParent()
                        .resolve("../../../data/fashion-mnist-subset").normalize())
                .replace("sampler: random", "sampler: motpe\n  startupTrials: 2\n  warmStart: first");
        Path specFile = tmp.resolve("warm.yaml");
        Files.writeString(specFile, text);
        ExperimentSpec spec = SpecLoader.load(specFile, ProfileRegistry.builtIn().all().keySet());
        assertEquals(tmp.resolve("first"), spec.search().warmStart());

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path second = tmp.resolve("second");
        SearchRunner.Result r = SearchRunner.run(spec, text, new SearchRunner.Options("local[2]", second, null, null, null),
                new PrintStream(console, true, StandardCharsets.UTF_8));
        String log = console.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("warm start: 4 finished trials of " + tmp.resolve("first")), log);
        assertEquals(4, r.summary().trials().size());
        assertTrue(r.summary().trials().stream().allMatch(t -> t.state() == TrialState.COMPLETE), log);

        // the prior trials travel with the run: same assignments and metrics as the first run's, numbered from 0
        List<Trial> prior = Samplers.recordedWarmStart(second);
        List<Trial> original = first.summary().trials();
        assertEquals(original.stream().map(Trial::assignment).toList(), prior.stream().map(Trial::assignment).toList());
        assertEquals(original.stream().map(Trial::metrics).toList(), prior.stream().map(Trial::metrics).toList());
        var provenance = new ObjectMapper().readTree(second.resolve(RunFiles.PROVENANCE).toFile());
        assertEquals("4", provenance.get("warm_start.trials").asText());

        // resume builds the same warm-started sampler from the run directory alone
        var sampler = assertInstanceOf(WarmStart.class, Samplers.of(spec,
                dev.kompakt.strategies.plan.CompressionSpace.of(spec.strategies()), Samplers.recordedWarmStart(second)));
        assertInstanceOf(MotpeSampler.class, sampler.delegate());
        assertEquals(4, sampler.prior().size());
    }
}
