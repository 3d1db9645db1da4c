package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.experiments.report.ProgressNote;
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
 * {@code report.html}, each atomically ({@link AtomicFiles}). ({@code trials.jsonl}, the journal, is written by the study
 * as it runs; pareto.* and report.html are rewritten while it runs too, by {@link LiveReport}.) Only the journal and the
 * spec are needed to rebuild a run: pareto.* and report.html are rendered from the journal ({@code kompakt report}), and
 * {@code resume} rebuilds a provenance.json or baseline.json it cannot read.
 */
public final class RunFiles {
    public static final String JOURNAL = "trials.jsonl";
    public static final String SPEC_COPY = "spec.yaml";
    public static final String PROVENANCE = "provenance.json";
    public static final String BASELINE = "baseline.json";
    public static final String REPORT = "report.html";
    /** The earlier run's trials a warm-started run learned from, copied so that resume finds them in the run. */
    public static final String WARM_START = "warm-start.jsonl";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunFiles() {
    }

    public static void writeAll(Path dir, RunSummary run) throws IOException {
        writeAll(dir, run, null);
    }

    /**
     * The result files of {@code run}; with {@code inProgress} (not null) the report is one of a run still in progress and
     * says so ({@link ProgressNote}).
     */
    public static void writeAll(Path dir, RunSummary run, ProgressNote inProgress) throws IOException {
        writeParetoJson(dir.resolve("pareto.json"), run);
        writeParetoCsv(dir.resolve("pareto.csv"), run);
        if (inProgress == null) {
            ReportWriter.write(run, dir.resolve(REPORT));
        } else {
            AtomicFiles.writeString(dir.resolve(REPORT), inProgress.insertInto(ReportWriter.render(run)));
        }
    }

    public static void writeProvenance(Path dir, Map<String, String> provenance) throws IOException {
        AtomicFiles.writeJson(dir.resolve(PROVENANCE), new java.util.TreeMap<>(provenance));
    }

    public static void writeBaseline(Path dir, Map<String, Double> metrics) throws IOException {
        AtomicFiles.writeJson(dir.resolve(BASELINE), metrics);
    }

    /** A side file that exists but cannot be read (empty, cut short, not the JSON it should be). */
    public static final class UnreadableFileException extends IOException {
        UnreadableFileException(Path file, String why, Throwable cause) {
            super(file + ": cannot be read (" + why + ")", cause);
        }
    }

    /** provenance.json: every value as a string. */
    public static Map<String, String> readProvenance(Path dir) throws IOException {
        Path file = dir.resolve(PROVENANCE);
        com.fasterxml.jackson.databind.JsonNode root = readObject(file);
        Map<String, String> p = new java.util.LinkedHashMap<>();
        root.fields().forEachRemaining(f -> p.put(f.getKey(), f.getValue().isValueNode() ? f.getValue().asText() : f.getValue().toString()));
        return p;
    }

    /** baseline.json: metric name to value. */
    public static Map<String, Double> readBaseline(Path dir) throws IOException {
        Path file = dir.resolve(BASELINE);
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (var it = readObject(file).fields(); it.hasNext(); ) {
            var f = it.next();
            if (!f.getValue().isNumber() && !f.getValue().isTextual()) {
                throw new UnreadableFileException(file, "'" + f.getKey() + "' is not a number", null);
            }
            m.put(f.getKey(), f.getValue().asDouble());
        }
        return m;
    }

    private static com.fasterxml.jackson.databind.JsonNode readObject(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
            throw new UnreadableFileException(file, "the file is empty: a write cut short by a crash?", null);
        }
        com.fasterxml.jackson.databind.JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new UnreadableFileException(file, "not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new UnreadableFileException(file, "not a JSON object", null);
        }
        return root;
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
        AtomicFiles.writeJson(file, root);
    }

    static void writeParetoCsv(Path file, RunSummary run) throws IOException {
        Set<String> params = new LinkedHashSet<>();
        Set<String> metrics = new LinkedHashSet<>();
        run.objectives().forEach(o -> metrics.add(o.metric()));
        for (Trial t : run.front()) {
            params.addAll(t.assignment().values().keySet());
            metrics.addAll(t.metrics().keySet());
        }
        AtomicFiles.write(file, stream -> {
            Writer w = new java.io.OutputStreamWriter(stream, StandardCharsets.UTF_8);
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
            w.flush();
        });
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
