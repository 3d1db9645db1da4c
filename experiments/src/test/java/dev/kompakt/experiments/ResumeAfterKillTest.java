package dev.kompakt.experiments;

import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.cli.KompaktCli;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A search killed with SIGKILL mid-run and continued with {@code kompakt resume} ends with every trial finished
 * exactly once, keeps the trials finished before the kill untouched, and ends with the same trials (parameters
 * and measured accuracy and size) as the same search run without interruption.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class ResumeAfterKillTest {
    /** Baseline epochs for the kill during baseline training: long enough to be killed in, on a busy machine too. */
    static final int BASELINE_EPOCHS = 10;
    static final String METRICS_THAT_DO_NOT_DEPEND_ON_TIMING = "accuracy,size_bytes,params,nonzero_params,macs,sparsity,onnx_bytes";

    @Test
    void killDashNineThenResume(@TempDir Path tmp) throws Exception {
        String spec = Files.readString(TinySearch.SPEC)
                .replace("path: ../../../data/fashion-mnist-subset", "path: " + Path.of("data/fashion-mnist-subset").toAbsolutePath())
                .replace("trials: 4", "trials: 6")
                .replace("maxInFlight: 2", "maxInFlight: 1");
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, spec);
        Path runDir = tmp.resolve("killed");

        Process p = startCli(tmp, "search", specFile.toString(), "--master", "local[1]", "--run-dir", runDir.toString());
        Path journal = runDir.resolve("trials.jsonl");
        awaitWhileAlive(p, tmp, TimeUnit.MINUTES.toNanos(3), () -> finished(journal) >= 2);
        killDashNine(p);
        List<Trial> beforeResume = TrialJournal.replay(TrialJournal.read(journal));
        Map<Integer, Map<String, Double>> finishedBefore = new HashMap<>();
        beforeResume.stream().filter(t -> t.state().isFinished()).forEach(t -> finishedBefore.put(t.number(), t.metrics()));
        assertTrue(finishedBefore.size() >= 2 && finishedBefore.size() < 6, "killed mid-run: " + finishedBefore.keySet());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = KompaktCli.run(new String[] {"resume", runDir.toString(), "--master", "local[1]"}, new PrintStream(out, true), System.err);
        assertEquals(0, code, out.toString());

        List<JournalEvent> events = TrialJournal.read(journal);
        List<Trial> resumed = TrialJournal.replay(events);
        assertEquals(6, resumed.size());
        assertTrue(resumed.stream().allMatch(t -> t.state() == TrialState.COMPLETE), resumed.toString());
        int[] finishedEvents = new int[6];
        events.stream().filter(e -> e instanceof JournalEvent.Finished).forEach(e -> finishedEvents[((JournalEvent.Finished) e).trial()]++);
        for (int n = 0; n < 6; n++) {
            assertEquals(1, finishedEvents[n], "trial " + n + " finished exactly once (nothing re-run, nothing lost)");
        }
        finishedBefore.forEach((n, m) -> assertEquals(m, resumed.get(n).metrics(), "trial " + n + " kept as it was"));

        // the same search without interruption ends with the same trials
        SearchRunner.Result uninterrupted = SearchRunner.run(SpecLoader.load(specFile, ProfileRegistry.builtIn().all().keySet()), spec,
                new SearchRunner.Options("local[1]", tmp.resolve("uninterrupted"), null, null, null), new PrintStream(new ByteArrayOutputStream()));
        for (int n = 0; n < 6; n++) {
            Trial a = resumed.get(n);
            Trial b = uninterrupted.summary().trials().get(n);
            assertEquals(b.assignment(), a.assignment(), "trial " + n + " parameters");
            for (String metric : METRICS_THAT_DO_NOT_DEPEND_ON_TIMING.split(",")) {
                assertEquals(b.metric(metric), a.metric(metric), "trial " + n + " " + metric);
            }
        }
        assertTrue(Files.isRegularFile(runDir.resolve("report.html")) && Files.isRegularFile(runDir.resolve("pareto.json")));
    }

    /**
     * Killed while the baseline trains (before baseline.json and the first trial): the spec, the journal's {@code started}
     * event and the provenance are already there, so {@code resume} trains the baseline and runs the whole search. While
     * the search runs, a second writer ({@code resume}) is refused, naming it, and writes nothing.
     */
    @Test
    void killDashNineDuringBaselineTrainingThenResume(@TempDir Path tmp) throws Exception {
        String spec = Files.readString(TinySearch.SPEC)
                .replace("path: ../../../data/fashion-mnist-subset", "path: " + Path.of("data/fashion-mnist-subset").toAbsolutePath())
                .replace("epochs: 2", "epochs: " + BASELINE_EPOCHS)
                .replace("trials: 4", "trials: 2")
                .replace("maxInFlight: 2", "maxInFlight: 1");
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, spec);
        Path runDir = tmp.resolve("killed-in-baseline");
        Path cache = tmp.resolve("cache"); // empty: the baseline is trained, not read from a cache

        Process p = startCli(tmp, Map.of("KOMPAKT_CACHE", cache.toString()), "search", specFile.toString(), "--master", "local[1]",
                "--run-dir", runDir.toString());
        Path journal = runDir.resolve("trials.jsonl");
        awaitWhileAlive(p, tmp, TimeUnit.MINUTES.toNanos(1), () -> Files.readString(tmp.resolve("cli.log")).contains("data: "));
        try {
            assertTrue(Files.readString(journal).contains("\"event\":\"started\""), "the journal exists before the baseline trains");
            assertTrue(Files.isRegularFile(runDir.resolve("spec.yaml")) && Files.isRegularFile(runDir.resolve("provenance.json")));
            // a second writer while the search runs: refused, naming the search
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String journalBefore = Files.readString(journal);
            int refused = KompaktCli.run(new String[] {"resume", runDir.toString(), "--master", "local[1]"}, new PrintStream(out, true),
                    new PrintStream(err, true));
            assertEquals(2, refused, out + "\n" + err);
            assertTrue(err.toString().contains("in use by `kompakt search` (pid " + p.pid()), err.toString());
            assertEquals(journalBefore, Files.readString(journal), "the refused resume wrote nothing");
        } finally {
            killDashNine(p);
        }
        assertFalse(Files.exists(runDir.resolve("baseline.json")),
                "the baseline finished training before the kill (raise BASELINE_EPOCHS):\n" + Files.readString(tmp.resolve("cli.log")));
        assertEquals(List.of(), TrialJournal.load(journal).trials(), "killed before the first trial");

        String previous = System.setProperty("kompakt.cache", cache.toString());
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int code = KompaktCli.run(new String[] {"resume", runDir.toString(), "--master", "local[1]"}, new PrintStream(out, true), System.err);
            assertEquals(0, code, out.toString());
            assertTrue(out.toString().contains("measured now"), out.toString());
        } finally {
            if (previous == null) {
                System.clearProperty("kompakt.cache");
            } else {
                System.setProperty("kompakt.cache", previous);
            }
        }
        List<Trial> trials = TrialJournal.load(journal).trials();
        assertEquals(2, trials.size());
        assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), trials.toString());
        assertTrue(RunFiles.readBaseline(runDir).get("accuracy") > 0.3);
        assertTrue(RunFiles.readProvenance(runDir).containsKey("baseline.key"));
        assertTrue(Files.isRegularFile(runDir.resolve("report.html")) && Files.isRegularFile(runDir.resolve("pareto.json")));
    }

    /**
     * The same with early stopping active (MO-ASHA, rungs at epochs 1 and 2 of 4): killed once two trials have finished and
     * another has reported an epoch, then resumed. No trial finished (complete or stopped) before the kill runs again or
     * changes, no trial is lost, and no epoch is recorded twice: the trial running at the kill trains again from the start,
     * its repeated epochs are not recorded again, and it is judged once it passes its recorded curve.
     */
    @Test
    void killDashNineWithEarlyStoppingThenResume(@TempDir Path tmp) throws Exception {
        String spec = Files.readString(TinySearch.SPEC)
                .replace("path: ../../../data/fashion-mnist-subset", "path: " + Path.of("data/fashion-mnist-subset").toAbsolutePath())
                .replace("trials: 4", "trials: 8")
                .replace("fineTuneEpochs: 1", "fineTuneEpochs: 4").replace("studentEpochs: 1", "studentEpochs: 4")
                .replace("  sampler: random\n", "  sampler: random\n  earlyStopping: { rule: moasha, minEpochs: 1, reductionFactor: 2 }\n")
                .replace("maxInFlight: 2", "maxInFlight: 1");
        assertTrue(spec.contains("earlyStopping"));
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, spec);
        Path runDir = tmp.resolve("killed");

        Process p = startCli(tmp, "search", specFile.toString(), "--master", "local[1]", "--run-dir", runDir.toString());
        Path journal = runDir.resolve("trials.jsonl");
        awaitWhileAlive(p, tmp, TimeUnit.MINUTES.toNanos(3), () -> finished(journal) >= 2 && reportedByUnfinished(journal));
        killDashNine(p);
        int linesAtKill = TrialJournal.read(journal).size();
        List<Trial> beforeResume = TrialJournal.replay(TrialJournal.read(journal));
        Map<Integer, Trial> finishedBefore = new HashMap<>();
        beforeResume.stream().filter(t -> t.state().isFinished()).forEach(t -> finishedBefore.put(t.number(), t));
        assertTrue(finishedBefore.size() >= 2 && finishedBefore.size() < 8, "killed mid-run: " + finishedBefore.keySet());

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = KompaktCli.run(new String[] {"resume", runDir.toString(), "--master", "local[1]"}, new PrintStream(out, true), System.err);
        assertEquals(0, code, out.toString());

        List<JournalEvent> events = TrialJournal.read(journal);
        List<Trial> resumed = TrialJournal.replay(events);
        assertEquals(8, resumed.size());
        assertTrue(resumed.stream().allMatch(t -> t.state() == TrialState.COMPLETE || t.state() == TrialState.STOPPED), resumed.toString());
        assertTrue(resumed.stream().anyMatch(t -> t.state() == TrialState.STOPPED), "MO-ASHA stopped some trial: " + resumed);
        int[] finishedEvents = new int[8];
        events.stream().filter(e -> e instanceof JournalEvent.Finished).forEach(e -> finishedEvents[((JournalEvent.Finished) e).trial()]++);
        for (int n = 0; n < 8; n++) {
            assertEquals(1, finishedEvents[n], "trial " + n + " finished exactly once (nothing re-run, nothing lost)");
        }
        for (JournalEvent e : events.subList(linesAtKill, events.size())) {
            if (e instanceof JournalEvent.Reported r) {
                assertFalse(finishedBefore.containsKey(r.trial()), "trial " + r.trial() + " had finished before the kill, and reported again");
            }
        }
        finishedBefore.forEach((n, t) -> {
            assertEquals(t.state(), resumed.get(n).state(), "trial " + n);
            assertEquals(t.metrics(), resumed.get(n).metrics(), "trial " + n + " kept as it was");
            assertEquals(t.intermediateValues(), resumed.get(n).intermediateValues(), "trial " + n + "'s curve kept as it was");
        });
        Map<Integer, List<Integer>> steps = new HashMap<>();
        events.stream().filter(e -> e instanceof JournalEvent.Reported).map(e -> (JournalEvent.Reported) e)
                .forEach(r -> steps.computeIfAbsent(r.trial(), k -> new ArrayList<>()).add(r.step()));
        steps.forEach((n, s) -> assertEquals(s.stream().distinct().sorted().toList(), s, "trial " + n + ": each epoch recorded once, in order"));
        for (Trial t : resumed) {
            if (t.state() == TrialState.COMPLETE) {
                assertEquals(4, t.lastStep().orElse(0), "a complete trial reported all 4 epochs: " + t);
            }
        }
        assertTrue(Files.readString(runDir.resolve("report.html")).contains("Learning curves"), "the report shows the curves");
    }

    /** What the test waits for in the running search's files. */
    @FunctionalInterface
    private interface Condition {
        boolean holds() throws Exception;
    }

    /** Polls {@code condition} every 20 ms while the search process lives, failing with its log if it ends or time runs out. */
    private static void awaitWhileAlive(Process p, Path tmp, long timeoutNanos, Condition condition) throws Exception {
        long deadline = System.nanoTime() + timeoutNanos;
        while (!condition.holds()) {
            assertTrue(p.isAlive(), "search ended before it could be killed:\n" + Files.readString(tmp.resolve("cli.log")));
            assertTrue(System.nanoTime() < deadline, "no progress:\n" + Files.readString(tmp.resolve("cli.log")));
            Thread.sleep(20);
        }
    }

    /** SIGKILL to the search and its children (Spark's), and waits for it to be gone. */
    private static void killDashNine(Process p) throws InterruptedException {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    /** Whether a trial that has not finished has reported an epoch. */
    private static boolean reportedByUnfinished(Path journal) throws Exception {
        if (!Files.exists(journal)) {
            return false;
        }
        try {
            return TrialJournal.replay(TrialJournal.read(journal)).stream().anyMatch(t -> !t.state().isFinished() && t.lastStep().isPresent());
        } catch (Exception torn) {   // read while a line is being written
            return false;
        }
    }

    private static long finished(Path journal) throws Exception {
        if (!Files.exists(journal)) {
            return 0;
        }
        return Files.readAllLines(journal).stream().filter(l -> l.contains("\"event\":\"finished\"")).count();
    }

    private static Process startCli(Path tmp, String... args) throws Exception {
        return startCli(tmp, Map.of(), args);
    }

    private static Process startCli(Path tmp, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-XX:+IgnoreUnrecognizedVMOptions") || arg.startsWith("-Dio.netty")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(List.of("-Xmx2g", "-cp", System.getProperty("kompakt.dist.classpath"), "dev.kompakt.experiments.cli.KompaktCli"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("cli.log").toFile());
        pb.environment().put("OMP_NUM_THREADS", "1");
        pb.environment().putAll(env);
        return pb.start();
    }
}
