package dev.kompakt.experiments;

import dev.kompakt.experiments.bench.LocalStandaloneCluster;
import dev.kompakt.search.Trial;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Starts a real Spark standalone cluster (a master and two workers, each its own JVM, on 127.0.0.1, from the
 * Maven jars: no Spark distribution) and runs the tiny search against it. Executors are separate JVMs that
 * get the application's classes through SPARK_DIST_CLASSPATH (stack-probe.md section 4, recipe B).
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {
    static LocalStandaloneCluster cluster;
    static String masterUrl;

    /** A fake SPARK_HOME (empty jars/) that also keeps the cluster's logs, under target/ so CI can show them. */
    static Path sparkHome;

    @BeforeAll
    static void startCluster() throws Exception {
        sparkHome = Files.createTempDirectory(Files.createDirectories(Path.of("target", "spark-standalone")), "home").toAbsolutePath();
        String classpath = System.getProperty("kompakt.dist.classpath");
        assertNotNull(classpath, "surefire must pass kompakt.dist.classpath");
        cluster = LocalStandaloneCluster.start(sparkHome, classpath, 2, 1, "2g");
        masterUrl = cluster.masterUrl();
        System.setProperty("spark.executor.memory", "1536m");
        System.setProperty("spark.cores.max", "2");
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        System.clearProperty("spark.executor.memory");
        System.clearProperty("spark.cores.max");
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void tinySearchOnStandaloneCluster(@TempDir Path tmp) throws Exception {
        SearchRunner.Result r = TinySearch.runAndCheck(masterUrl, tmp.resolve("run"));
        Set<String> workers = new HashSet<>();
        long self = ProcessHandle.current().pid();
        for (Trial t : r.summary().trials()) {
            assertFalse(t.worker().startsWith("executor-driver"), "trial ran on the driver: " + t.worker());
            assertFalse(t.worker().contains("@" + self + "@") || t.worker().endsWith("@" + self), "trial ran in the test JVM");
            workers.add(t.worker());
        }
        assertEquals(2, workers.size(), "trials spread over both executors: " + workers);
    }

    /**
     * Infrastructure faults are not candidate failures: every executor is killed while trial 0 runs, and again when Spark
     * runs its second attempt on the replacement executors (so Spark gives the job up: spark.task.maxFailures is 2). The
     * coordinator submits the trial again after its back-off, and it completes on the third generation of executors;
     * nothing is FAILED and nothing is lost.
     */
    @Test
    void executorsKilledTwiceDuringATrialAreAnInfrastructureFaultAndTheTrialIsRetried(@TempDir Path tmp) throws Exception {
        String text = Files.readString(TinySearch.SPEC).replace("name: tiny", "name: tiny-faults").replace("trials: 4", "trials: 2")
                .replace("maxInFlight: 2", "maxInFlight: 1")
                .replace("path: ../../../data/fashion-mnist-subset", "path: " + Path.of("data", "fashion-mnist-subset").toAbsolutePath());
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, text);
        var spec = dev.kompakt.experiments.spec.SpecLoader.load(specFile,
                dev.kompakt.evaluator.hardware.ProfileRegistry.builtIn().all().keySet());
        List<Path> workDirs = List.of(sparkHome.resolve("work1"), sparkHome.resolve("work2"));
        Set<Path> seen = new HashSet<>(executorLogsWithATrial(workDirs)); // executors of earlier tests
        List<String> kills = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread killer = new Thread(() -> {
            try {
                for (int round = 1; round <= 2; round++) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
                    List<Path> running;
                    while ((running = executorLogsWithATrial(workDirs).stream().filter(f -> !seen.contains(f)).toList()).isEmpty()) {
                        if (System.nanoTime() > deadline) {
                            return;
                        }
                        Thread.sleep(200);
                    }
                    seen.addAll(running);
                    long killed = cluster.workers().stream().flatMap(Process::descendants)
                            .filter(ProcessHandle::destroyForcibly).count();
                    kills.add("round " + round + ": trial running in " + running + ", killed " + killed + " executor processes");
                }
            } catch (InterruptedException | IOException e) {
                kills.add("killer stopped: " + e);
            }
        }, "executor-killer");
        killer.setDaemon(true);
        killer.start();

        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        SearchRunner.Result r = SearchRunner.run(spec, text, new SearchRunner.Options(masterUrl, tmp.resolve("run"), null, null, null),
                new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
        killer.join(10_000);
        String log = console.toString(java.nio.charset.StandardCharsets.UTF_8) + "\n" + kills;
        System.out.println(log);
        assertEquals(2, kills.size(), "killed the executors twice during trial 0:\n" + log);
        assertTrue(log.contains("trial 0: the infrastructure could not run it (") && log.contains("retry 1 of 2"), log);
        List<Trial> trials = r.summary().trials();
        assertEquals(2, trials.size(), log);
        assertTrue(trials.stream().allMatch(t -> t.state() == dev.kompakt.search.TrialState.COMPLETE), "nothing failed or lost:\n" + log);
        List<Trial> replayed = dev.kompakt.search.journal.TrialJournal.replay(
                dev.kompakt.search.journal.TrialJournal.read(tmp.resolve("run").resolve("trials.jsonl")));
        assertEquals(trials.stream().map(Trial::metrics).toList(), replayed.stream().map(Trial::metrics).toList());
    }

    /**
     * The trial timeout on a real cluster with one executor core: three trials train far longer than
     * {@code execution.trialTimeout} (1,000 epochs), so each is cancelled at the timeout and recorded FAILED with cause
     * timeout. Each next trial can only start once the cancelled one has left the one core: the search ending in about
     * three timeouts (not the minutes the training would take), and trial 1 training on the core after trial 0 was
     * cancelled, show the cancelled task stops training within a minibatch.
     */
    @Test
    void aTrialPastItsTimeoutIsCancelledAndTheExecutorRunsTheNextOne(@TempDir Path tmp) throws Exception {
        String text = Files.readString(TinySearch.SPEC).replace("name: tiny", "name: tiny-timeout").replace("trials: 4", "trials: 3")
                .replace("maxInFlight: 2", "maxInFlight: 1\n  trialTimeout: 20s")
                .replace("fineTuneEpochs: 1", "fineTuneEpochs: 1000").replace("studentEpochs: 1", "studentEpochs: 1000")
                .replace("path: ../../../data/fashion-mnist-subset", "path: " + Path.of("data", "fashion-mnist-subset").toAbsolutePath());
        Path specFile = tmp.resolve("spec.yaml");
        Files.writeString(specFile, text);
        var spec = dev.kompakt.experiments.spec.SpecLoader.load(specFile,
                dev.kompakt.evaluator.hardware.ProfileRegistry.builtIn().all().keySet());
        System.setProperty("spark.cores.max", "1");
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        long t0 = System.nanoTime();
        SearchRunner.Result r;
        try {
            r = SearchRunner.run(spec, text, new SearchRunner.Options(masterUrl, tmp.resolve("run"), null, null, null),
                    new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setProperty("spark.cores.max", "2");
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String log = console.toString(java.nio.charset.StandardCharsets.UTF_8);
        System.out.println(log + "\nsearch took " + seconds + " s");
        List<Trial> trials = r.summary().trials();
        assertEquals(3, trials.size(), log);
        for (Trial t : trials) {
            assertEquals(dev.kompakt.search.TrialState.FAILED, t.state(), log);
            assertTrue(t.error().startsWith("timeout: still running after execution.trialTimeout (20 s)"), t.error());
        }
        assertTrue(seconds < 180, "three 20 s timeouts on one core, each cancelled task freeing it within a minibatch; 2 x 1,000 epochs would"
                + " take many minutes: " + seconds + " s\n" + log);
        // the executor's own account: trial 0's training stopped when its job was cancelled, and trial 1 then trained on the
        // one core until its own timeout (had trial 0 kept the core, trial 1 would have been cancelled before it started).
        // Trial 2's account may be missing: the search ends at its timeout and stops the executors at once.
        String executorLog = executorLogs(List.of(sparkHome.resolve("work1"), sparkHome.resolve("work2")));
        java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("trial (\\d) ended by the driver \\(early stop or cancelled job\\): "
                + "training interrupted at epoch (\\d+)")
                .matcher(executorLog);
        java.util.Map<Integer, Integer> epochs = new java.util.HashMap<>();
        while (stopped.find()) {
            epochs.put(Integer.parseInt(stopped.group(1)), Integer.parseInt(stopped.group(2)));
        }
        assertTrue(epochs.keySet().containsAll(java.util.Set.of(0, 1)), "trials 0 and 1 were interrupted in training:\n" + executorLog);
        assertTrue(epochs.get(1) >= 2, "trial 1 trained after trial 0 left the core: " + epochs);
        // the executor JVM configured ND4J as bin/kompakt does (NativeRuntime), before ND4J loaded
        assertTrue(executorLog.contains("oneDNN layer helpers on; JavaCPP physical-memory check off"), executorLog);
    }

    /**
     * Early stopping on a real cluster with one executor core: trial 0's task reports each 3 s epoch to the driver's endpoint
     * from the executor JVM; the study's stopper stops it at its second epoch. Its task ignores the "stop" answer (it would
     * train 10 epochs), so the core is freed only by the cancellation of its job: its task is interrupted, and trial 1's
     * task starts on the one core within an epoch of the stop.
     */
    @Test
    void aStoppedTrialsJobIsCancelledAndTheExecutorRunsTheNextTrialWithinAnEpoch() throws Exception {
        long epochMs = 3000;
        org.apache.spark.SparkConf conf = dev.kompakt.cluster.SparkSetup.conf("kompakt-test-early-stopping", masterUrl, null);
        conf.set("spark.cores.max", "1");
        var space = new dev.kompakt.search.SearchSpace(List.of(new dev.kompakt.search.Parameter.FloatParam("x", 0, 1, false, 0,
                java.util.Optional.empty())));
        dev.kompakt.search.stopping.EarlyStopper stopTrialZeroAtEpochTwo = c -> c.trial().number() == 0 && c.trial().lastStep().orElse(0) >= 2;
        var study = new dev.kompakt.search.Study("early-stopping", space, List.of(dev.kompakt.search.Objective.minimize("size_bytes")), List.of(),
                new dev.kompakt.search.sampler.RandomSampler(1), stopTrialZeroAtEpochTwo, null, null);
        var budget = new dev.kompakt.evaluator.TrainingBudget(0, 1, 32, 1e-3, 1e-3, 1);
        java.util.concurrent.atomic.AtomicReference<dev.kompakt.cluster.EpochReportServer.Decider> decider = new java.util.concurrent.atomic.AtomicReference<>();
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Trial> trials;
        long t0 = System.nanoTime();
        try (var spark = dev.kompakt.cluster.SparkSetup.start(conf);
             var executor = new dev.kompakt.cluster.SparkTrialExecutor(spark, "test-early-stopping", new EpochSleepTrial(10, 1, epochMs));
             var server = dev.kompakt.cluster.EpochReportServer.start(spark.getConf().get("spark.driver.host"), r -> decider.get().reported(r))) {
            var done = new java.util.concurrent.CompletableFuture<List<Trial>>();
            var system = org.apache.pekko.actor.typed.ActorSystem.create(dev.kompakt.cluster.SearchCoordinator.create(study, executor,
                    r -> new dev.kompakt.cluster.TrialSpec(r.number(), dev.kompakt.strategies.plan.CompressionPlan.identity(), budget, r.number(),
                            server.url()),
                    new dev.kompakt.cluster.SearchCoordinator.Settings(2, 1, null), dev.kompakt.cluster.SearchCoordinator.printing(lines::add), done),
                    "early-stopping");
            decider.set(dev.kompakt.cluster.SearchCoordinator.decider(system));
            try {
                trials = done.get(5, TimeUnit.MINUTES);
            } finally {
                system.terminate();
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        String executorLog = executorLogs(List.of(sparkHome.resolve("work1"), sparkHome.resolve("work2")));
        System.out.println(lines + "\nsearch took " + seconds + " s");
        Trial stopped = trials.get(0);
        Trial next = trials.get(1);
        assertEquals(dev.kompakt.search.TrialState.STOPPED, stopped.state(), lines.toString());
        assertEquals(List.of(1, 2), List.copyOf(stopped.intermediateValues().keySet()), "reported from the executor JVM, epoch by epoch");
        assertEquals(dev.kompakt.search.TrialState.COMPLETE, next.state(), lines.toString());
        assertTrue(executorLog.contains(": trial 0 interrupted in epoch 3"), "trial 0's task was interrupted by the cancellation:\n" + executorLog);
        long gapMs = Math.round(next.metric("started_ms")) - stopped.finished().toEpochMilli();
        System.out.println("trial 1's task started " + gapMs + " ms after trial 0 was stopped");
        assertTrue(gapMs < epochMs, "trial 1's task started on the one core " + gapMs + " ms after trial 0 was stopped (an epoch is " + epochMs
                + " ms)");
    }

    /** All executor stderr files of this test class's cluster, concatenated. */
    private static String executorLogs(List<Path> workDirs) throws IOException {
        StringBuilder b = new StringBuilder();
        for (Path work : workDirs) {
            if (Files.isDirectory(work)) {
                try (var files = Files.find(work, 3, (f, a) -> f.getFileName().toString().equals("stderr"))) {
                    for (Path f : files.toList()) {
                        b.append(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1));
                    }
                }
            }
        }
        return b.toString();
    }

    /** The stderr files of executors that have begun a trial (the executor prints its host calibration at its first one). */
    private static List<Path> executorLogsWithATrial(List<Path> workDirs) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Path work : workDirs) {
            if (!Files.isDirectory(work)) {
                continue;
            }
            try (var files = Files.find(work, 3, (f, a) -> f.getFileName().toString().equals("stderr"))) {
                for (Path f : files.toList()) {
                    if (Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1).contains("kompakt executor ")) {
                        found.add(f);
                    }
                }
            }
        }
        return found;
    }
}
