package dev.kompakt.experiments.report;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReportWriterTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"),
            Objective.minimize("latency_ms@rpi4"), Objective.minimize("energy_mj@rpi4"), Objective.minimize("size_bytes"));
    private static final List<Constraint> CONSTRAINTS = List.of(new Constraint("accuracy_drop", 0.05));
    private static final Map<String, Double> BASELINE = Map.of("accuracy", 0.915, "size_bytes", 1_200_000.0,
            "latency_ms@rpi4", 25.0, "energy_mj@rpi4", 60.0, "compression_ratio", 1.0, "accuracy_drop", 0.0);
    private static final String EVIL = "<script>alert('x')</script> CUDA out of memory & more";

    private static Map<String, Double> metrics(double acc, double size, double lat, double energy) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", acc);
        m.put("size_bytes", size);
        m.put("latency_ms@rpi4", lat);
        m.put("energy_mj@rpi4", energy);
        m.put("compression_ratio", 1_200_000.0 / size);
        m.put("accuracy_drop", 0.915 - acc);
        return m;
    }

    private static Trial complete(int n, Map<String, Object> params, Map<String, Double> metrics) {
        return new Trial(n, TrialState.COMPLETE, new Assignment(params), metrics, null, "worker-1", T0, T0.plusSeconds(60));
    }

    private static RunSummary sample() {
        List<Trial> trials = new ArrayList<>();
        trials.add(complete(0, Map.of("method", "prune", "sparsity", 0.2), metrics(0.91, 1_000_000, 20, 50)));
        trials.add(complete(1, Map.of("method", "quant", "bits", 8), metrics(0.89, 250_000, 12, 30)));
        // infeasible: accuracy_drop 0.055 > 0.05
        trials.add(complete(2, Map.of("method", "quant", "bits", 2), metrics(0.86, 50_000, 8, 20)));
        // dominated by trial 1
        trials.add(complete(3, Map.of("method", "prune", "sparsity", 0.6), metrics(0.88, 300_000, 14, 35)));
        trials.add(new Trial(4, TrialState.FAILED, new Assignment(Map.of("method", "distill")), Map.of(), EVIL,
                "worker-2", T0, T0.plusSeconds(5)));
        trials.add(complete(5, Map.of("method", "quant", "bits", 4, "sparsity", 0.5), metrics(0.87, 120_000, 10, 25)));
        trials.add(Trial.running(6, new Assignment(Map.of("method", "prune")), T0));
        List<Trial> front = ParetoFront.of(trials, OBJECTIVES, CONSTRAINTS);
        return new RunSummary("resnet18-cifar10 <nightly>", OBJECTIVES, CONSTRAINTS, trials, front, BASELINE,
                Map.of("git_commit", "abc123", "seed", "42", "command", "kompakt run --config a&b.yaml"));
    }

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
        assertTrue(html.startsWith("<!DOCTYPE html>"));
        assertTrue(html.contains("<meta charset=\"utf-8\">"));
        assertTrue(html.trim().endsWith("</html>"));
    }

    @Test
    void rendersPlotsFrontTableFailuresAndProvenance() {
        RunSummary run = sample();
        List<Integer> frontNumbers = run.front().stream().map(Trial::number).toList();
        assertEquals(List.of(0, 1, 5), frontNumbers, "test data: expected front");

        String html = ReportWriter.render(run);
        assertSelfContained(html);

        // One plot of accuracy against each of the three other objectives, and the search's progress.
        assertEquals(4, count(html, "<svg"));
        assertTrue(html.contains("Search progress") && html.contains("<path class=\"hv\""), "hypervolume history plotted");
        // the curve ends at the normalised hypervolume of the front, as kompakt compare computes it
        double expected = RunComparison.normalisedHypervolume(run.front(), run.objectives(), dev.kompakt.search.pareto.Normalization.fromPoints(
                run.trials().stream().filter(t -> t.isComplete() && t.violation(run.constraints()) == 0)
                        .map(t -> t.minimizationVector(run.objectives())).toList()));
        assertTrue(html.contains("final hypervolume " + ReportWriter.fixed(expected, 4)), "final hypervolume " + expected);
        assertTrue(html.contains("accuracy vs latency_ms@rpi4"));
        assertTrue(html.contains("accuracy vs energy_mj@rpi4"));
        assertTrue(html.contains("accuracy vs size_bytes"));
        // size spans 50 kB .. 1.2 MB (24x): log scale; latency 8..25 ms: linear.
        assertEquals(1, count(html, "log scale"));
        // Tooltips.
        assertTrue(html.contains("<title>trial 1: accuracy=0.8900, size_bytes=250,000 (Pareto front)</title>"), html);
        assertTrue(html.contains("<title>trial 2: accuracy=0.8600, latency_ms@rpi4=8.000 (infeasible)</title>"));
        assertEquals(3, count(html, "(infeasible)</title></circle>"), "the infeasible trial in each plot");
        assertEquals(6, count(html, "<circle class=\"i\""), "hollow: 3 points + 3 legend markers");
        assertEquals(9, count(html, "(Pareto front)</title></circle>"), "three front trials in each of three plots");
        assertEquals(3, count(html, "<circle class=\"t\" cx=\"") - 3, "the dominated feasible trial in each plot (plus legend)");
        assertEquals(3, count(html, "<title>trial 3: "));
        assertFalse(html.contains("NaN"));
        assertFalse(html.contains("Infinity"));

        // Header.
        assertTrue(html.contains("resnet18-cifar10 &lt;nightly&gt;"));
        assertFalse(html.contains("<nightly>"));
        assertTrue(html.contains("accuracy_drop &lt;= 0.05"));
        assertTrue(html.contains("<b>5</b>complete"));
        assertTrue(html.contains("<b>1</b>failed"));
        assertTrue(html.contains("<b>1</b>running"));
        assertTrue(html.contains("<b>3</b>on the front"));

        // Front table: front trials, not the dominated or infeasible ones; baseline row first.
        String table = html.substring(html.indexOf("<table class=\"front\">"), html.indexOf("</table>", html.indexOf("<table class=\"front\">")));
        for (int n : frontNumbers) {
            assertTrue(table.contains("<tr data-trial=\"" + n + "\"><td class=\"n\">" + n + "</td>"), "front trial " + n);
        }
        assertFalse(table.contains("data-trial=\"2\""));
        assertFalse(table.contains("data-trial=\"3\""));
        assertTrue(table.indexOf("baseline") < table.indexOf("data-trial=\"0\""), "baseline row at the top");
        assertTrue(table.contains("91.50%"), "baseline accuracy as percent");
        assertTrue(table.contains("89.00%"));
        assertTrue(table.contains("250 kB <span class=\"sub\">250,000 B</span>"));
        assertTrue(table.contains("1.20 MB"));
        assertTrue(table.contains("12.0 ms"));
        assertTrue(table.contains("4.8x"), "compression ratio of trial 1");
        assertTrue(table.contains("2.50 pp"), "accuracy drop of trial 1");
        for (String param : List.of(">method<", ">bits<", ">sparsity<")) {
            assertTrue(table.contains(param), param);
        }
        assertTrue(table.contains(">quant<"));

        // Baseline marker in every plot.
        assertEquals(3, count(html, "<g class=\"bl\">"));
        assertTrue(html.contains(">baseline</text>"));

        // Failed trial: escaped.
        assertFalse(html.contains("<script"), "no raw script tag anywhere");
        assertTrue(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; CUDA out of memory &amp; more"));

        // Provenance, sorted by key and escaped.
        int c = html.indexOf(">command<"), g = html.indexOf(">git_commit<"), s = html.indexOf(">seed<");
        assertTrue(c > 0 && c < g && g < s, "provenance sorted by key");
        assertTrue(html.contains("kompakt run --config a&amp;b.yaml"));
    }

    @Test
    void writesTheFile(@TempDir Path dir) throws Exception {
        RunSummary run = sample();
        Path file = dir.resolve("nested/out/report.html");
        ReportWriter.write(run, file);
        assertTrue(Files.isRegularFile(file));
        String written = Files.readString(file, StandardCharsets.UTF_8);
        assertEquals(ReportWriter.render(run), written);
        assertTrue(written.contains("baseline"));
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
    void emptyRunSaysThereIsNothingToPlot() {
        RunSummary empty = new RunSummary("empty", OBJECTIVES, CONSTRAINTS,
                List.of(Trial.running(0, new Assignment(Map.of()), T0),
                        new Trial(1, TrialState.FAILED, new Assignment(Map.of()), Map.of(), null, null, T0, T0)),
                List.of(), Map.of(), Map.of());
        String html = ReportWriter.render(empty);
        assertSelfContained(html);
        assertEquals(0, count(html, "<svg"));
        assertTrue(html.contains("nothing to plot"));
        assertTrue(html.contains("the front is empty"));
        assertTrue(html.contains("(no error recorded)"));
        assertTrue(html.contains("No provenance recorded"));

        String noTrials = ReportWriter.render(new RunSummary(null, List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of()));
        assertTrue(noTrials.contains("nothing to plot"));
        assertTrue(noTrials.contains("Untitled run"));
    }

    @Test
    void degenerateDataStillPlots() {
        // A single point, all X equal, and points with a missing or NaN metric.
        Map<String, Double> nan = new LinkedHashMap<>(metrics(0.9, 1000, 5, 5));
        nan.put("latency_ms@rpi4", Double.NaN);
        Map<String, Double> missing = new LinkedHashMap<>(metrics(0.8, 1000, 5, 5));
        missing.remove("energy_mj@rpi4");
        List<Trial> trials = List.of(
                complete(0, Map.of(), metrics(0.85, 1000, 5, 5)),
                complete(1, Map.of(), nan),
                complete(2, Map.of(), missing));
        RunSummary run = new RunSummary("degenerate", OBJECTIVES, List.of(), trials, List.of(trials.get(0)), Map.of(), Map.of());
        String html = ReportWriter.render(run);
        assertEquals(3, count(html, "<svg"));
        assertFalse(html.contains("NaN"));
        assertFalse(html.contains("Infinity"));
        assertTrue(html.contains("1 trial without both metrics not shown."));
        assertFalse(html.contains("<g class=\"bl\">"), "no baseline given, none drawn");

        // Only one objective: nothing to trade off.
        RunSummary single = new RunSummary("one", List.of(Objective.maximize("accuracy")), List.of(), trials,
                List.of(trials.get(0)), Map.of(), Map.of());
        assertTrue(ReportWriter.render(single).contains("nothing to plot"));
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
    void rendersTenThousandTrials() {
        RunSummary run = largeRun(10_000, 7);
        String html = ReportWriter.render(run);
        assertSelfContained(html);
        assertEquals(4, count(html, "<svg"), "three trade-off plots and the progress plot");
        assertTrue(html.length() > 1_000_000);
        assertTrue(count(html, "<circle") >= 3 * 9_000);
    }

    private static RunSummary largeRun(int n, long seed) {
        Random rnd = new Random(seed);
        List<Trial> trials = new ArrayList<>(n);
        String[] methods = {"prune", "quant", "prune+quant", "lowrank"};
        for (int i = 0; i < n; i++) {
            double compress = Math.exp(rnd.nextDouble() * Math.log(60));
            double acc = 0.915 - 0.004 * Math.log(compress) * (1 + rnd.nextDouble() * 3) - rnd.nextDouble() * 0.01;
            double size = 1_200_000 / compress;
            double lat = 4 + 21 / Math.sqrt(compress) * (0.8 + 0.4 * rnd.nextDouble());
            double energy = lat * (2.2 + 0.6 * rnd.nextDouble());
            Map<String, Object> params = new LinkedHashMap<>();
            params.put("method", methods[rnd.nextInt(methods.length)]);
            params.put("sparsity", Math.round(rnd.nextDouble() * 90) / 100.0);
            if (rnd.nextBoolean()) {
                params.put("bits", 2 << rnd.nextInt(3));
            }
            if (i % 97 == 13) {
                trials.add(new Trial(i, TrialState.FAILED, new Assignment(params), Map.of(),
                        "java.lang.IllegalStateException: evaluator crashed <exit 137>\n\tat dev.kompakt.Eval.run(Eval.java:42)",
                        "worker-" + (i % 4), T0, T0.plusSeconds(3)));
            } else if (i % 89 == 5) {
                trials.add(new Trial(i, TrialState.STOPPED, new Assignment(params), Map.of("accuracy", acc), null,
                        "worker-" + (i % 4), T0, T0.plusSeconds(3)));
            } else {
                trials.add(complete(i, params, metrics(acc, size, lat, energy)));
            }
        }
        List<Trial> front = ParetoFront.of(trials, OBJECTIVES, CONSTRAINTS);
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("git_commit", "3f9c2e1d");
        prov.put("model", "resnet18");
        prov.put("dataset", "cifar10 (test split, 10,000 images)");
        prov.put("started", "2025-01-01T00:00:00Z");
        prov.put("sampler", "NSGA-II, seed 42");
        return new RunSummary("resnet18-cifar10 nightly", OBJECTIVES, CONSTRAINTS, trials, front, BASELINE, prov);
    }
}
