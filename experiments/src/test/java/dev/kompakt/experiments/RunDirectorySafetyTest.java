package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kompakt.experiments.cli.CliTest;
import dev.kompakt.experiments.cli.CliTest.Result;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Run directory safety on run directories written by hand (a finished 4-trial run of tiny.yaml: no Spark needed):
 * the lock ({@link RunLock}) refuses a second writer and takes over a stale lock; torn side files are named and rebuilt;
 * a forged or damaged journal is refused with its line number.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class RunDirectorySafetyTest {
    @TempDir
    Path tmp;

    static Result cli(String... args) {
        return CliTest.cli(args);
    }

    /** tiny.yaml with an absolute data path, as a run directory holds it. */
    static String tinySpec() throws Exception {
        return Files.readString(TinySearch.SPEC)
                .replace("path: ../../../data/fashion-mnist-subset", "path: " + Path.of("data/fashion-mnist-subset").toAbsolutePath());
    }

    private static Map<String, Double> metrics(double accuracy, double latency, double size) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("latency_ms@rpi4", latency);
        m.put("size_bytes", size);
        return m;
    }

    /** A finished run of tiny.yaml's 4 trials (3 on the front), with its journal, spec, provenance and baseline. */
    private Path finishedRun(String name) throws Exception {
        Path run = Files.createDirectories(tmp.resolve(name));
        String spec = tinySpec();
        Files.writeString(run.resolve(RunFiles.SPEC_COPY), spec);
        String t = "2025-01-01T00:00:00Z";
        try (TrialJournal journal = TrialJournal.open(run.resolve(RunFiles.JOURNAL))) {
            journal.append(new JournalEvent.Started("tiny", Provenance.sha256(spec), 7, t));
            double[][] m = {{0.80, 3.0, 30_000}, {0.85, 5.0, 50_000}, {0.79, 6.0, 60_000}, {0.70, 1.0, 10_000}};
            for (int i = 0; i < 4; i++) {
                journal.append(new JournalEvent.Asked(i, Map.of("student.width", 1.0, "prune.sparsity", 0.1 * i, "quant.weight_bits", 8), t));
                journal.append(new JournalEvent.Finished(i, TrialState.COMPLETE, metrics(m[i][0], m[i][1], m[i][2]), null, "w", t));
            }
        }
        RunFiles.writeProvenance(run, Map.of("run.name", "tiny", "run.started", t, "data.directory",
                Path.of("data/fashion-mnist-subset").toAbsolutePath().toString(), "data.split", "validation from train"));
        RunFiles.writeBaseline(run, metrics(0.86, 6.0, 60_000));
        return run;
    }

    /** Every file under {@code dir} with its bytes, to show that a refused command wrote nothing. */
    private static Map<String, String> snapshot(Path dir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.toList()) {
                files.put(dir.relativize(p).toString(), Files.isRegularFile(p)
                        ? Files.getLastModifiedTime(p) + " " + new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1) : "dir");
            }
        }
        return files;
    }

    private static Process startJava(Path log, String mainClass, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-cp", System.getProperty("kompakt.dist.classpath"), mainClass));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    @Test
    void aRunLockedByALiveProcessIsRefusedWithNothingWrittenAndTakenOverOnceItIsKilled() throws Exception {
        Path run = finishedRun("locked");
        Path log = tmp.resolve("holder.log");
        Process holder = startJava(log, RunLockHolder.class.getName(), run.toString());
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("locked")) {
                assertTrue(holder.isAlive() && System.nanoTime() < deadline, "the holder did not lock: " + Files.readString(log));
                Thread.sleep(20);
            }
            Map<String, String> before = snapshot(run);
            assertTrue(Files.readString(run.resolve(RunLock.FILE)).contains("pid=" + holder.pid()));

            Result resume = cli("resume", run.toString(), "--master", "local[1]");
            assertEquals(2, resume.code(), resume.toString());
            assertTrue(resume.err().contains("in use by `kompakt search` (pid " + holder.pid() + " on "), resume.toString());
            assertTrue(resume.err().contains(run.resolve(RunLock.FILE).toString()), resume.toString());
            assertEquals(before, snapshot(run), "a refused resume writes nothing");
            assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(run, "resume"));

            // report only reads the journal: it runs beside the holder and says the run is in progress
            Result report = cli("report", run.toString());
            assertEquals(0, report.code(), report.toString());
            assertTrue(report.out().contains("still in progress") && report.out().contains("pid " + holder.pid()), report.toString());
        } finally {
            holder.destroyForcibly(); // SIGKILL: the lock file stays, naming a dead process
            assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(Files.readString(run.resolve(RunLock.FILE)).contains("pid=" + holder.pid()), "a stale lock file is left behind");
        try (RunLock lock = RunLock.acquire(run, "resume")) {
            assertTrue(Files.readString(lock.file()).contains("pid=" + ProcessHandle.current().pid()), "taken over");
            // a second command in this JVM is refused too
            RunLock.HeldException e = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(run, "search"));
            assertTrue(e.getMessage().contains("this process"), e.getMessage());
        }
        assertEquals("", Files.readString(run.resolve(RunLock.FILE)), "released: the file stays, empty");
        Result resumed = cli("resume", run.toString(), "--master", "local[1]");
        assertEquals(0, resumed.code(), resumed.toString());
    }

    @Test
    void aLockFileNamingALiveProcessOfThisHostIsRespectedEvenWithoutTheOperatingSystemLock() throws Exception {
        Path run = finishedRun("forged-lock");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(run.resolve(RunLock.FILE), "pid=" + sleeper.pid() + "\nhost=" + RunLock.host() + "\nstarted="
                    + sleeper.info().startInstant().orElseThrow() + "\ncommand=search\nsince=2025-01-01T00:00:00Z\n");
            RunLock.HeldException e = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(run, "resume"));
            assertTrue(e.getMessage().contains("pid " + sleeper.pid()), e.getMessage());
            // the same PID with another start time is a reused PID: the holder is gone
            Files.writeString(run.resolve(RunLock.FILE), "pid=" + sleeper.pid() + "\nhost=" + RunLock.host()
                    + "\nstarted=2001-01-01T00:00:00Z\ncommand=search\n");
            RunLock.acquire(run, "resume").close();
        } finally {
            sleeper.destroyForcibly();
        }
        Files.writeString(run.resolve(RunLock.FILE), "pid=" + sleeper.pid() + "\nhost=" + RunLock.host() + "\ncommand=search\n");
        assertTrue(sleeper.waitFor(10, TimeUnit.SECONDS));
        RunLock.acquire(run, "resume").close(); // a dead PID: taken over
    }

    @Test
    void tornSideFilesAreNamedAndRebuiltFromTheJournalByReportAndResume() throws Exception {
        Path run = finishedRun("torn");
        RunFiles.writeAll(run, RecordedRun.load(run, dev.kompakt.evaluator.hardware.ProfileRegistry.builtIn().all().keySet()).summary());
        String pareto = Files.readString(run.resolve("pareto.json"));
        Files.write(run.resolve(RunFiles.PROVENANCE), new byte[0]);                                // killed at its first write
        Files.writeString(run.resolve("pareto.json"), pareto.substring(0, pareto.length() / 2));  // killed half way
        Files.writeString(run.resolve(RunFiles.BASELINE), "{\"accuracy\": 0.8");
        Files.writeString(run.resolve("report.html"), "<html><bo");

        Result report = cli("report", run.toString());
        assertEquals(0, report.code(), report.toString());
        assertTrue(report.out().contains(run.resolve(RunFiles.PROVENANCE) + ": cannot be read (the file is empty"), report.toString());
        assertTrue(report.out().contains(run.resolve(RunFiles.BASELINE) + ": cannot be read (not valid JSON"), report.toString());
        assertFalse((report.out() + report.err()).contains("No content to map"), report.toString());
        JsonNode front = RunFiles.JSON.readTree(run.resolve("pareto.json").toFile()).get("front");
        assertEquals(3, front.size(), "pareto.json rendered again from the journal");
        assertTrue(Files.readString(run.resolve("report.html")).endsWith("</html>\n") || Files.readString(run.resolve("report.html")).contains("</html>"));

        Files.writeString(run.resolve("pareto.json"), pareto.substring(0, 10));
        Result resume = cli("resume", run.toString(), "--master", "local[1]");
        assertEquals(0, resume.code(), resume.toString());
        assertTrue(resume.out().contains("provenance.json: cannot be read") && resume.out().contains("rebuilding it"), resume.toString());
        Map<String, String> provenance = RunFiles.readProvenance(run);
        assertTrue(provenance.containsKey("baseline.key") && provenance.containsKey("data.train.sha256") && provenance.containsKey("run.resumed"),
                provenance.toString());
        assertTrue(RunFiles.readBaseline(run).get("accuracy") > 0.3, "baseline measured again");
        assertEquals(3, RunFiles.JSON.readTree(run.resolve("pareto.json").toFile()).get("front").size());
        try (Stream<Path> files = Files.list(run)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temporary file left");
        }
    }

    @Test
    void aForgedJournalIsRefusedWithItsLineByReportResumeAndExport() throws Exception {
        Path run = finishedRun("forged");
        Path journal = run.resolve(RunFiles.JOURNAL);
        // a second result for trial 3 (COMPLETE at line 9), with a checksum that follows: replay refuses it
        try (TrialJournal j = TrialJournal.open(journal)) {
            j.append(new JournalEvent.Finished(3, TrialState.COMPLETE, metrics(0.99, 0.5, 1_000), null, "w", "2025-01-01T00:00:00Z"));
        }
        Map<String, String> before = snapshot(run);
        for (String[] args : List.of(new String[]{"report", run.toString()}, new String[]{"resume", run.toString()},
                new String[]{"export", run.toString(), "--trial", "3"})) {
            Result r = cli(args);
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains(journal.toString()) && r.err().contains("line 10") && r.err().contains("second result for trial 3"),
                    r.toString());
        }
        // an edited metric: the checksum of its line no longer follows
        List<String> lines = new ArrayList<>(Files.readAllLines(journal));
        lines.remove(9);
        assertTrue(lines.get(2).contains("\"accuracy\":0.8,"), lines.get(2));
        lines.set(2, lines.get(2).replace("\"accuracy\":0.8,", "\"accuracy\":0.95,"));
        Files.write(journal, lines);
        Result r = cli("report", run.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("line 3") && r.err().contains("checksum"), r.toString());
        Map<String, String> after = snapshot(run);
        after.remove(RunFiles.JOURNAL);
        before.remove(RunFiles.JOURNAL);
        before.remove(RunLock.FILE);
        after.remove(RunLock.FILE);
        assertEquals(before, after, "a refused command writes nothing");
    }
    @Test
    void anAtomicWriteCutShortLeavesTheOldFileAndLeftoversAreRemoved() throws Exception {
        Path file = tmp.resolve("provenance.json");
        AtomicFiles.writeString(file, "{\"old\": 1}");
        java.io.IOException cut = assertThrows(java.io.IOException.class, () -> AtomicFiles.write(file, out -> {
            out.write("{\"new\"".getBytes(StandardCharsets.UTF_8));
            throw new java.io.IOException("disk full");
        }));
        assertEquals("disk full", cut.getMessage());
        assertEquals("{\"old\": 1}", Files.readString(file), "the old file stays whole");
        try (Stream<Path> files = Files.list(tmp)) {
            assertEquals(List.of(file), files.toList(), "the temporary file is deleted");
        }
        // what a kill -9 in the middle leaves: a temporary file, removed by the next holder of the lock
        Path leftover = Files.writeString(tmp.resolve(".provenance.json.tmp-123-456"), "{\"ne");
        AtomicFiles.removeLeftovers(tmp);
        assertFalse(Files.exists(leftover));
        assertTrue(Files.exists(file));
    }
}
