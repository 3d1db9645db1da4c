package dev.kompakt.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.kompakt.experiments.report.ReportSamples.CONSTRAINTS;
import static dev.kompakt.experiments.report.ReportSamples.EVIL;
import static dev.kompakt.experiments.report.ReportSamples.OBJECTIVES;
import static dev.kompakt.experiments.report.ReportSamples.T0;
import static dev.kompakt.experiments.report.ReportSamples.complete;
import static dev.kompakt.experiments.report.ReportSamples.largeRun;
import static dev.kompakt.experiments.report.ReportSamples.metrics;
import static dev.kompakt.experiments.report.ReportSamples.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportWriterTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    private static void assertSelfContained(String html) {
        assertFalse(html.contains("http://"), "no http:// reference");
        assertFalse(html.contains("https://"), "no https:// reference");
        assertFalse(html.contains("<script src"), "no external script");
        assertFalse(html.contains("<link"), "no external stylesheet");
        assertFalse(html.contains("<img"), "no images");
        assertFalse(html.contains("url("), "no CSS url()");
        assertFalse(html.contains("import("), "no module import");
        assertFalse(html.contains("fetch("), "no fetch");
        assertFalse(html.contains("XMLHttpRequest"), "no XMLHttpRequest");
        assertEquals(2, count(html, "<script"), "the data and the page's own script, nothing else");
        assertEquals(2, count(html, "</script>"));
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<meta charset=\"utf-8\">"));
        assertTrue(html.trim().endsWith("</html>"));
    }

    /** The embedded data, parsed. */
    static JsonNode data(String html) throws Exception {
        String open = "<script type=\"application/json\" id=\"kompakt-data\">";
        int from = html.indexOf(open);
        assertTrue(from > 0, "data element present");
        assertEquals(from, html.lastIndexOf(open), "the data is embedded once");
        String json = html.substring(from + open.length(), html.indexOf("</script>", from));
        return JSON.readTree(json);
    }

    private static String section(String html, String id) {
        int from = html.indexOf("<section id=\"" + id + "\"");
        assertTrue(from >= 0, "section " + id);
        return html.substring(from, html.indexOf("</section>", from));
    }

    @Test
    void embedsEveryTrialOnceWithStatePlanAndBrokenConstraint() throws Exception {
        RunSummary run = sample();
        assertEquals(List.of(0, 1, 5), run.front().stream().map(Trial::number).toList(), "test data: expected front");
        String html = ReportWriter.render(run);
        assertSelfContained(html);
        JsonNode d = data(html);

        assertEquals(List.of("accuracy", "latency_ms@rpi4", "energy_mj@rpi4", "size_bytes", "accuracy_drop", "compression_ratio", "onnx_int8"),
                names(d.get("metrics")), "objectives, the constraint's metric, then the other registered metrics");
        assertEquals("max", d.get("objectives").get(0).get("dir").asText());
        assertEquals("min", d.get("objectives").get(3).get("dir").asText());
        assertEquals("accuracy_drop", d.get("constraints").get(0).get("m").asText());
        assertEquals(0.05, d.get("constraints").get(0).get("max").asDouble());
        assertEquals("pct", d.get("metrics").get(0).get("kind").asText());
        assertEquals("bytes", d.get("metrics").get(3).get("kind").asText());
        assertEquals("ms", d.get("metrics").get(1).get("unit").asText());
        assertEquals(0.915, d.get("baseline").get(0).asDouble(), 1e-6);
        assertEquals(List.of("prune.sparsity", "quant.weight_bits"), names(d.get("params")), "numeric parameters with two or more values");

        JsonNode trials = d.get("trials");
        assertEquals(7, trials.size(), "every trial, whatever its state");
        StringBuilder states = new StringBuilder();
        trials.forEach(t -> states.append(t.get(1).asText()));
        assertEquals("FFifxFr", states.toString(), "front, front, infeasible, feasible, failed, front, running");
        JsonNode t0 = trials.get(0);
        assertEquals(0, t0.get(0).asInt());
        assertEquals(60.0, t0.get(2).asDouble(), "duration from the start and finish times");
        assertEquals(0.91, t0.get(3).get(0).asDouble(), 1e-6);
        assertEquals(1_000_000, t0.get(3).get(3).asLong());
        assertEquals(0.0, t0.get(3).get(6).asDouble(), "FP32 export");
        assertEquals("AGP to 20% sparsity", t0.get(4).asText());
        assertEquals(0.2, t0.get(5).get(0).asDouble(), 1e-6);
        assertTrue(t0.get(5).get(1).isNull(), "no weight bits set: null, not a made-up value");
        assertEquals("INT8 weights", trials.get(1).get(4).asText());
        assertEquals("one-shot to 50% sparsity, INT4 weights", trials.get(5).get(4).asText());
        assertEquals("accuracy_drop = 5.50 pp > 5.00 pp (by 0.50 pp)", trials.get(2).get(6).asText(), "which constraint, by how much");
        JsonNode failed = trials.get(4);
        assertEquals("KD T=4 a=0.5", failed.get(4).asText(), "a failed trial's parameters are shown");
        assertEquals(EVIL, d.get("errors").get(failed.get(6).asInt()).asText());
        assertTrue(trials.get(6).get(2).isNull(), "a running trial has no duration");
        assertTrue(trials.get(6).get(3).get(0).isNull());

        // escaped: in the JSON as \u003c, in HTML as &lt;
        assertFalse(html.contains("<script>alert"));
        assertTrue(html.contains("\\u003cscript\\u003ealert('x')\\u003c/script\\u003e CUDA out of memory \\u0026 more"));
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; CUDA out of memory &amp; more"), "in the failed causes");
        assertFalse(withoutScript(html).contains("NaN"));
        assertFalse(withoutScript(html).contains("Infinity"));
    }

    /** The page without its own script (whose code says Infinity), data included. */
    private static String withoutScript(String html) {
        return html.substring(0, html.lastIndexOf("<script>"));
    }

    private static List<String> names(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.isObject() ? n.get("m").asText() : n.asText()));
        return out;
    }

    @Test
    void staticSummaryForReadersWithoutJavaScript() {
        RunSummary run = sample();
        String html = ReportWriter.render(run);
        // header
        assertTrue(html.contains("resnet18-cifar10 &lt;nightly&gt;"));
        assertFalse(html.contains("<nightly>"));
        assertTrue(html.contains("accuracy_drop &lt;= 0.05"));
        assertTrue(html.contains("<b>5</b>complete"));
        assertTrue(html.contains("<b>1</b>failed"));
        assertTrue(html.contains("<b>1</b>running"));
        assertTrue(html.contains("<b>1</b>infeasible"));
        assertTrue(html.contains("<b>3</b>on the front"));
        assertTrue(html.contains("The Pareto front is decided on all objectives together"), "front membership explained");
        assertTrue(html.contains("<dt>Trial time</dt><dd>median 1 min 01 s, longest 1 min 05 s, "), html.substring(html.indexOf("Trial time")));
        // the front without JavaScript: its trials and their plans, not the others
        String noscript = html.substring(html.indexOf("<noscript>"), html.indexOf("</noscript>"));
        assertTrue(noscript.contains("<tr><td class=\"n\">1</td><td class=\"n\">89.00%</td><td class=\"n\">12.0 ms</td>"), noscript);
        assertTrue(noscript.contains("<td>INT8 weights</td>"));
        assertTrue(noscript.contains("<td>one-shot to 50% sparsity, INT4 weights</td>"));
        assertFalse(noscript.contains("<td class=\"n\">3</td>"));
        assertTrue(noscript.contains("bin/kompakt export RUN_DIR --trial N"));
        // the sections the script fills are hidden until it runs
        for (String id : List.of("tradeoffs", "parallel", "trials")) {
            assertTrue(html.contains("<section id=\"" + id + "\" class=\"js\" hidden>"), id);
        }
        assertTrue(html.contains("<select id=\"sx\"></select>") && html.contains("<select id=\"sy\"></select>"), "two axis choices");
        // progress: both axes labelled
        String progress = section(html, "progress");
        assertTrue(progress.contains("<path class=\"hv\""));
        assertTrue(progress.contains(">completed trials</text>") && progress.contains(">hypervolume (normalised)</text>"));
        double expected = RunComparison.normalisedHypervolume(run.front(), run.objectives(), dev.kompakt.search.pareto.Normalization.fromPoints(
                run.trials().stream().filter(t -> t.isComplete() && t.violation(run.constraints()) == 0)
                        .map(t -> t.minimizationVector(run.objectives())).toList()));
        assertTrue(progress.contains("final hypervolume " + ReportWriter.fixed(expected, 4)), "final hypervolume " + expected);
        // failed trials, one cause
        String failed = section(html, "failed");
        assertTrue(failed.contains("(1 trial, 1 cause)"), failed);
        assertTrue(failed.contains("<details><summary>full error of trial 4</summary>"));
        // importance needs more trials than this
        assertTrue(section(html, "importance").contains("Needs at least 20 completed trials"));
        // provenance, sorted by key and escaped
        int c = html.indexOf(">command<"), g = html.indexOf(">git_commit<"), s = html.indexOf(">seed<");
        assertTrue(c > 0 && c < g && g < s, "provenance sorted by key");
        assertTrue(html.contains("kompakt run --config a&amp;b.yaml"));
    }

    @Test
    void failuresAreGroupedByTheirFirstLineWithTheTraceBehindDetails() {
        List<Trial> trials = new ArrayList<>();
        String[] first = {"java.lang.OutOfMemoryError: Java heap space", "java.lang.IllegalStateException: NaN loss", "  "};
        for (int i = 0; i < 289; i++) {
            String error = i % 3 == 2 ? null : first[i % 3] + "\n\tat dev.kompakt.A.b(A.java:" + i + ")";
            trials.add(new Trial(i, TrialState.FAILED, new Assignment(Map.of("quant.weight_bits", 8)), Map.of(), error, "w", T0, T0.plusSeconds(1)));
        }
        String html = ReportWriter.render(new RunSummary("failing", OBJECTIVES, CONSTRAINTS, trials, List.of(), Map.of(), Map.of()));
        String failed = section(html, "failed");
        assertTrue(failed.contains("(289 trials, 3 causes)"), failed.substring(0, 300));
        assertEquals(3, count(failed, "<details>"), "one trace per cause, not per trial");
        assertTrue(failed.contains("<tr><td class=\"n\">97</td><td><div class=\"cause\">java.lang.OutOfMemoryError: Java heap space</div>"));
        assertTrue(failed.contains("<tr><td class=\"n\">96</td><td><div class=\"cause\">java.lang.IllegalStateException: NaN loss</div>"));
        assertTrue(failed.contains("<div class=\"cause\">(no error recorded)</div>"));
        assertTrue(failed.contains("trials 0, 3, 6, 9,") && failed.contains(" and 67 more"), "the trials of a cause, the first 30 by number");
        assertTrue(failed.contains("(97 different texts in this group)"));
        assertTrue(failed.length() < 6_000, "grouped: " + failed.length() + " characters for 289 failures");
    }

    @Test
    void importanceBarsPerObjective() {
        // accuracy depends on the sparsity only; size on the weight bits only; the temperature decides nothing
        Random rnd = new Random(3);
        List<Trial> trials = new ArrayList<>();
        int[] bits = {32, 8, 4};
        for (int i = 0; i < 300; i++) {
            double sparsity = rnd.nextDouble() * 0.9;
            int b = bits[rnd.nextInt(3)];
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("prune.sparsity", sparsity);
            p.put("quant.weight_bits", b);
            p.put("distill.enabled", true);
            p.put("distill.temperature", 1 + 9 * rnd.nextDouble());
            p.put("distill.alpha", 0.5);
            trials.add(complete(i, p, metrics(0.9 - 0.1 * sparsity + 0.001 * rnd.nextDouble(), 1000.0 * b, 10, 20, b <= 8)));
        }
        RunSummary run = new RunSummary("imp", List.of(Objective.maximize("accuracy"), Objective.minimize("size_bytes")), List.of(), trials,
                dev.kompakt.search.pareto.ParetoFront.of(trials, List.of(Objective.maximize("accuracy"), Objective.minimize("size_bytes")), List.of()),
                Map.of(), Map.of());
        String imp = section(ReportWriter.render(run), "importance");
        int acc = imp.indexOf("<h3>accuracy"), size = imp.indexOf("<h3>size_bytes");
        assertTrue(acc > 0 && size > acc, imp);
        String accBars = imp.substring(acc, size);
        String sizeBars = imp.substring(size);
        assertTrue(accBars.indexOf("<th>prune.sparsity</th>") < accBars.indexOf("<th>distill.temperature</th>"), accBars);
        assertTrue(accBars.indexOf("<th>prune.sparsity</th>") < accBars.indexOf("<th>quant.weight_bits</th>"), accBars);
        assertTrue(sizeBars.indexOf("<th>quant.weight_bits</th>") < sizeBars.indexOf("<th>prune.sparsity</th>"), sizeBars);
        assertTrue(accBars.contains("<span class=\"bar\" style=\"width:"), accBars);
        assertTrue(imp.contains("PED-ANOVA"));
        assertEquals(3, count(accBars, "<tr title=\"Pearson divergence"), "the three parameters that vary");
    }

    @Test
    void writesTheFile(@TempDir Path dir) throws Exception {
        RunSummary run = sample();
        Path file = dir.resolve("nested/out/report.html");
        ReportWriter.write(run, file);
        assertTrue(Files.isRegularFile(file));
        String written = Files.readString(file, StandardCharsets.UTF_8);
        assertEquals(ReportWriter.render(run), written);
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
        // Overwrites an existing report.
        ReportWriter.write(new RunSummary("other", OBJECTIVES, CONSTRAINTS, List.of(), List.of(), Map.of(), Map.of()), file);
        assertTrue(Files.readString(file).contains("<h1>other</h1>"));

        // Samples to look at by eye: target/report-sample.html, target/report-small.html.
        Path target = Path.of("target");
        if (Files.isDirectory(target)) {
            ReportWriter.write(largeRun(400, 11), target.resolve("report-sample.html"));
            ReportWriter.write(run, target.resolve("report-small.html"));
        }
    }

    @Test
    void emptyAndDegenerateRuns() throws Exception {
        RunSummary empty = new RunSummary("empty", OBJECTIVES, CONSTRAINTS,
                List.of(Trial.running(0, new Assignment(Map.of()), T0),
                        new Trial(1, TrialState.FAILED, new Assignment(Map.of()), Map.of(), null, null, T0, T0)),
                List.of(), Map.of(), Map.of());
        String html = ReportWriter.render(empty);
        assertSelfContained(html);
        assertFalse(html.contains("<section id=\"progress\">"), "nothing to plot");
        assertTrue(html.contains("the front is empty"));
        assertTrue(html.contains("(no error recorded)"));
        assertTrue(html.contains("No provenance recorded"));
        assertEquals(2, data(html).get("trials").size());

        String noTrials = ReportWriter.render(new RunSummary(null, List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of()));
        assertTrue(noTrials.contains("Untitled run"));
        assertEquals(0, data(noTrials).get("trials").size());

        // NaN and missing metrics are null in the data, never NaN
        Map<String, Double> nan = new LinkedHashMap<>(metrics(0.9, 1000, 5, 5, false));
        nan.put("latency_ms@rpi4", Double.NaN);
        Map<String, Double> missing = new LinkedHashMap<>(metrics(0.8, 1000, 5, 5, false));
        missing.remove("energy_mj@rpi4");
        List<Trial> trials = List.of(complete(0, Map.of(), metrics(0.85, 1000, 5, 5, false)), complete(1, Map.of(), nan), complete(2, Map.of(), missing));
        String degenerate = ReportWriter.render(new RunSummary("degenerate", OBJECTIVES, List.of(), trials, List.of(trials.get(0)), Map.of(), Map.of()));
        assertFalse(withoutScript(degenerate).contains("NaN"));
        assertFalse(withoutScript(degenerate).contains("Infinity"));
        JsonNode d = data(degenerate);
        assertTrue(d.get("trials").get(1).get(3).get(1).isNull());
        assertTrue(d.get("trials").get(2).get(3).get(2).isNull());
        assertTrue(d.get("baseline").get(0).isNull());
    }

    @Test
    void formatsValues() {
        assertEquals("12.3 kB", ReportWriter.humanBytes(12_345));
        assertEquals("512 B", ReportWriter.humanBytes(512));
        assertEquals("1.00 MB", ReportWriter.humanBytes(999_999));
        assertEquals("1.23", ReportWriter.sig(1.23456, 3));
        assertEquals("0.0123", ReportWriter.sig(0.0123456, 3));
        assertEquals("1,235", ReportWriter.sig(1234.5678, 3));
        assertEquals("10.0", ReportWriter.sig(9.996, 3));
        assertEquals("0.05", ReportWriter.plain(0.05));
        assertEquals("1500", ReportWriter.plain(1500));
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", ReportWriter.escape("<a href=\"x\">&'"));
        assertEquals("0.25", ReportWriter.paramValue(0.25));
        assertEquals("true", ReportWriter.paramValue(true));
        assertEquals("4.5 s", ReportWriter.duration(4.5));
        assertEquals("42 s", ReportWriter.duration(42.2));
        assertEquals("3 min 05 s", ReportWriter.duration(185));
        assertEquals("2 h 03 min", ReportWriter.duration(2 * 3600 + 3 * 60 + 10));
        assertEquals("\"a\\u003c/script\\u003e\\n\\\"\"", ReportData.str(new StringBuilder(), "a</script>\n\"").toString());
        assertEquals("12", ReportData.num(new StringBuilder(), 12.0).toString());
        assertEquals("0.1", ReportData.num(new StringBuilder(), 0.1).toString());
        assertEquals("null", ReportData.num(new StringBuilder(), Double.NaN).toString());
    }

    @Test
    void linearAxisTicksAreRound() {
        ReportWriter.Axis a = ReportWriter.Axis.linear(ReportWriter.Metric.of("accuracy"), 0.812, 0.917);
        assertTrue(a.ticks.length >= 3 && a.ticks.length <= 12, "tick count " + a.ticks.length);
        for (int i = 0; i < a.ticks.length; i++) {
            assertTrue(a.label(i).matches("\\d+(\\.\\d)?%"), a.label(i));
            assertTrue(a.frac(a.ticks[i]) >= -1e-9 && a.frac(a.ticks[i]) <= 1 + 1e-9);
        }
        assertTrue(a.frac(0.812) > 0 && a.frac(0.917) < 1, "data inside the frame");
        ReportWriter.Axis b = ReportWriter.Axis.log(ReportWriter.Metric.of("size_bytes"), 5_000, 4_000_000);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < b.ticks.length; i++) {
            labels.add(b.label(i));
        }
        assertTrue(labels.contains("10 kB") && labels.contains("1 MB"), labels.toString());
    }

    @Test
    void rendersTenThousandTrialsInAFileOfReasonableSize() throws Exception {
        RunSummary run = largeRun(10_000, 7);
        long t0 = System.nanoTime();
        String html = ReportWriter.render(run);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        long t1 = System.nanoTime();
        ReportWriter.render(run);
        long again = (System.nanoTime() - t1) / 1_000_000;
        long t2 = System.nanoTime();
        for (Objective o : run.objectives()) {
            dev.kompakt.search.importance.PedAnova.evaluate(run.trials(), o);
        }
        long importance = (System.nanoTime() - t2) / 1_000_000;
        int bytes = html.getBytes(StandardCharsets.UTF_8).length;
        System.out.printf("report of 10,000 trials: %,d bytes, rendered in %d ms (again: %d ms, of which PED-ANOVA %d ms)%n", bytes, ms,
                again, importance);
        assertSelfContained(html);
        JsonNode d = data(html);
        assertEquals(10_000, d.get("trials").size());
        assertTrue(bytes < 4_000_000, "10,000 trials in " + bytes + " bytes");
        // the failures' texts are each stored once; three causes in the failed section
        long failed = run.trials().stream().filter(t -> t.state() == TrialState.FAILED).count();
        long distinct = run.trials().stream().filter(t -> t.state() == TrialState.FAILED).map(Trial::error).distinct().count();
        assertEquals(distinct, d.get("errors").size(), "each distinct failure text once");
        assertTrue(distinct < failed, "test data: some failures share their text");
        String section = section(html, "failed");
        assertTrue(section.contains("(" + failed + " trials, 3 causes)"), section.substring(0, 200));
        assertEquals(3, count(section, "<details>"));
        assertEquals(4, count(section(html, "importance"), "<h3>"), "bars for each objective");
    }
}
