package dev.kompakt.experiments;

import dev.kompakt.cluster.EpochReportServer;
import dev.kompakt.cluster.JobPayload;
import dev.kompakt.cluster.SearchCoordinator;
import dev.kompakt.cluster.SparkSetup;
import dev.kompakt.cluster.SparkTrialExecutor;
import dev.kompakt.cluster.TrialSpec;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.ModelBytes;
import dev.kompakt.experiments.report.ProgressNote;
import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.strategies.plan.CompressionPlan;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs one search end to end on the driver: its set-up ({@link RunSetup}: data, baseline, devices), the study with the
 * space and sampler of {@link Samplers}, Spark executors, the coordinator actor, and the result files with
 * {@link Provenance}. {@link #run} once per run directory; {@link #resume} continues one.
 */
public final class SearchRunner {
    /**
     * @param master    Spark master URL, or null for the one spark-submit set (default {@code local[*]})
     * @param runDir    explicit run directory (must not exist), or null for {@code runsRoot/<name>}
     * @param runsRoot  where runs go by default
     * @param appJars   jars to ship to executors (comma-separated), or null
     * @param reportInterval how often at most report.html and pareto.* are rewritten while trials finish ({@link LiveReport})
     * @param server    where the report is served while the search runs ({@code --serve}), or null
     */
    public record Options(String master, Path runDir, Path runsRoot, String appJars, Path profilesDir, Duration reportInterval,
                          ReportServer server) {
        /** The report rewritten at most every {@link LiveReport#DEFAULT_INTERVAL}, not served. */
        public Options(String master, Path runDir, Path runsRoot, String appJars, Path profilesDir) {
            this(master, runDir, runsRoot, appJars, profilesDir, LiveReport.DEFAULT_INTERVAL, null);
        }

        public Options {
            java.util.Objects.requireNonNull(reportInterval, "reportInterval");
        }
    }

    /** Where the run went and what it found. */
    public record Result(Path runDir, RunSummary summary, Duration wallTime) {
    }

    /** How long a standalone master may take to accept a connection before the search gives up (nothing written). */
    static final Duration MASTER_TIMEOUT = Duration.ofSeconds(10);

    private SearchRunner() {
    }

    /**
     * A new run. Its directory is locked ({@link RunLock}) from the moment it exists, and the spec and the journal's
     * {@code started} event are written before the baseline is trained, so that a run killed at any point (even during
     * baseline training) is a run directory that {@link #resume} continues.
     */
    public static Result run(ExperimentSpec spec, String specText, Options options, PrintStream console) throws IOException {
        return run(Validation.inputs(spec, specText, ProfileRegistry.load(options.profilesDir()).all().keySet()), options, console);
    }

    /**
     * Runs a search on a spec whose inputs {@link Validation} has checked (nothing is written before that check; a problem is
     * exit 2).
     */
    public static Result run(Validation.Checked checked, Options options, PrintStream console) throws IOException {
        Instant started = Instant.now();
        SparkSetup.requireReachable(options.master(), MASTER_TIMEOUT);
        ProfileRegistry profiles = ProfileRegistry.load(options.profilesDir());
        ExperimentSpec spec = checked.spec();
        String specText = checked.specText();
        RunData data = checked.data();
        Baselines.Baseline userModel = checked.userModel();

        Path runDir = RunDirectory.create(options.runDir(), options.runsRoot(), spec.name());
        try (RunLock lock = RunLock.acquire(runDir, "search")) {
            console.println("run directory: " + runDir);
            announceReport(runDir, options, console);
            AtomicFiles.writeString(runDir.resolve(RunFiles.SPEC_COPY), specText);
            String specHash = Provenance.sha256(specText);
            try (TrialJournal journal = TrialJournal.open(runDir.resolve(RunFiles.JOURNAL))) {
                journal.append(new JournalEvent.Started(spec.name(), specHash, spec.seed(), Instant.now().toString()));
                // what resume needs to find the data and the model again, before the (maybe long) baseline training
                Map<String, String> provenance = Provenance.of(spec, specHash, data, userModel, options.master());
                RunFiles.writeProvenance(runDir, provenance);
                // a report from the start (no trial yet), so that the address printed above shows something at once
                RunFiles.writeAll(runDir, summary(spec.name(), spec, List.of(), Map.of(), provenance),
                        ProgressNote.of(List.of(), spec.budget().trials(), spec.budget().maxMinutes()));
                console.printf("data: %s, %s %s, %d classes (%d train, %d validation, %d test samples used)%n", data.directory(),
                        spec.data().format(), data.train().shape(), data.train().classes(), data.train().size(), data.validation().size(),
                        data.test().size());

                long t0 = System.nanoTime();
                RunSetup setup = RunSetup.fresh(spec, data, userModel, profiles, console);
                console.printf("baseline: %s, %s (%.1f s)%n", userModel != null ? "your model" : RunSetup.architecture(spec).family(),
                        setup.baseline().source(), (System.nanoTime() - t0) / 1e9);
                Map<String, Double> baselineMetrics = setup.measureBaseline();
                console.printf("baseline: accuracy %.4f, %,.0f bytes, %,.0f MACs%n", baselineMetrics.get("accuracy"),
                        baselineMetrics.get("size_bytes"), baselineMetrics.get("macs"));
                RunFiles.writeBaseline(runDir, baselineMetrics);

                SearchSpace space = Samplers.space(spec, setup.baseline().network());
                List<Trial> prior = Samplers.copyWarmStart(spec, space, runDir, profiles.all().keySet());
                if (spec.search().warmStart() != null) {
                    console.printf("warm start: %d finished trials of %s inform the sampler%n", prior.size(), spec.search().warmStart());
                }
                provenance.put("baseline.source", setup.baseline().source());
                provenance.put("baseline.key", setup.baseline().key());
                if (spec.search().warmStart() != null) {
                    provenance.put("warm_start.source", spec.search().warmStart().toAbsolutePath().toString());
                    provenance.put("warm_start.trials", Integer.toString(prior.size()));
                }
                RunFiles.writeProvenance(runDir, provenance);

                Study study = new Study(spec.name(), space, spec.search().objectives(), spec.search().constraints(),
                        Samplers.of(spec, space, prior), Stoppers.of(spec), journal, null);
                List<Trial> trials = runStudy(setup, study, baselineMetrics, provenance, options, console, runDir);
                journal.close();
                return finish(spec, runDir, started, trials, baselineMetrics, provenance, true);
            }
        }
    }

    /**
     * Continues an interrupted run in its own directory: replays trials.jsonl, runs again the trials that were
     * in flight when the process died (same parameters, same seeds), never re-runs a finished one, and asks new
     * trials up to the spec's budget. The spec must be the one the run started with (its hash is in the journal).
     * A run killed before its baseline was measured gets it now (trained, or read from the cache); a provenance.json
     * or baseline.json that is missing or cannot be read is rebuilt; warm-start trials not copied yet are copied.
     * The run directory is locked ({@link RunLock}) first: a run another live process holds is refused, nothing written.
     */
    public static Result resume(Path runDir, Options options, PrintStream console) throws IOException {
        Instant started = Instant.now();
        ProfileRegistry profiles = ProfileRegistry.load(options.profilesDir());
        RecordedRun.requireRunDirectory(runDir);
        SparkSetup.requireReachable(options.master(), MASTER_TIMEOUT); // before anything is written, the lock file included
        try (RunLock lock = RunLock.acquire(runDir, "resume")) {
            AtomicFiles.removeLeftovers(runDir);
            announceReport(runDir, options, console);
            return resumeLocked(runDir, options, console, profiles, started);
        }
    }

    private static Result resumeLocked(Path runDir, Options options, PrintStream console, ProfileRegistry profiles, Instant started)
            throws IOException {
        RecordedRun run = RecordedRun.load(runDir, profiles.all().keySet());
        Path journalFile = runDir.resolve(RunFiles.JOURNAL);
        Path specFile = runDir.resolve(RunFiles.SPEC_COPY);
        ExperimentSpec spec = run.spec();
        JournalEvent.Started first = run.events().stream().filter(e -> e instanceof JournalEvent.Started).map(e -> (JournalEvent.Started) e)
                .findFirst().orElseThrow(() -> new SpecException(journalFile.toString(), List.of("the journal has no 'started' event")));
        String specHash = Provenance.sha256(run.specText());
        if (!first.specSha256().equals(specHash)) {
            throw new SpecException(specFile.toString(), List.of("changed since the run started (its SHA-256 differs from the journal's); "
                    + "resume needs the spec the run started with"));
        }
        run.unreadable().forEach(u -> console.println("warning: " + u + "; rebuilding it"));
        List<Trial> recorded = run.trials();
        Map<String, String> provenance = run.provenance();
        RunSetup setup = RunSetup.recorded(run, profiles, console);
        if (!Provenance.complete(provenance)) {
            // killed before the baseline was known, or provenance.json lost: what was recorded stays, the rest is measured now
            Map<String, String> rebuilt = Provenance.of(spec, specHash, setup, options.master());
            rebuilt.putAll(provenance);
            if (!provenance.containsKey("run.started")) {
                rebuilt.put("run.started", first.time());
            }
            provenance = rebuilt;
            console.println("provenance: completed for " + runDir.resolve(RunFiles.PROVENANCE));
        }
        Map<String, Double> baselineMetrics = run.baseline();
        if (baselineMetrics.isEmpty()) {
            baselineMetrics = setup.measureBaseline();
            RunFiles.writeBaseline(runDir, baselineMetrics);
            console.printf("baseline: accuracy %.4f, %,.0f bytes, %,.0f MACs (measured now)%n", baselineMetrics.get("accuracy"),
                    baselineMetrics.get("size_bytes"), baselineMetrics.get("macs"));
        }
        SearchSpace space = Samplers.space(spec, setup.baseline().network());
        if (spec.search().warmStart() != null && !Files.isRegularFile(runDir.resolve(RunFiles.WARM_START))) {
            List<Trial> prior = Samplers.copyWarmStart(spec, space, runDir, profiles.all().keySet());
            provenance.put("warm_start.source", spec.search().warmStart().toAbsolutePath().toString());
            provenance.put("warm_start.trials", Integer.toString(prior.size()));
        }
        long finished = recorded.stream().filter(t -> t.state().isFinished()).count();
        long rerun = recorded.size() - finished;
        console.printf("resuming %s: %d trials finished, %d to run again, %d new to ask (budget %d)%n", runDir, finished, rerun,
                Math.max(0, spec.budget().trials() - recorded.size()), spec.budget().trials());
        provenance.put("run.resumed", Instant.now().toString());
        provenance.put("run.resumed_with_finished_trials", Long.toString(finished));
        RunFiles.writeProvenance(runDir, provenance);

        List<Trial> trials = recorded;
        if (rerun > 0 || recorded.size() < spec.budget().trials()) {
            try (TrialJournal journal = TrialJournal.open(journalFile)) {
                Study study = new Study(spec.name(), space, spec.search().objectives(), spec.search().constraints(),
                        Samplers.of(spec, space, Samplers.recordedWarmStart(runDir)), Stoppers.of(spec), journal, null);
                recorded.forEach(study::restore);
                trials = runStudy(setup, study, baselineMetrics, provenance, options, console, runDir);
            }
        }
        return finish(spec, runDir, started, trials, baselineMetrics, provenance, false);
    }

    /** Records the end in provenance and writes the result files. */
    private static Result finish(ExperimentSpec spec, Path runDir, Instant started, List<Trial> trials, Map<String, Double> baselineMetrics,
                                 Map<String, String> provenance, boolean wallSeconds) throws IOException {
        Duration wall = Duration.between(started, Instant.now());
        provenance.put("run.finished", Instant.now().toString());
        if (wallSeconds) {
            provenance.put("run.wall_seconds", Long.toString(wall.toSeconds()));
        }
        RunFiles.writeProvenance(runDir, provenance);
        RunSummary summary = summary(spec.name(), spec, trials, baselineMetrics, provenance);
        RunFiles.writeAll(runDir, summary);
        return new Result(runDir, summary, wall);
    }

    static RunSummary summary(String name, ExperimentSpec spec, List<Trial> trials, Map<String, Double> baseline, Map<String, String> provenance) {
        return new RunSummary(name, spec.search().objectives(), spec.search().constraints(), trials,
                dev.kompakt.search.pareto.ParetoFront.of(trials, spec.search().objectives(), spec.search().constraints()), baseline, provenance);
    }

    /** Says where the report is (and serves it there with {@code --serve}): it is rewritten as trials finish. */
    private static void announceReport(Path runDir, Options options, PrintStream console) {
        Path report = runDir.resolve(RunFiles.REPORT);
        if (options.server() != null) {
            options.server().show(runDir);
            console.println("report: " + options.server().address() + " (serves " + report + ", rewritten as trials finish; the page "
                    + "reloads itself)");
        } else {
            console.println("report: " + report + " (rewritten as trials finish; `kompakt serve " + runDir + "` shows it in a browser "
                    + "as it changes)");
        }
    }

    /**
     * The coordinator's listener: prints each trial and the heartbeats, and asks {@code live} to rewrite the report after
     * each trial (which returns at once: the actor thread never renders or writes).
     */
    private static SearchCoordinator.Listener printingAndReporting(PrintStream console, LiveReport live) {
        SearchCoordinator.Listener printing = SearchCoordinator.printing(console::println);
        return new SearchCoordinator.Listener() {
            @Override
            public void trialFinished(Trial trial, dev.kompakt.cluster.SearchProgress progress) {
                printing.trialFinished(trial, progress);
                live.request();
            }

            @Override
            public void heartbeat(dev.kompakt.cluster.SearchProgress progress) {
                printing.heartbeat(progress);
            }

            @Override
            public void trialReported(Trial trial, boolean stop) {
                live.request();   // the report's learning curves
            }

            @Override
            public void trialRetrying(int number, int attempt, int retries, Duration delay, String cause) {
                printing.trialRetrying(number, attempt, retries, delay, cause);
            }
        };
    }

    private static List<Trial> runStudy(RunSetup setup, Study study, Map<String, Double> baselineMetrics, Map<String, String> provenance,
                                        Options options, PrintStream console, Path runDir) throws IOException {
        ExperimentSpec spec = setup.spec();
        JobPayload payload = new JobPayload(new JobPayload.Header(runDir.toAbsolutePath() + "@" + Instant.now(),
                baselineMetrics.get("accuracy"), baselineMetrics.get("size_bytes").longValue(), setup.devices(),
                spec.execution().latencyWarmup(), spec.execution().latencyRepeats(), spec.execution().latencyBatch(),
                spec.execution().intraOpThreads()), setup.data().train(), setup.data().validation(), setup.data().test(),
                ModelBytes.write(setup.baseline().network()));
        TrainingBudget budget = setup.budget();
        Map<String, String> provenanceNow = Map.copyOf(provenance);
        // epoch reports arrive at the server, which asks the coordinator: it exists once the actor system does
        java.util.concurrent.atomic.AtomicReference<EpochReportServer.Decider> coordinator = new java.util.concurrent.atomic.AtomicReference<>(
                report -> CompletableFuture.completedFuture(false));
        // the writer thread takes its snapshot with study.trials(): Study is synchronized and returns a copy of immutable trials
        try (LiveReport live = LiveReport.start(runDir, options.reportInterval(),
                () -> summary(spec.name(), spec, study.trials(), baselineMetrics, provenanceNow), spec.budget().trials(),
                spec.budget().maxMinutes(), console::println);
             JavaSparkContext spark = SparkSetup.start(SparkSetup.conf("kompakt-" + spec.name(), options.master(), options.appJars()));
             SparkTrialExecutor executor = new SparkTrialExecutor(spark, payload);
             EpochReportServer reports = spec.search().earlyStopping().active()
                     ? EpochReportServer.start(spark.getConf().get("spark.driver.host", "localhost"), report -> coordinator.get().reported(report))
                     : null) {
            int inFlight = spec.execution().maxInFlight() > 0 ? spec.execution().maxInFlight() : executor.parallelism();
            console.printf("spark: master %s, %d trials, up to %d in flight%n", spark.master(), spec.budget().trials(), inFlight);
            if (reports != null) {
                console.printf("early stopping: %s; executors report each epoch to %s%n", Stoppers.of(spec), reports.url());
            }
            String reportTo = reports == null ? null : reports.url();
            CompletableFuture<List<Trial>> done = new CompletableFuture<>();
            var settings = new SearchCoordinator.Settings(spec.budget().trials(), inFlight, Duration.ofSeconds(30),
                    spec.budget().maxMinutes() > 0 ? Duration.ofMillis(Math.round(spec.budget().maxMinutes() * 60_000)) : null,
                    SearchCoordinator.Settings.DEFAULT_RETRIES, SearchCoordinator.Settings.DEFAULT_BACKOFF, spec.execution().trialTimeout());
            ActorSystem<SearchCoordinator.Command> system = ActorSystem.create(SearchCoordinator.create(study, executor,
                    request -> new TrialSpec(request.number(), RunSetup.plan(spec, request.assignment()), budget,
                            RunSetup.trialSeed(spec, request.number()), reportTo),
                    settings, printingAndReporting(console, live), done), "kompakt");
            coordinator.set(SearchCoordinator.decider(system));
            try {
                List<Trial> trials = done.get();
                if (spec.budget().maxMinutes() > 0 && trials.size() < spec.budget().trials()) {
                    console.printf("wall-time budget of %s minutes spent: %d of %d trials asked (resume runs the rest)%n",
                            spec.budget().maxMinutes(), trials.size(), spec.budget().trials());
                }
                return trials;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("search interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("search coordinator failed: " + e.getCause().getMessage(), e.getCause());
            } finally {
                system.terminate();
            }
        }
    }
}
