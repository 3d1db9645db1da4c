package dev.kompakt.cluster;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.search.Objective;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.plan.CompressionSpace;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchCoordinatorTest {
    private static final int TOTAL = 7;
    private static final int MAX_IN_FLIGHT = 3;
    private static final int FAILS = 1;   // completes with ok = false
    private static final int CRASHES = 4; // completes exceptionally
    private static final TrainingBudget BUDGET = new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 10);

    /**
     * Completes trials on its own thread, newest first (LIFO), and only once the coordinator has filled every
     * slot it can: min(maxInFlight, trials not yet completed). So the completion order is fixed and out of
     * submission order: 2, 3, 4, 5, 6, 1, 0.
     */
    static final class LifoExecutor implements TrialExecutor {
        final List<Integer> submitted = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> completed = Collections.synchronizedList(new ArrayList<>());
        final List<Thread> submitThreads = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        private final List<Pending> pending = new ArrayList<>();
        private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "fake-executor");
            t.setDaemon(true);
            return t;
        });

        record Pending(TrialSpec spec, CompletableFuture<TrialOutcome> future) {
        }

        LifoExecutor() {
            thread.scheduleWithFixedDelay(this::tick, 5, 5, TimeUnit.MILLISECONDS);
        }

        @Override
        public CompletionStage<TrialOutcome> submit(TrialSpec spec) {
            submitThreads.add(Thread.currentThread());
            submitted.add(spec.trialNumber());
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            CompletableFuture<TrialOutcome> f = new CompletableFuture<>();
            synchronized (pending) {
                pending.add(new Pending(spec, f));
            }
            return f;
        }

        private void tick() {
            Pending p;
            synchronized (pending) {
                int expected = Math.min(MAX_IN_FLIGHT, TOTAL - completed.size());
                if (pending.isEmpty() || pending.size() < expected) {
                    return;
                }
                p = pending.remove(pending.size() - 1);
            }
            int n = p.spec().trialNumber();
            completed.add(n);
            inFlight.decrementAndGet();
            if (n == FAILS) {
                p.future().complete(new TrialOutcome(n, false, Map.of(), "java.lang.ArithmeticException: loss diverged", "fake-worker", 0.1));
            } else if (n == CRASHES) {
                p.future().completeExceptionally(new IllegalStateException("executor lost"));
            } else {
                p.future().complete(new TrialOutcome(n, true, Map.of("accuracy", 0.5 + n / 100.0, "size_bytes", 1000.0 - n),
                        null, "fake-worker", 0.1));
            }
        }

        @Override
        public int parallelism() {
            return MAX_IN_FLIGHT;
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
    }

    private static Study study() {
        SearchSpace space = CompressionSpace.of(new CompressionSpace.Ranges(null,
                new dev.kompakt.strategies.pruning.PruningStrategy.Range(0.0, 0.9), null,
                new dev.kompakt.strategies.quantization.QuantizationStrategy.Range(List.of(32, 8, 4)), null));
        return new Study("coordinator-test", space, List.of(Objective.maximize("accuracy"), Objective.minimize("size_bytes")),
                List.of(), new RandomSampler(3));
    }

    @Test
    void runsAllTrialsWithBoundedConcurrencyAndRecordsFailures() throws Exception {
        Study study = study();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger finishedCallbacks = new AtomicInteger();
        SearchCoordinator.Listener printing = SearchCoordinator.printing(lines::add);
        SearchCoordinator.Listener listener = new SearchCoordinator.Listener() {
            @Override
            public void trialFinished(Trial trial, SearchProgress progress) {
                finishedCallbacks.incrementAndGet();
                assertTrue(progress.inFlight() <= MAX_IN_FLIGHT);
                printing.trialFinished(trial, progress);
            }

            @Override
            public void heartbeat(SearchProgress progress) {
                printing.heartbeat(progress);
            }
        };
        CompletableFuture<List<Trial>> done = new CompletableFuture<>();
        List<TrialSpec> specs = Collections.synchronizedList(new ArrayList<>());
        ActorSystem<SearchCoordinator.Command> system = null;
        try (LifoExecutor executor = new LifoExecutor()) {
            system = ActorSystem.create(SearchCoordinator.create(study, executor, r -> {
                TrialSpec spec = new TrialSpec(r.number(), CompressionPlan.from(r.assignment()), BUDGET, 100 + r.number());
                specs.add(spec);
                return spec;
            }, new SearchCoordinator.Settings(TOTAL, MAX_IN_FLIGHT, Duration.ofMillis(20), null, 0, Duration.ZERO), listener, done),
                    "coordinator-test");

            List<Trial> trials = done.get(30, TimeUnit.SECONDS);

            assertEquals(TOTAL, trials.size());
            assertTrue(trials.stream().allMatch(t -> t.state() != TrialState.RUNNING), "every trial came back");
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), executor.submitted, "each trial submitted once, in order");
            assertEquals(List.of(2, 3, 4, 5, 6, 1, 0), executor.completed, "the fake completed out of order");
            assertNotEquals(List.of(0, 1, 2, 3, 4, 5, 6), executor.completed);
            assertEquals(MAX_IN_FLIGHT, executor.maxInFlight.get(), "never more than maxInFlight at once, and the slots were used");
            assertTrue(executor.submitThreads.stream().noneMatch(t -> t.getName().equals("fake-executor")),
                    "submissions come from the actor, not from the completing thread");

            Trial failed = trials.get(FAILS);
            assertEquals(TrialState.FAILED, failed.state());
            assertEquals("java.lang.ArithmeticException: loss diverged", failed.error());
            assertEquals("fake-worker", failed.worker());

            Trial crashed = trials.get(CRASHES); // no retries in these settings: an infrastructure fault is INTERRUPTED at once
            assertEquals(TrialState.INTERRUPTED, crashed.state());
            assertTrue(crashed.error().startsWith("the infrastructure could not run the trial (attempts: 1): "), crashed.error());
            assertTrue(crashed.error().contains("IllegalStateException: executor lost"), crashed.error());
            assertNull(crashed.worker());

            // the search went on after the failures: trials 5 and 6 were asked after 4 crashed, and completed
            for (int n : new int[] {0, 2, 3, 5, 6}) {
                Trial t = trials.get(n);
                assertEquals(TrialState.COMPLETE, t.state(), "trial " + n);
                assertEquals(Map.of("accuracy", 0.5 + n / 100.0, "size_bytes", 1000.0 - n), t.metrics());
                assertEquals("fake-worker", t.worker());
            }
            assertEquals(5, study.count(TrialState.COMPLETE));
            assertEquals(1, study.count(TrialState.FAILED));
            assertEquals(1, study.count(TrialState.INTERRUPTED));
            assertEquals(0, study.count(TrialState.RUNNING));
            assertEquals(TOTAL, finishedCallbacks.get());

            // each spec carries the decoded plan of its trial's assignment
            assertEquals(TOTAL, specs.size());
            for (TrialSpec s : specs) {
                assertEquals(CompressionPlan.from(trials.get(s.trialNumber()).assignment()), s.plan());
                assertEquals(100 + s.trialNumber(), s.seed());
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("trial 4 INTERRUPTED (the infrastructure could not run the trial")),
                    lines.toString());
            // each finished trial's line carries its accuracy and size (the fake reports no onnx_bytes)
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("trial 2 COMPLETE acc 0.5200 size 998 B | trials 1/7 done, ")),
                    lines.toString());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("trial 1 FAILED (java.lang.ArithmeticException: loss diverged) | ")),
                    lines.toString());
            String last = lines.stream().filter(l -> l.startsWith("trial ")).reduce((a, b) -> b).orElseThrow();
            assertTrue(last.contains("trials 6/7 done, 0 in flight, 1 failed, 1 interrupted (resume runs them)"), last);
        } finally {
            if (system != null) {
                system.terminate();
                system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Each trial takes 100 ms; a 350 ms wall-time budget stops asking after it, and the trials in flight finish. */
    @Test
    void wallTimeBudgetStopsAskingNewTrialsAndLetsThoseInFlightFinish() throws Exception {
        Study study = study();
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        AtomicInteger submitted = new AtomicInteger();
        TrialExecutor slow = new TrialExecutor() {
            @Override
            public CompletionStage<TrialOutcome> submit(TrialSpec spec) {
                submitted.incrementAndGet();
                CompletableFuture<TrialOutcome> f = new CompletableFuture<>();
                clock.schedule(() -> f.complete(new TrialOutcome(spec.trialNumber(), true, Map.of("accuracy", 0.5, "size_bytes", 10.0), null,
                        "w", 0.1)), 100, TimeUnit.MILLISECONDS);
                return f;
            }

            @Override
            public int parallelism() {
                return 2;
            }

            @Override
            public void close() {
                clock.shutdownNow();
            }
        };
        CompletableFuture<List<Trial>> done = new CompletableFuture<>();
        long t0 = System.nanoTime();
        ActorSystem<SearchCoordinator.Command> system = ActorSystem.create(SearchCoordinator.create(study, slow,
                r -> new TrialSpec(r.number(), CompressionPlan.from(r.assignment()), BUDGET, r.number()),
                new SearchCoordinator.Settings(1000, 2, null, Duration.ofMillis(350)), SearchCoordinator.printing(l -> { }), done), "wall");
        try {
            List<Trial> trials = done.get(30, TimeUnit.SECONDS);
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertTrue(trials.size() >= 4 && trials.size() <= 12, trials.size() + " trials in " + seconds + " s");
            assertEquals(submitted.get(), trials.size());
            assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), "the trials in flight at the deadline finished");
            assertTrue(seconds < 10, "stopped near the budget, not after 1,000 trials: " + seconds + " s");
        } finally {
            slow.close();
            system.terminate();
        }
    }

    /** Fails the first {@code faults.get(n)} submissions of trial n as an infrastructure fault would, then completes it. */
    static final class FlakyExecutor implements TrialExecutor {
        final Map<Integer, Integer> faults;
        final Map<Integer, Integer> submissions = new java.util.concurrent.ConcurrentHashMap<>();

        FlakyExecutor(Map<Integer, Integer> faults) {
            this.faults = faults;
        }

        @Override
        public CompletionStage<TrialOutcome> submit(TrialSpec spec) {
            int n = spec.trialNumber();
            int attempt = submissions.merge(n, 1, Integer::sum);
            if (attempt <= faults.getOrDefault(n, 0)) {
                return CompletableFuture.failedFuture(new org.apache.spark.SparkException(
                        "Job aborted due to stage failure: ExecutorLostFailure (executor 1 exited caused by one of the running tasks)"));
            }
            return CompletableFuture.completedFuture(new TrialOutcome(n, true, Map.of("accuracy", 0.5, "size_bytes", 10.0 + n), null, "w", 0.1));
        }

        @Override
        public int parallelism() {
            return 2;
        }

        @Override
        public void close() {
        }
    }

    private static List<Trial> runCoordinator(Study study, TrialExecutor executor, int total, int retries, List<String> lines) throws Exception {
        CompletableFuture<List<Trial>> done = new CompletableFuture<>();
        ActorSystem<SearchCoordinator.Command> system = ActorSystem.create(SearchCoordinator.create(study, executor,
                r -> new TrialSpec(r.number(), CompressionPlan.from(r.assignment()), BUDGET, r.number()),
                new SearchCoordinator.Settings(total, 2, null, null, retries, Duration.ofMillis(50)), SearchCoordinator.printing(lines::add),
                done), "flaky");
        try {
            return done.get(30, TimeUnit.SECONDS);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** An infrastructure fault is retried after a back-off; the trial then completes, and no other trial is disturbed. */
    @Test
    void infrastructureFaultsAreRetriedWithBackoff() throws Exception {
        FlakyExecutor executor = new FlakyExecutor(Map.of(1, 2));
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        List<Trial> trials = runCoordinator(study(), executor, 4, 2, lines);
        assertTrue(trials.stream().allMatch(t -> t.state() == TrialState.COMPLETE), trials.toString());
        assertEquals(3, executor.submissions.get(1), "two faults, then the third attempt ran");
        assertEquals(1, executor.submissions.get(0));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("trial 1: the infrastructure could not run it (org.apache.spark.SparkException: "
                + "Job aborted due to stage failure: ExecutorLostFailure") && l.endsWith("retry 2 of 2 in 0 s")), lines.toString());
    }

    /**
     * Faults beyond the retries: the trial is INTERRUPTED (no metrics, not a failure of the candidate), the search ends, and a
     * study restored from the journal runs it again with its recorded parameters: nothing is lost.
     */
    @Test
    void aTrialTheInfrastructureCannotRunIsInterruptedAndRunsAgainOnResume(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        java.nio.file.Path file = tmp.resolve("trials.jsonl");
        Study first = study();
        List<Trial> before;
        try (var journal = dev.kompakt.search.journal.TrialJournal.open(file)) {
            Study journaled = new Study("coordinator-test", first.space(), first.objectives(), List.of(), new RandomSampler(3), journal, null);
            before = runCoordinator(journaled, new FlakyExecutor(Map.of(2, 10)), 4, 1, new ArrayList<>());
        }
        assertEquals(TrialState.INTERRUPTED, before.get(2).state());
        assertTrue(before.get(2).error().contains("(attempts: 2)"), before.get(2).error());
        assertTrue(before.get(2).metrics().isEmpty());
        assertEquals(3, before.stream().filter(t -> t.state() == TrialState.COMPLETE).count());

        List<Trial> replayed = dev.kompakt.search.journal.TrialJournal.replay(dev.kompakt.search.journal.TrialJournal.read(file));
        assertEquals(TrialState.INTERRUPTED, replayed.get(2).state());
        Study resumed = new Study("coordinator-test", first.space(), first.objectives(), List.of(), new RandomSampler(3));
        replayed.forEach(resumed::restore);
        FlakyExecutor healthy = new FlakyExecutor(Map.of());
        List<Trial> after = runCoordinator(resumed, healthy, 4, 1, new ArrayList<>());
        assertEquals(Map.of(2, 1), healthy.submissions, "only the interrupted trial ran again");
        assertEquals(TrialState.COMPLETE, after.get(2).state());
        assertEquals(before.get(2).assignment(), after.get(2).assignment(), "with its recorded parameters");
        assertTrue(after.stream().allMatch(t -> t.state() == TrialState.COMPLETE));
    }

    /**
     * Trial 1 hangs: after the trial timeout its run is cancelled and it is FAILED with cause timeout; its late outcome is
     * ignored, and the other trials run in the freed slot.
     */
    @Test
    void aTrialPastTheTimeoutIsCancelledAndFailed() throws Exception {
        List<Integer> cancelled = Collections.synchronizedList(new ArrayList<>());
        Map<Integer, CompletableFuture<TrialOutcome>> hanging = new java.util.concurrent.ConcurrentHashMap<>();
        TrialExecutor executor = new TrialExecutor() {
            @Override
            public CompletionStage<TrialOutcome> submit(TrialSpec spec) {
                int n = spec.trialNumber();
                if (n == 1) {
                    return hanging.computeIfAbsent(n, k -> new CompletableFuture<>());
                }
                return CompletableFuture.completedFuture(new TrialOutcome(n, true, Map.of("accuracy", 0.5, "size_bytes", 10.0 + n), null, "w", 0.1));
            }

            @Override
            public void cancel(int number) {
                cancelled.add(number);
                // what a cancelled Spark job does: its stage fails, after the coordinator stopped waiting
                hanging.get(number).completeExceptionally(new org.apache.spark.SparkException("Job 3 cancelled part of cancelled job group"));
            }

            @Override
            public int parallelism() {
                return 2;
            }

            @Override
            public void close() {
            }
        };
        CompletableFuture<List<Trial>> done = new CompletableFuture<>();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        ActorSystem<SearchCoordinator.Command> system = ActorSystem.create(SearchCoordinator.create(study(), executor,
                r -> new TrialSpec(r.number(), CompressionPlan.from(r.assignment()), BUDGET, r.number()),
                new SearchCoordinator.Settings(5, 2, null, null, 2, Duration.ofMillis(50), Duration.ofMillis(300)),
                SearchCoordinator.printing(lines::add), done), "timeout");
        try {
            List<Trial> trials = done.get(30, TimeUnit.SECONDS);
            assertEquals(List.of(1), cancelled);
            assertEquals(TrialState.FAILED, trials.get(1).state());
            assertTrue(trials.get(1).error().startsWith("timeout: still running after execution.trialTimeout (0.3 s)"), trials.get(1).error());
            assertEquals(4, trials.stream().filter(t -> t.state() == TrialState.COMPLETE).count(), trials.toString());
            assertTrue(lines.stream().noneMatch(l -> l.contains("infrastructure could not run")), "the cancelled job is not retried: " + lines);
        } finally {
            system.terminate();
        }
    }

    /**
     * Epoch reports over real HTTP ({@link EpochReportServer} on the "driver", {@link EpochReportClient} on the fake executor's
     * threads): the study records every epoch (journaled), its stopper stops even-numbered trials after epoch 1 (accuracy
     * 0.5 < 0.6), which are STOPPED with that epoch's values and their runs cancelled; odd ones train their 4 epochs and
     * complete, also the one whose accuracy falls below 0.6 at its last epoch (never stopped after the last epoch).
     */
    @Test
    void epochReportsReachTheStopperAndStoppedTrialsAreCancelled(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        int epochs = 4;
        List<Integer> cancelled = Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.ExecutorService workers = Executors.newCachedThreadPool();
        java.util.concurrent.atomic.AtomicReference<EpochReportServer.Decider> decider = new java.util.concurrent.atomic.AtomicReference<>();
        Map<Integer, List<Integer>> epochsRun = new java.util.concurrent.ConcurrentHashMap<>();
        TrialExecutor executor = new TrialExecutor() {
            @Override
            public CompletionStage<TrialOutcome> submit(TrialSpec spec) {
                CompletableFuture<TrialOutcome> f = new CompletableFuture<>();
                workers.execute(() -> {
                    int n = spec.trialNumber();
                    EpochReportClient client = new EpochReportClient(spec.reportTo(), n, "fake-worker");
                    for (int e = 1; e <= epochs; e++) {
                        epochsRun.computeIfAbsent(n, k -> Collections.synchronizedList(new ArrayList<>())).add(e);
                        double accuracy = n % 2 == 0 ? 0.5 : n == 3 && e == epochs ? 0.55 : 0.6 + e / 100.0;
                        if (!client.epochEnded(e, epochs, Map.of("accuracy", accuracy, "size_bytes", 100.0 + n))) {
                            return;   // the driver said stop: this run ends here (its job is cancelled too)
                        }
                    }
                    f.complete(new TrialOutcome(n, true, Map.of("accuracy", 0.7, "size_bytes", 100.0 + n), null, "fake-worker", 0.1));
                });
                return f;
            }

            @Override
            public void cancel(int number) {
                cancelled.add(number);
            }

            @Override
            public int parallelism() {
                return 2;
            }

            @Override
            public void close() {
                workers.shutdownNow();
            }
        };
        java.nio.file.Path file = tmp.resolve("trials.jsonl");
        Study template = study();
        dev.kompakt.search.stopping.EarlyStopper belowSixty = c -> c.trial().lastReported().get("accuracy") < 0.6;
        CompletableFuture<List<Trial>> done = new CompletableFuture<>();
        List<String> lines = Collections.synchronizedList(new ArrayList<>());
        try (var journal = dev.kompakt.search.journal.TrialJournal.open(file);
             EpochReportServer server = EpochReportServer.start("127.0.0.1", r -> decider.get().reported(r))) {
            Study study = new Study("coordinator-test", template.space(), template.objectives(), List.of(), new RandomSampler(3), belowSixty,
                    journal, null);
            ActorSystem<SearchCoordinator.Command> system = ActorSystem.create(SearchCoordinator.create(study, executor,
                    r -> new TrialSpec(r.number(), CompressionPlan.from(r.assignment()), BUDGET, r.number(), server.url()),
                    new SearchCoordinator.Settings(6, 2, null), SearchCoordinator.printing(lines::add), done), "epochs");
            decider.set(SearchCoordinator.decider(system));
            try {
                List<Trial> trials = done.get(30, TimeUnit.SECONDS);
                for (Trial t : trials) {
                    if (t.number() % 2 == 0) {
                        assertEquals(TrialState.STOPPED, t.state(), t.toString());
                        assertEquals(List.of(1), List.copyOf(t.intermediateValues().keySet()));
                        assertEquals(Map.of("accuracy", 0.5, "size_bytes", 100.0 + t.number()), t.metrics(), "the last report's values");
                        assertEquals("fake-worker", t.worker());
                        assertEquals(List.of(1), epochsRun.get(t.number()), "trial " + t.number() + " ran no epoch after the stop");
                    } else {
                        assertEquals(TrialState.COMPLETE, t.state(), t.toString());
                        assertEquals(List.of(1, 2, 3, 4), List.copyOf(t.intermediateValues().keySet()));
                    }
                }
                assertEquals(0.55, trials.get(3).intermediateValues().get(4).get("accuracy"), "below 0.6 after its last epoch, and complete");
                assertEquals(List.of(0, 2, 4), cancelled.stream().sorted().toList(), "each stopped trial's run is cancelled");
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("trial 0 STOPPED after epoch 1 acc 0.5000 size 100 B | ")), lines.toString());
            } finally {
                system.terminate();
            }
        }
        List<Trial> replayed = dev.kompakt.search.journal.TrialJournal.replay(dev.kompakt.search.journal.TrialJournal.read(file));
        assertEquals(List.of(1, 2, 3, 4), List.copyOf(replayed.get(1).intermediateValues().keySet()), "the curves are journaled");
        assertEquals(TrialState.STOPPED, replayed.get(0).state());
    }

    @Test
    void settingsAreValidated() {
        var total = assertThrows(IllegalArgumentException.class, () -> new SearchCoordinator.Settings(0, 1, null));
        assertEquals("totalTrials must be >= 1, got 0", total.getMessage());
        var inFlight = assertThrows(IllegalArgumentException.class, () -> new SearchCoordinator.Settings(1, 0, null));
        assertEquals("maxInFlight must be >= 1, got 0", inFlight.getMessage());
    }

    @Test
    void trialLineShowsAccuracyAndSizesWhereReported() {
        SearchProgress p = new SearchProgress(30, 4, 2, 0, 3, Duration.ofSeconds(75), Duration.ofSeconds(490));
        Trial complete = new Trial(3, TrialState.COMPLETE, new dev.kompakt.search.Assignment(Map.of()),
                Map.of("accuracy", 0.81234, "size_bytes", 14081.0, "onnx_bytes", 1234567.0), null, "w", null, null);
        assertEquals("trial 3 COMPLETE acc 0.8123 size 14,081 B onnx 1,234,567 B | trials 4/30 done, 2 in flight, 0 failed | front 3 "
                + "| elapsed 0:01:15 | ETA 0:08:10", SearchCoordinator.trialLine(complete, p));
        Trial failed = new Trial(5, TrialState.FAILED, new dev.kompakt.search.Assignment(Map.of()), Map.of("size_bytes", 900.0),
                "objective 'accuracy' is NaN", "w", null, null);
        assertEquals("trial 5 FAILED size 900 B (objective 'accuracy' is NaN) | " + p.line(), SearchCoordinator.trialLine(failed, p));
        Trial interrupted = new Trial(6, TrialState.INTERRUPTED, new dev.kompakt.search.Assignment(Map.of()), Map.of(), "lost", null,
                null, null);
        assertEquals("trial 6 INTERRUPTED (lost) | " + p.line(), SearchCoordinator.trialLine(interrupted, p));
    }

    @Test
    void progressLineFormatsDurations() {
        SearchProgress p = new SearchProgress(10, 4, 2, 1, 3, Duration.ofSeconds(3723), null);
        assertEquals("trials 4/10 done, 2 in flight, 1 failed | front 3 | elapsed 1:02:03 | ETA ?", p.line());
        SearchProgress waiting = new SearchProgress(10, 4, 2, 1, 2, 3, Duration.ofSeconds(3723), null, 0);
        assertEquals("trials 4/10 done, 2 in flight, 1 failed, 2 interrupted (resume runs them) | front 3 | elapsed 1:02:03 | ETA ? "
                + "| no executor is registered with the cluster manager: trials wait for one", waiting.line());
        assertEquals("0:00:59", SearchProgress.format(Duration.ofSeconds(59)));
    }
}
