package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the 4-trial search of tiny.yaml against a Spark master and checks every output of the run. */
final class TinySearch {
    static final Path SPEC = Path.of("src/test/resources/tiny.yaml");

    private TinySearch() {
    }

    static SearchRunner.Result runAndCheck(String master, Path runDir) throws Exception {
        return runAndCheck(new SearchRunner.Options(master, runDir, null, null, null), new ByteArrayOutputStream());
    }

    /** The search with these options ({@code runDir} set), its console going to {@code console}. */
    static SearchRunner.Result runAndCheck(SearchRunner.Options options, ByteArrayOutputStream console) throws Exception {
        Path runDir = options.runDir();
        ExperimentSpec spec = SpecLoader.load(SPEC, ProfileRegistry.builtIn().all().keySet());
        SearchRunner.Result result = SearchRunner.run(spec, Files.readString(SPEC), options,
                new PrintStream(console, true, StandardCharsets.UTF_8));
        String log = console.toString(StandardCharsets.UTF_8);
        System.out.println(log);

        List<Trial> trials = result.summary().trials();
        assertEquals(4, trials.size(), log);
        assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), "all 4 trials complete:\n" + log);
        for (Trial t : trials) {
            assertTrue(t.metric("accuracy") >= 0 && t.metric("accuracy") <= 1.0, "accuracy of " + t);
            assertTrue(t.metric("size_bytes") > 0 && t.metric("latency_ms@host") > 0 && t.metric("latency_ms@rpi4") > 0, t.toString());
            assertTrue(t.metric("latency_batch_ms@host") > 0 && t.metric("bitops") > 0 && t.metric("energy_mj@host") > 0, t.toString());
            assertTrue(t.metric("energy_measured@host") == 0.0 || t.metric("energy_measured@host") == 1.0, t.toString());
        }
        assertTrue(trials.stream().anyMatch(t -> t.metric("accuracy") > 0.5), "some candidate keeps the baseline's skill");
        assertFalse(result.summary().front().isEmpty());
        assertTrue(log.contains("trial 3") || log.contains("4/4"), log);
        assertTrue(log.contains("report: "), "the report's place is printed at the start:\n" + log);
        // each finished trial's line: its accuracy, size_bytes and onnx_bytes as measured, then the progress
        for (Trial t : trials) {
            String line = String.format(java.util.Locale.ROOT, "trial %d COMPLETE acc %.4f size %,d B onnx %,d B | trials ", t.number(),
                    t.metric("accuracy"), Math.round(t.metric("size_bytes")), Math.round(t.metric("onnx_bytes")));
            assertTrue(log.contains(line), "missing '" + line + "' in\n" + log);
        }
        assertFalse(Files.readString(runDir.resolve("report.html")).contains(dev.kompakt.experiments.report.ProgressNote.ID),
                "the final report does not say the run is in progress");

        // trials.jsonl replays to the same trials
        List<JournalEvent> events = TrialJournal.read(runDir.resolve("trials.jsonl"));
        assertTrue(events.get(0) instanceof JournalEvent.Started);
        List<Trial> replayed = TrialJournal.replay(events);
        assertEquals(trials.stream().map(Trial::metrics).toList(), replayed.stream().map(Trial::metrics).toList());

        // result files
        JsonNode pareto = new ObjectMapper().readTree(runDir.resolve("pareto.json").toFile());
        assertEquals(result.summary().front().size(), pareto.get("front").size());
        assertTrue(pareto.get("baseline").get("accuracy").asDouble() > 0.3);
        List<String> csv = Files.readAllLines(runDir.resolve("pareto.csv"));
        assertEquals(result.summary().front().size() + 1, csv.size());
        JsonNode provenance = new ObjectMapper().readTree(runDir.resolve("provenance.json").toFile());
        assertEquals("4.2.0", provenance.get("version.spark").asText());
        assertTrue(provenance.has("spec.sha256") && provenance.has("host.cpu"));
        String html = Files.readString(runDir.resolve("report.html"));
        assertTrue(html.contains("<svg") && !html.contains("http://") && !html.contains("https://"));
        for (String f : Set.of("spec.yaml", "baseline.json")) {
            assertTrue(Files.isRegularFile(runDir.resolve(f)), f);
        }
        return result;
    }
}
