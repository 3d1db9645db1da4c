package dev.kompakt.experiments.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.pareto.ParetoFront;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line without Spark: validate, help, profiles, report, and every bad-input path of search. */
public class CliTest {
    static final Path TINY = Path.of("src/test/resources/tiny.yaml");
    static final Path DATA = Path.of("data", "fashion-mnist-subset").toAbsolutePath().normalize();

    static final String BAD_SPEC = """
            schemaVersion: 1
            name: bad
            data: { dataset: fashion-mnist }
            baseline: { architecture: cnn }
            strategies:
              pruning: { minSparsity: 0.0, maxSparsity: 1.5 }
            budget: { trials: 0 }
            search:
              objectives:
                - { metric: accuracy, direction: maximize }
                - { metric: latency_ms@pi9, direction: minimize }
            devices: [rpi4]
            """;
    static final List<String> BAD_PROBLEMS = List.of(
            "strategies.pruning.maxSparsity: must be in [0.0, 0.99], got 1.5",
            "budget.trials: must be >= 1, got 0",
            "search.objectives[1].metric: 'latency_ms@pi9' names device 'pi9', which is not in devices [rpi4]");

    @TempDir
    Path tmp;

    /** Exit code and what the command printed. */
    public record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out:\n" + out + "\n--- err:\n" + err;
        }
    }

    /** Runs the command line in this JVM and captures what it printed (also for the other CLI-level tests). */
    public static Result cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = KompaktCli.run(args, o, e);
        }
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<Path> listTree(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void validateQuickstart() throws Exception {
        Result r = cli("validate", "quickstart.yaml");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("quickstart.yaml: valid"), r.toString());
        int trials = SpecLoader.load(Path.of("quickstart.yaml"), ProfileRegistry.builtIn().all().keySet()).budget().trials();
        assertTrue(r.out().contains(trials + " trials") && r.out().contains("sampler motpe"), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void validateBadSpecPrintsEveryProblemAndWritesNothing() throws Exception {
        Path spec = tmp.resolve("bad.yaml");
        Files.writeString(spec, BAD_SPEC);
        List<Path> before = listTree(tmp);
        Result r = cli("validate", spec.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("kompakt: " + spec + ": 3 problems:"), r.toString());
        for (String p : BAD_PROBLEMS) {
            assertTrue(r.err().contains("  - " + p), "missing '" + p + "' in\n" + r);
        }
        assertFalse(r.out().contains("valid"), r.toString());
        assertEquals(before, listTree(tmp), "validate writes nothing");
        assertEquals(BAD_SPEC, Files.readString(spec));
    }

    @Test
    void validateMissingFile() {
        Result r = cli("validate", tmp.resolve("missing.yaml").toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("spec file not found"), r.toString());
    }

    @Test
    void searchWithBadSpecExits2AndCreatesNoRunDirectory() throws Exception {
        Path spec = tmp.resolve("bad.yaml");
        Files.writeString(spec, BAD_SPEC);
        Path runs = tmp.resolve("runs");
        Result r = cli("search", spec.toString(), "--runs-dir", runs.toString());
        assertEquals(2, r.code(), r.toString());
        for (String p : BAD_PROBLEMS) {
            assertTrue(r.err().contains("  - " + p), "missing '" + p + "' in\n" + r);
        }
        assertFalse(Files.exists(runs), "no runs directory: " + r);
        assertEquals(List.of(tmp, spec), listTree(tmp));
    }

    @Test
    void searchNeverOverwritesAnExistingRunDirectory() throws Exception {
        Path runDir = Files.createDirectories(tmp.resolve("existing"));
        Files.writeString(runDir.resolve("trials.jsonl"), "precious\n");
        Files.writeString(runDir.resolve("report.html"), "<p>old report</p>");
        Path runs = tmp.resolve("runs");
        Result r = cli("search", "quickstart.yaml", "--run-dir", runDir.toString(), "--runs-dir", runs.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(runDir.toString()), r.toString());
        assertTrue(r.err().contains("never overwrites"), r.toString());
        assertEquals(List.of(runDir, runDir.resolve("report.html"), runDir.resolve("trials.jsonl")), listTree(runDir));
        assertEquals("precious\n", Files.readString(runDir.resolve("trials.jsonl")));
        assertEquals("<p>old report</p>", Files.readString(runDir.resolve("report.html")));
        assertFalse(Files.exists(runs), r.toString());
    }

    @Test
    void helpExitsZeroAndNamesCommandsAndOptions() {
        Result top = cli("--help");
        assertEquals(0, top.code(), top.toString());
        for (String s : List.of("search", "report", "serve", "validate", "profiles", "--help", "--version")) {
            assertTrue(top.out().contains(s), s + " in\n" + top);
        }
        Result search = cli("search", "--help");
        assertEquals(0, search.code(), search.toString());
        for (String s : List.of("SPEC", "--master", "--run-dir", "--runs-dir", "--jars", "--profiles", "--serve")) {
            assertTrue(search.out().contains(s), s + " in\n" + search);
        }
        Result report = cli("report", "--help");
        assertEquals(0, report.code(), report.toString());
        assertTrue(report.out().contains("RUN_DIR"), report.toString());
    }

    @Test
    void noCommandPrintsUsageAndExits2() {
        Result r = cli();
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.out().contains("search"), r.toString());
    }

    @Test
    void unknownOptionIsBadInput() {
        Result r = cli("search", "quickstart.yaml", "--no-such-option");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--no-such-option"), r.toString());
    }

    @Test
    void versionListsComponents() {
        Result r = cli("--version");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("kompakt ") && r.out().contains("spark ") && r.out().contains("dl4j "), r.toString());
    }

    @Test
    void profilesListsBuiltInDevicesWithSources() {
        Result r = cli("profiles");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("rpi4  Raspberry Pi 4"), r.toString());
        assertTrue(r.out().contains("rpi5  "), r.toString());
        assertTrue(r.out().contains("peakGflopsFp32: ") && r.out().contains("activePowerW: "), r.toString());
        assertTrue(r.out().contains("GFLOPS float") && r.out().contains("coral-edgetpu  ") && r.out().contains("(int8 only)"), r.toString());
        assertTrue(r.out().contains("evaluator/src/main/resources/profiles/hardware-profiles.md") && r.out().contains("[D/A] "), r.toString());
    }

    @Test
    void metricsListsEveryMetricWithItsUnitAndMeaning() {
        Result r = cli("metrics");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("size_bytes") && r.out().contains("not the ONNX file (onnx_bytes)"), r.toString());
        assertTrue(r.out().contains("latency_ms@DEVICE") && r.out().contains("latency_ms@host"), r.toString());
        assertTrue(r.out().contains("sparsity.") && r.out().contains("not objectives"), r.toString());
    }

    /**
     * A standalone master nobody listens on: search and resume fail fast (Spark alone retries for about a minute) with one
     * line naming the master, and write nothing.
     */
    @Test
    void anUnreachableMasterFailsFastWithOneLineAndWritesNothing() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // free, and closed again: nothing listens there
        }
        String master = "spark://127.0.0.1:" + port;
        Path runs = tmp.resolve("runs");
        long t0 = System.nanoTime();
        Result r = cli("search", "quickstart.yaml", "--master", master, "--runs-dir", runs.toString());
        assertEquals(1, r.code(), r.toString());
        assertEquals(1, r.err().strip().lines().count(), r.toString());
        assertTrue(r.err().startsWith("kompakt: cannot reach the Spark master " + master + " (127.0.0.1:" + port + ": connection refused)"),
                r.toString());
        assertFalse(Files.exists(runs), r.toString());

        Path run = Files.createDirectories(tmp.resolve("run"));
        String tinyText = Files.readString(TINY).replace("path: ../../../data/fashion-mnist-subset", "path: " + DATA);
        Files.writeString(run.resolve("spec.yaml"), tinyText);
        try (TrialJournal journal = TrialJournal.open(run.resolve("trials.jsonl"))) {
            journal.append(new JournalEvent.Started("tiny", dev.kompakt.experiments.Provenance.sha256(tinyText), 7, "2025-01-01T00:00:00Z"));
        }
        List<Path> before = listTree(run);
        String journalBefore = Files.readString(run.resolve("trials.jsonl"));
        Result resumed = cli("resume", run.toString(), "--master", master);
        assertEquals(1, resumed.code(), resumed.toString());
        assertEquals(1, resumed.err().strip().lines().count(), resumed.toString());
        assertTrue(resumed.err().contains("cannot reach the Spark master " + master), resumed.toString());
        assertEquals(before, listTree(run), "resume wrote nothing");
        assertEquals(journalBefore, Files.readString(run.resolve("trials.jsonl")));
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "both failed within 30 s");
    }

    @Test
    void reportOnADirectoryWithoutJournalExits2() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("not-a-run"));
        Result r = cli("report", dir.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("not a run directory"), r.toString());
        assertTrue(r.err().contains("trials.jsonl"), r.toString());
        assertEquals(List.of(dir), listTree(dir), "report writes nothing into a non-run directory");
    }

    @Test
    void serveOnSomethingThatIsNotARunDirectoryExits2() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("not-a-run"));
        Files.writeString(dir.resolve("report.html"), "<p>a report without its run</p>");
        Path spec = Files.writeString(tmp.resolve("spec.yaml"), "name: x\n");
        for (Path p : List.of(dir, tmp.resolve("missing"), spec)) {
            Result r = cli("serve", p.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("kompakt: " + p + ": 1 problem:\n  - not a run directory: " + p.resolve("trials.jsonl") + " not found"),
                    r.toString());
            assertEquals("", r.out(), r.toString());
        }
        assertEquals(List.of(tmp, dir, dir.resolve("report.html"), spec), listTree(tmp), "serve writes nothing");
    }

    @Test
    void aPortOutOfRangeOrInUseIsBadInputAndNothingIsWritten() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("trials.jsonl"), "");
        Path runs = tmp.resolve("runs");
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Result outOfRange = cli("serve", run.toString(), "--port", "70000");
            assertEquals(2, outOfRange.code(), outOfRange.toString());
            assertTrue(outOfRange.err().contains("kompakt: --port: 1 problem:\n  - port must be 0 (a free port) to 65535, got 70000"),
                    outOfRange.toString());
            Result inUse = cli("serve", run.toString(), "--port", Integer.toString(port));
            assertEquals(2, inUse.code(), inUse.toString());
            assertTrue(inUse.err().contains("kompakt: --port: 1 problem:\n  - port " + port + " on 127.0.0.1 cannot be used ("), inUse.toString());

            // search checks its port before it writes anything
            for (String p : List.of("-1", Integer.toString(port))) {
                Result search = cli("search", TINY.toString(), "--serve", p, "--runs-dir", runs.toString());
                assertEquals(2, search.code(), search.toString());
                assertTrue(search.err().contains("kompakt: --serve: 1 problem:\n  - port"), search.toString());
                assertFalse(Files.exists(runs), search.toString());
            }
            Result notANumber = cli("search", "--serve", TINY.toString(), "--runs-dir", runs.toString());
            assertEquals(2, notANumber.code(), notANumber.toString());
            assertTrue(notANumber.err().contains("Invalid value for option '--serve'"), notANumber.toString());
            assertFalse(Files.exists(runs), notANumber.toString());
        }
        assertEquals(List.of(run, run.resolve("trials.jsonl")), listTree(run));
    }

    @Test
    void reportOnARunInProgressSaysSoInThePage() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("spec.yaml"), Files.readString(TINY).replace("path: ../../../data/fashion-mnist-subset", "path: " + DATA));
        writeJournal(run);
        try (dev.kompakt.experiments.RunLock lock = dev.kompakt.experiments.RunLock.acquire(run, "search")) {
            Result r = cli("report", run.toString());
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("note: the run is still in progress"), r.toString());
            String html = Files.readString(run.resolve("report.html"));
            assertTrue(dev.kompakt.experiments.report.ProgressNote.isIn(html), html);
            assertTrue(html.contains("<b>Search in progress:</b> 4 of 4 trials done, 4 asked (budget: 4 trials); written "), html);
        }
        Result done = cli("report", run.toString());
        assertEquals(0, done.code(), done.toString());
        assertFalse(done.out().contains("in progress"), done.toString());
        assertFalse(dev.kompakt.experiments.report.ProgressNote.isIn(Files.readString(run.resolve("report.html"))));
    }

    private static Map<String, Double> metrics(double acc, double lat, double size) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", acc);
        m.put("accuracy_drop", 0.9 - acc);
        m.put("latency_ms@rpi4", lat);
        m.put("size_bytes", size);
        m.put("compression_ratio", 100_000.0 / size);
        return m;
    }

    /** A journal of 4 trials: 0 and 1 on the front, 2 dominated, 3 failed. */
    private static void writeJournal(Path run) throws Exception {
        String t = "2025-01-01T00:00:00Z";
        try (TrialJournal journal = TrialJournal.open(run.resolve("trials.jsonl"))) {
            journal.append(new JournalEvent.Started("tiny", "abc", 7, t));
            journal.append(new JournalEvent.Asked(0, Map.of("student.width", 1.0, "prune.sparsity", 0.3, "quant.weight_bits", 8), t));
            journal.append(new JournalEvent.Asked(1, Map.of("student.width", 0.5, "student.init", "inherit", "quant.weight_bits", 4), t));
            journal.append(new JournalEvent.Finished(1, TrialState.COMPLETE, metrics(0.80, 3.0, 30_000), null, "w1", "2025-01-01T00:01:00Z"));
            journal.append(new JournalEvent.Finished(0, TrialState.COMPLETE, metrics(0.85, 5.0, 50_000), null, "w2", "2025-01-01T00:01:30Z"));
            journal.append(new JournalEvent.Asked(2, Map.of("student.width", 1.0, "prune.sparsity", 0.1, "quant.weight_bits", 32), t));
            journal.append(new JournalEvent.Finished(2, TrialState.COMPLETE, metrics(0.79, 6.0, 60_000), null, "w1", "2025-01-01T00:02:00Z"));
            journal.append(new JournalEvent.Asked(3, Map.of("student.width", 0.5, "student.init", "scratch"), t));
            journal.append(new JournalEvent.Finished(3, TrialState.FAILED, Map.of(), "java.lang.IllegalStateException: boom", "w2",
                    "2025-01-01T00:02:10Z"));
        }
    }

    /**
     * A run keeps its spec as written; a relative data.path in it was relative to the original spec's directory,
     * not to the run directory. Re-rendering needs no data, so the report must not fail on it.
     */
    @Test
    void reportWorksWhenTheSpecCopyHasARelativeDataPath() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("runs").resolve("tiny"));
        Files.copy(TINY, run.resolve("spec.yaml"));
        writeJournal(run);
        Result r = cli("report", run.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Pareto front: 2 points"), r.toString());
        assertTrue(Files.isRegularFile(run.resolve("report.html")) && Files.isRegularFile(run.resolve("pareto.json")));
    }

    @Test
    void reportStillRejectsAnInvalidSpecCopy() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("spec.yaml"), BAD_SPEC);
        writeJournal(run);
        Result r = cli("report", run.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("budget.trials: must be >= 1, got 0"), r.toString());
        assertFalse(Files.exists(run.resolve("report.html")), r.toString());
    }

    @Test
    void trialsAreWrittenAsParquetThatSparkReadsBack() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(run.resolve("spec.yaml"), Files.readString(TINY).replace("path: ../../../data/fashion-mnist-subset", "path: " + DATA));
        writeJournal(run);
        Path out = tmp.resolve("trials.parquet");
        Result r = cli("trials", run.toString(), "--parquet", out.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("wrote 4 trials of " + run + " to " + out), r.toString());

        List<Trial> trials = TrialJournal.replay(TrialJournal.read(run.resolve("trials.jsonl")));
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().master("local[1]").appName("read-back")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            readBack(spark, out, trials);
        } finally {
            spark.stop();   // the other tests of this JVM start Spark contexts of their own
        }

        long before = Files.getLastModifiedTime(out).toMillis();
        Result again = cli("trials", run.toString(), "--parquet", out.toString());
        assertEquals(2, again.code(), again.toString());
        assertTrue(again.err().contains("--parquet") && again.err().contains("exists"), again.toString());
        assertEquals(before, Files.getLastModifiedTime(out).toMillis(), "nothing rewritten");
        assertEquals(0, cli("trials", run.toString(), "--parquet", out.toString(), "--force").code());
        Result notARun = cli("trials", tmp.resolve("nothing").toString(), "--parquet", tmp.resolve("x.parquet").toString());
        assertEquals(2, notARun.code(), notARun.toString());
        assertFalse(Files.exists(tmp.resolve("x.parquet")));
    }

    private static void readBack(org.apache.spark.sql.SparkSession spark, Path out, List<Trial> trials) {
        List<org.apache.spark.sql.Row> rows = spark.read().parquet(out.toString()).orderBy("trial").collectAsList();
        assertEquals(trials.size(), rows.size());
        for (int i = 0; i < trials.size(); i++) {
            Trial t = trials.get(i);
            org.apache.spark.sql.Row row = rows.get(i);
            assertEquals(t.number(), row.getInt(row.fieldIndex("trial")));
            assertEquals(t.state().name(), row.getString(row.fieldIndex("state")));
            assertEquals(t.error(), row.getString(row.fieldIndex("error")));
            java.util.Map<String, Double> metrics = row.getJavaMap(row.fieldIndex("metrics"));
            assertEquals(t.metrics(), metrics);
            java.util.Map<String, String> params = row.getJavaMap(row.fieldIndex("params"));
            assertEquals(t.assignment().values().keySet(), params.keySet());
            t.assignment().values().forEach((k, v) -> assertEquals(String.valueOf(v), params.get(k), k));
        }
        // a query as a Spark user would write it
        assertEquals(trials.stream().filter(t -> t.state() == TrialState.COMPLETE && t.metric("accuracy") > 0.5).count(),
                spark.read().parquet(out.toString()).where("state = 'COMPLETE' AND metrics['accuracy'] > 0.5").count());
    }

    @Test
    void reportRerendersAHandMadeRunDirectory() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        String tinyText = Files.readString(TINY);
        assertTrue(tinyText.contains("path: ../../../data/fashion-mnist-subset"), "tiny.yaml's data.path line");
        Files.writeString(run.resolve("spec.yaml"), tinyText.replace("path: ../../../data/fashion-mnist-subset", "path: " + DATA));
        Files.writeString(run.resolve("baseline.json"), """
                {"accuracy": 0.9, "size_bytes": 100000.0, "latency_ms@rpi4": 8.0, "compression_ratio": 1.0}
                """);
        // stale outputs that report must replace
        Files.writeString(run.resolve("pareto.json"), "{}");
        Files.writeString(run.resolve("pareto.csv"), "stale\n");

        writeJournal(run);

        Result r = cli("report", run.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("4 trials: 3 complete, 1 failed; Pareto front: 2 points"), r.toString());
        assertTrue(r.out().contains("wrote " + run.resolve("report.html")), r.toString());

        ExperimentSpec spec = SpecLoader.load(run.resolve("spec.yaml"), ProfileRegistry.builtIn().all().keySet());
        List<Trial> trials = TrialJournal.replay(TrialJournal.read(run.resolve("trials.jsonl")));
        List<Trial> expected = ParetoFront.of(trials, spec.search().objectives(), spec.search().constraints());
        assertEquals(List.of(0, 1), expected.stream().map(Trial::number).toList(), "trial 2 is dominated, trial 3 failed");

        JsonNode pareto = new ObjectMapper().readTree(run.resolve("pareto.json").toFile());
        assertEquals("tiny", pareto.get("run").asText());
        List<String> objectiveMetrics = new ArrayList<>();
        pareto.get("objectives").forEach(o -> objectiveMetrics.add(o.get("metric").asText()));
        assertEquals(spec.search().objectives().stream().map(o -> o.metric()).toList(), objectiveMetrics);
        assertEquals(0.9, pareto.get("baseline").get("accuracy").asDouble());
        JsonNode front = pareto.get("front");
        assertEquals(expected.size(), front.size(), pareto.toPrettyString());
        for (int i = 0; i < expected.size(); i++) {
            Trial e = expected.get(i);
            JsonNode n = front.get(i);
            assertEquals(e.number(), n.get("trial").asInt());
            assertEquals(e.worker(), n.get("worker").asText());
            e.metrics().forEach((k, v) -> assertEquals(v, n.get("metrics").get(k).asDouble(), k));
            assertEquals(e.metrics().size(), n.get("metrics").size());
            e.assignment().values().forEach((k, v) -> assertEquals(String.valueOf(v), n.get("params").get(k).asText(), k));
            assertEquals(e.assignment().values().size(), n.get("params").size());
        }

        List<String> csv = Files.readAllLines(run.resolve("pareto.csv"));
        assertEquals(expected.size() + 1, csv.size(), csv.toString());
        assertTrue(csv.get(0).startsWith("trial,"), csv.get(0));
        assertTrue(csv.get(1).startsWith("0,") && csv.get(2).startsWith("1,"), csv.toString());

        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<script type=\"application/json\" id=\"kompakt-data\">"), "report embeds the trials for its charts");
        assertTrue(html.contains("<svg class=\"plot\""), "report draws the hypervolume plot in the page itself");
        assertTrue(html.contains("boom"), "report lists the failed trial's cause");
        // report does not touch the journal or the spec
        assertEquals(9, Files.readAllLines(run.resolve("trials.jsonl")).size());
    }
}
