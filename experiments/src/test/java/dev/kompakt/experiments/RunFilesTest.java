package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.pareto.ParetoFront;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunFilesTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size_bytes"));
    private static final List<Constraint> CONSTRAINTS = List.of(new Constraint("accuracy_drop", 0.05));
    private static final Map<String, Double> BASELINE = Map.of("accuracy", 0.9, "size_bytes", 100_000.0);

    @TempDir
    Path tmp;

    private static Map<String, Object> params(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static Map<String, Double> metrics(double acc, double size) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", acc);
        m.put("size_bytes", size);
        m.put("accuracy_drop", 0.9 - acc);
        return m;
    }

    private static Trial complete(int n, Map<String, Object> params, Map<String, Double> metrics) {
        return new Trial(n, TrialState.COMPLETE, new Assignment(params), metrics, null, "w" + n, T0, T0.plusSeconds(10));
    }

    private static RunSummary summary() {
        List<Trial> trials = List.of(
                complete(0, params("note", "a,b", "bits", 8), metrics(0.88, 40_000)),
                complete(1, params("note", "say \"hi\"", "sparsity", 0.5), metrics(0.86, 20_000)),
                // infeasible (drop 0.1 > 0.05)
                complete(2, params("note", "plain", "bits", 2), metrics(0.80, 5_000)),
                // dominated by 0
                complete(3, params("note", "line\nbreak", "bits", 8), metrics(0.87, 50_000)),
                new Trial(4, TrialState.FAILED, new Assignment(params("note", "x")), Map.of(), "boom", "w4", T0, T0));
        return new RunSummary("unit", OBJECTIVES, CONSTRAINTS, trials, ParetoFront.of(trials, OBJECTIVES, CONSTRAINTS), BASELINE, Map.of());
    }

    @Test
    void csvQuotesCommasAndQuotes() throws Exception {
        Path csv = tmp.resolve("pareto.csv");
        RunFiles.writeParetoCsv(csv, summary());
        String text = Files.readString(csv, StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertEquals(List.of(
                "trial,note,bits,sparsity,accuracy,size_bytes,accuracy_drop",
                "0,\"a,b\",8,,0.88,40000.0," + (0.9 - 0.88),
                "1,\"say \"\"hi\"\"\",,0.5,0.86,20000.0," + (0.9 - 0.86)), lines, text);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void csvQuotesNewlines() throws Exception {
        List<Trial> trials = List.of(complete(0, params("note", "line\nbreak"), metrics(0.9, 1)));
        RunSummary run = new RunSummary("unit", OBJECTIVES, List.of(), trials, trials, BASELINE, Map.of());
        Path csv = tmp.resolve("pareto.csv");
        RunFiles.writeParetoCsv(csv, run);
        assertTrue(Files.readString(csv).contains("0,\"line\nbreak\",0.9,"), Files.readString(csv));
    }

    @Test
    void csvOfAnEmptyFrontHasTheObjectiveHeader() throws Exception {
        RunSummary run = new RunSummary("unit", OBJECTIVES, CONSTRAINTS, List.of(), List.of(), BASELINE, Map.of());
        Path csv = tmp.resolve("pareto.csv");
        RunFiles.writeParetoCsv(csv, run);
        assertEquals(List.of("trial,accuracy,size_bytes"), Files.readAllLines(csv));
    }

    @Test
    void jsonHasObjectivesConstraintsBaselineAndFront() throws Exception {
        RunSummary run = summary();
        assertEquals(List.of(0, 1), run.front().stream().map(Trial::number).toList());
        Path file = tmp.resolve("pareto.json");
        RunFiles.writeParetoJson(file, run);
        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertEquals("unit", root.get("run").asText());

        JsonNode objectives = root.get("objectives");
        assertEquals(2, objectives.size());
        assertEquals("accuracy", objectives.get(0).get("metric").asText());
        assertEquals("maximize", objectives.get(0).get("direction").asText());
        assertEquals("size_bytes", objectives.get(1).get("metric").asText());
        assertEquals("minimize", objectives.get(1).get("direction").asText());

        JsonNode constraints = root.get("constraints");
        assertEquals(1, constraints.size());
        assertEquals("accuracy_drop", constraints.get(0).get("metric").asText());
        assertEquals(0.05, constraints.get(0).get("max").asDouble());

        assertEquals(0.9, root.get("baseline").get("accuracy").asDouble());
        assertEquals(100_000.0, root.get("baseline").get("size_bytes").asDouble());
        assertEquals(2, root.get("baseline").size());

        JsonNode front = root.get("front");
        assertEquals(2, front.size());
        JsonNode first = front.get(0);
        assertEquals(0, first.get("trial").asInt());
        assertEquals("a,b", first.get("params").get("note").asText());
        assertEquals(8, first.get("params").get("bits").asInt());
        assertTrue(first.get("params").get("bits").isInt(), "numbers stay numbers");
        assertEquals(0.88, first.get("metrics").get("accuracy").asDouble());
        assertEquals(40_000.0, first.get("metrics").get("size_bytes").asDouble());
        assertEquals(3, first.get("metrics").size());
        assertEquals("w0", first.get("worker").asText());
        JsonNode second = front.get(1);
        assertEquals(1, second.get("trial").asInt());
        assertEquals("say \"hi\"", second.get("params").get("note").asText());
        assertEquals(0.5, second.get("params").get("sparsity").asDouble());
    }

    @Test
    void writeAllWritesTheThreeResultFiles() throws Exception {
        RunFiles.writeAll(tmp, summary());
        for (String f : List.of("pareto.json", "pareto.csv", "report.html")) {
            assertTrue(Files.size(tmp.resolve(f)) > 0, f);
        }
    }

    @Test
    void provenanceRoundTripsSorted() throws Exception {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("seed", "42");
        p.put("a.first", "x");
        RunFiles.writeProvenance(tmp, p);
        assertEquals(p, RunFiles.readProvenance(tmp));
        String text = Files.readString(tmp.resolve(RunFiles.PROVENANCE));
        assertTrue(text.indexOf("a.first") < text.indexOf("seed"), text);
    }
}
