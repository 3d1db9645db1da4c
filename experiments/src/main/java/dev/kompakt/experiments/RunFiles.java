package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.experiments.report.ReportWriter;
import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a run's result files: {@code pareto.json}, {@code pareto.csv}, {@code provenance.json} and
 * {@code report.html}. ({@code trials.jsonl}, the journal, is written by the study as it runs.)
 */
public final class RunFiles {
    public static final String JOURNAL = "trials.jsonl";
    public static final String SPEC_COPY = "spec.yaml";
    public static final String PROVENANCE = "provenance.json";
    public static final String BASELINE = "baseline.json";
    /** The earlier run's trials a warm-started run learned from, copied so that resume finds them in the run. */
    public static final String WARM_START = "warm-start.jsonl";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunFiles() {
    }

    public static void writeAll(Path dir, RunSummary run) throws IOException {
        writeParetoJson(dir.resolve("pareto.json"), run);
        writeParetoCsv(dir.resolve("pareto.csv"), run);
        ReportWriter.write(run, dir.resolve("report.html"));
    }

    public static void writeProvenance(Path dir, Map<String, String> provenance) throws IOException {
        JSON.writeValue(dir.resolve(PROVENANCE).toFile(), new java.util.TreeMap<>(provenance));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, String> readProvenance(Path dir) throws IOException {
        return JSON.readValue(dir.resolve(PROVENANCE).toFile(), Map.class);
    }

    static void writeParetoJson(Path file, RunSummary run) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("run", run.name());
        ArrayNode objectives = root.putArray("objectives");
        for (Objective o : run.objectives()) {
            objectives.addObject().put("metric", o.metric()).put("direction", o.direction().name().toLowerCase());
        }
        ArrayNode constraints = root.putArray("constraints");
        for (Constraint c : run.constraints()) {
            constraints.addObject().put("metric", c.metric()).put("max", c.max());
        }
        ObjectNode baseline = root.putObject("baseline");
        run.baseline().forEach(baseline::put);
        ArrayNode front = root.putArray("front");
        for (Trial t : run.front()) {
            ObjectNode n = front.addObject();
            n.put("trial", t.number());
            n.set("params", JSON.valueToTree(t.assignment().values()));
            ObjectNode metrics = n.putObject("metrics");
            t.metrics().forEach(metrics::put);
            n.put("worker", t.worker());
        }
        JSON.writeValue(file.toFile(), root);
    }

    static void writeParetoCsv(Path file, RunSummary run) throws IOException {
        Set<String> params = new LinkedHashSet<>();
        Set<String> metrics = new LinkedHashSet<>();
        run.objectives().forEach(o -> metrics.add(o.metric()));
        for (Trial t : run.front()) {
            params.addAll(t.assignment().values().keySet());
            metrics.addAll(t.metrics().keySet());
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            List<String> header = new ArrayList<>();
            header.add("trial");
            header.addAll(params);
            header.addAll(metrics);
            w.write(csvRow(header));
            for (Trial t : run.front()) {
                List<String> row = new ArrayList<>();
                row.add(Integer.toString(t.number()));
                for (String p : params) {
                    row.add(t.assignment().has(p) ? String.valueOf(t.assignment().get(p)) : "");
                }
                for (String m : metrics) {
                    Double v = t.metric(m);
                    row.add(v == null ? "" : Double.toString(v));
                }
                w.write(csvRow(row));
            }
        }
    }

    private static String csvRow(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells.get(i);
            if (c.contains(",") || c.contains("\"") || c.contains("\n")) {
                c = '"' + c.replace("\"", "\"\"") + '"';
            }
            sb.append(c);
        }
        return sb.append('\n').toString();
    }
}
