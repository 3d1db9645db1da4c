package dev.kompakt.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.search.Trial;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Opens report.html in headless Chromium with {@code #selftest}: the page's script sorts a column, changes an axis,
 * hovers points, brushes an axis of the parallel coordinates and filters by state, and writes what happened into
 * {@code <pre id="selftest-result">}; the test reads it from the dumped DOM. Skipped when no Chromium is installed
 * ({@code apt-get install chromium}; {@code .ci/run} installs it).
 */
class ReportBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path chromium() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    record Opened(JsonNode result, long wallMs) {
    }

    /** Opens {@code report} with {@code #selftest} at 1400 x 1000 and returns the self-test's result. */
    static Opened open(Path report, Path profile) throws Exception {
        Path bin = chromium();
        assumeTrue(bin != null, "no chromium binary on PATH (apt-get install -y chromium): the report's browser test is skipped");
        List<String> cmd = new ArrayList<>(List.of(bin.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1400,1000", "--virtual-time-budget=5000", "--dump-dom",
                report.toUri() + "#selftest"));
        Path out = profile.resolveSibling(profile.getFileName() + ".dom");
        Path err = profile.resolveSibling(profile.getFileName() + ".err");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        boolean done = p.waitFor(120, TimeUnit.SECONDS);
        long wallMs = (System.nanoTime() - t0) / 1_000_000;
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "chromium finished within 120 s");
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        String open = "<pre id=\"selftest-result\">";
        int from = dom.lastIndexOf(open); // the element the script appended at the end of the body
        assertTrue(from >= 0, "the page wrote its self-test result (exit " + p.exitValue() + "): "
                + Files.readString(err, StandardCharsets.UTF_8));
        String text = dom.substring(from + open.length(), dom.indexOf("</pre>", from))
                .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&nbsp;", "\u00a0").replace("&amp;", "&");
        return new Opened(JSON.readTree(text), wallMs);
    }

    private static void assertControlsWork(RunSummary run, Path report, JsonNode r) {
        assertTrue(!r.has("exception"), r.path("exception").asText());
        assertEquals(0, r.get("errors").size(), "no script error: " + r.get("errors"));
        assertEquals(run.trials().size(), r.get("trials").asInt());

        JsonNode sort = r.get("sort");
        assertEquals("accuracy", sort.get("column").asText());
        assertTrue(sort.get("bestFirst").asBoolean(), "first click: highest accuracy first " + sort);
        assertTrue(sort.get("reversed").asBoolean(), "second click: lowest first " + sort);
        assertTrue(sort.get("first").get(0).asDouble() > sort.get("reversedFirst").get(0).asDouble(), sort.toString());
        double best = run.trials().stream().filter(t -> t.metric("accuracy") != null)
                .mapToDouble(t -> t.metric("accuracy")).max().orElseThrow();
        assertEquals(best, sort.get("first").get(0).asDouble(), 1e-6, "the best accuracy on top");

        JsonNode axis = r.get("axis");
        assertTrue(!axis.get("to").asText().equals(axis.get("from").asText()), axis.toString());
        assertTrue(axis.get("label").asText().startsWith(axis.get("to").asText()), "the x axis is titled with the chosen metric: " + axis);
        assertEquals(axis.get("expected").asInt(), axis.get("points").asInt(), "every completed trial with both values is drawn: " + axis);
        assertTrue(axis.get("points").asInt() > 0);

        assertTrue(r.get("hover").get("tip").asText().startsWith("trial " + r.get("hover").get("trial").asInt() + " "), r.get("hover").toString());
        JsonNode hi = r.get("hoverInfeasible");
        assertTrue(hi.get("tip").asText().contains("breaks accuracy_drop = "), "hover names the broken constraint and by how much: " + hi);
        assertTrue(hi.get("tip").asText().contains("(by "), hi.toString());

        JsonNode brush = r.get("brush");
        assertTrue(brush.get("range").isArray(), brush.toString());
        assertEquals(brush.get("expected").asInt(), brush.get("matching").asInt(), "the table keeps exactly the trials in the range: " + brush);
        assertTrue(brush.get("matching").asInt() > 0 && brush.get("matching").asInt() < run.trials().size(), brush.toString());
        assertTrue(brush.get("rowsInRange").asBoolean(), brush.toString());
        assertTrue(brush.get("count").asText().contains("within the 1 range"), brush.toString());
        assertEquals(run.trials().size(), brush.get("afterClear").asInt(), "clearing the ranges shows every trial again");

        JsonNode filter = r.get("filter");
        assertTrue(filter.get("expected").asInt() > 0, "test data has infeasible trials");
        assertEquals(filter.get("expected").asInt(), filter.get("matching").asInt(), filter.toString());
        assertTrue(filter.get("allInfeasible").asBoolean() && filter.get("namesConstraint").asBoolean(), filter.toString());
        long failed = run.trials().stream().filter(t -> t.state() == dev.kompakt.search.TrialState.FAILED).count();
        assertEquals(failed, filter.get("failed").asLong());

        String dir = report.getParent().toAbsolutePath().toString();
        assertEquals("bin/kompakt export " + dir + " --trial " + r.get("exportTrial").asInt(), r.get("exportCommand").asText());

        JsonNode fits = r.get("fits");
        assertEquals(1400, fits.get("windowWidth").asInt());
        assertTrue(fits.get("scrollWidth").asInt() <= fits.get("clientWidth").asInt(), "no horizontal scrolling at 1400 px: " + fits);
    }

    @Test
    void controlsWorkInABrowser(@TempDir Path tmp) throws Exception {
        RunSummary run = ReportSamples.largeRun(300, 5);
        Path report = tmp.resolve("run-dir").resolve("report.html");
        ReportWriter.write(run, report);
        Opened o = open(report, tmp.resolve("profile"));
        assertControlsWork(run, report, o.result());
    }

    @Test
    void runsWithNothingToDrawRaiseNoScriptError(@TempDir Path tmp) throws Exception {
        RunSummary empty = new RunSummary("empty", ReportSamples.OBJECTIVES, ReportSamples.CONSTRAINTS,
                List.of(Trial.running(0, new dev.kompakt.search.Assignment(java.util.Map.of()), ReportSamples.T0),
                        new Trial(1, dev.kompakt.search.TrialState.FAILED, new dev.kompakt.search.Assignment(java.util.Map.of()),
                                java.util.Map.of(), null, null, ReportSamples.T0, ReportSamples.T0)),
                List.of(), java.util.Map.of(), java.util.Map.of());
        RunSummary nothing = new RunSummary(null, List.of(), List.of(), List.of(), List.of(), java.util.Map.of(), java.util.Map.of());
        int i = 0;
        for (RunSummary run : List.of(empty, nothing)) {
            Path report = tmp.resolve("run" + i).resolve("report.html");
            ReportWriter.write(run, report);
            JsonNode r = open(report, tmp.resolve("profile" + i++)).result();
            assertTrue(!r.has("exception"), r.path("exception").asText());
            assertEquals(0, r.get("errors").size(), "no script error: " + r.get("errors"));
            assertEquals(run.trials().size(), r.get("trials").asInt());
        }
    }

    @Test
    void tenThousandTrials(@TempDir Path tmp) throws Exception {
        RunSummary run = ReportSamples.largeRun(10_000, 7);
        Path report = tmp.resolve("big").resolve("report.html");
        ReportWriter.write(run, report);
        Opened o = open(report, tmp.resolve("profile"));
        assertControlsWork(run, report, o.result());
        // the same browser on a 7-trial report: what starting Chromium costs
        Path small = tmp.resolve("small").resolve("report.html");
        ReportWriter.write(ReportSamples.sample(), small);
        Opened s = open(small, tmp.resolve("profile-small"));
        System.out.printf("report of 10,000 trials: %,d bytes; headless chromium %,d ms wall (a 7-trial report: %,d ms); in the page: "
                        + "script %s ms, navigation start to rendered %s ms%n", Files.size(report), o.wallMs(), s.wallMs(),
                o.result().get("scriptMs"), o.result().get("loadToRenderedMs"));
    }
}
