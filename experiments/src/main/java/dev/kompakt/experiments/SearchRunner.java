package dev.kompakt.experiments;

import dev.kompakt.cluster.JobPayload;
import dev.kompakt.cluster.SearchCoordinator;
import dev.kompakt.cluster.SparkSetup;
import dev.kompakt.cluster.SparkTrialExecutor;
import dev.kompakt.cluster.TrialSpec;
import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.EvaluationContext;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.data.DatasetSource;
import dev.kompakt.evaluator.data.ImageDataset;
import dev.kompakt.evaluator.hardware.HardwareProfile;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.ModelBytes;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Seeds;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.sampler.MotpeSampler;
import dev.kompakt.search.sampler.Nsga2Sampler;
import dev.kompakt.search.sampler.QmcSampler;
import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.search.sampler.Sampler;
import dev.kompakt.search.sampler.WarmStart;
import dev.kompakt.strategies.CompressionPlan;
import dev.kompakt.strategies.CompressionSpace;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.net.Networks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs one search end to end on the driver: data, baseline, study, Spark executors, the coordinator actor,
 * and the result files. Call order: {@link #run} once per run directory.
 */
public final class SearchRunner {
    private static final Logger LOG = LoggerFactory.getLogger(SearchRunner.class);

    /**
     * @param master    Spark master URL, or null for the one spark-submit set (default {@code local[*]})
     * @param runDir    explicit run directory (must not exist), or null for {@code runsRoot/<name>}
     * @param runsRoot  where runs go by default
     * @param appJars   jars to ship to executors (comma-separated), or null
     */
    public record Options(String master, Path runDir, Path runsRoot, String appJars, Path profilesDir) {
    }

    /** Where the run went and what it found. */
    public record Result(Path runDir, RunSummary summary, Duration wallTime) {
    }

    private SearchRunner() {
    }

    public static Result run(ExperimentSpec spec, String specText, Options options, PrintStream console) throws IOException {
        Instant started = Instant.now();
        ProfileRegistry profiles = ProfileRegistry.load(options.profilesDir());
        // the data and a user's model are checked before anything is written: a model that does not fit is exit 2
        DatasetSource.Splits splits = loadData(spec);
        ImageDataset train = splits.train().stratified(spec.data().trainSamples());
        ImageDataset test = splits.test().stratified(spec.data().testSamples());
        Baselines.Baseline userModel = spec.baseline().model() != null ? Baselines.load(spec, train) : null;

        Path runDir = RunDirectory.create(options.runDir(), options.runsRoot(), spec.name());
        console.println("run directory: " + runDir);
        Files.writeString(runDir.resolve(RunFiles.SPEC_COPY), specText, StandardCharsets.UTF_8);
        console.printf("data: %s (%d train, %d test samples used)%n", splits.directory(), train.size(), test.size());

        Architecture arch = architecture(spec);
        long t0 = System.nanoTime();
        Baselines.Baseline baseline = userModel != null ? userModel : Baselines.obtain(spec, arch, train);
        console.printf("baseline: %s, %s (%.1f s)%n", userModel != null ? "your model" : arch.family(), baseline.source(),
                (System.nanoTime() - t0) / 1e9);

        List<HardwareProfile> devices = spec.devices().stream().map(profiles::get).toList();
        Map<String, Double> baselineMetrics = measureBaseline(spec, baseline.network(), train, test, devices);
        console.printf("baseline: accuracy %.4f, %,.0f bytes, %,.0f MACs%n", baselineMetrics.get("accuracy"),
                baselineMetrics.get("size_bytes"), baselineMetrics.get("macs"));
        RunFiles.JSON.writeValue(runDir.resolve(RunFiles.BASELINE).toFile(), baselineMetrics);

        SearchSpace space = space(spec);
        List<Trial> prior = copyWarmStart(spec, runDir, profiles.all().keySet());
        if (spec.search().warmStart() != null) {
            console.printf("warm start: %d finished trials of %s inform the sampler%n", prior.size(), spec.search().warmStart());
        }
        Sampler sampler = sampler(spec, prior);
        String specHash = sha256(specText);
        Map<String, String> provenance = provenance(spec, specHash, splits, baseline, options);
        if (spec.search().warmStart() != null) {
            provenance.put("warm_start.source", spec.search().warmStart().toAbsolutePath().toString());
            provenance.put("warm_start.trials", Integer.toString(prior.size()));
        }
        RunFiles.writeProvenance(runDir, provenance);

        List<Trial> trials;
        try (TrialJournal journal = TrialJournal.open(runDir.resolve(RunFiles.JOURNAL))) {
            journal.append(new JournalEvent.Started(spec.name(), specHash, spec.seed(), Instant.now().toString()));
            Study study = new Study(spec.name(), space, spec.search().objectives(), spec.search().constraints(), sampler, journal, null);
            trials = runStudy(spec, study, baseline.network(), train, test, baselineMetrics, devices, options, console, runDir);
        }
        Duration wall = Duration.between(started, Instant.now());
        provenance.put("run.finished", Instant.now().toString());
        provenance.put("run.wall_seconds", Long.toString(wall.toSeconds()));
        RunFiles.writeProvenance(runDir, provenance);
        RunSummary summary = summary(spec.name(), spec, trials, baselineMetrics, provenance);
        RunFiles.writeAll(runDir, summary);
        return new Result(runDir, summary, wall);
    }

    /**
     * Continues an interrupted run in its own directory: replays trials.jsonl, runs again the trials that were
     * in flight when the process died (same parameters, same seeds), never re-runs a finished one, and asks new
     * trials up to the spec's budget. The spec must be the one the run started with (its hash is in the journal).
     */
    public static Result resume(Path runDir, Options options, PrintStream console) throws IOException {
        Instant started = Instant.now();
        ProfileRegistry profiles = ProfileRegistry.load(options.profilesDir());
        RecordedRun run = RecordedRun.load(runDir, profiles.all().keySet());
        Path journalFile = runDir.resolve(RunFiles.JOURNAL);
        Path specFile = runDir.resolve(RunFiles.SPEC_COPY);
        ExperimentSpec spec = run.spec();
        JournalEvent.Started first = run.events().stream().filter(e -> e instanceof JournalEvent.Started).map(e -> (JournalEvent.Started) e)
                .findFirst().orElseThrow(() -> new SpecException(journalFile.toString(), List.of("the journal has no 'started' event")));
        if (!first.specSha256().equals(sha256(run.specText()))) {
            throw new SpecException(specFile.toString(), List.of("changed since the run started (its SHA-256 differs from the journal's); "
                    + "resume needs the spec the run started with"));
        }
        List<Trial> recorded = run.trials();
        Map<String, String> provenance = run.provenance();
        DatasetSource.Splits splits = loadData(spec, recordedDataDirectory(spec, provenance));
        ImageDataset train = splits.train().stratified(spec.data().trainSamples());
        ImageDataset test = splits.test().stratified(spec.data().testSamples());
        Architecture arch = architecture(spec);
        Baselines.Baseline baseline = Baselines.obtain(withRecordedBaseline(spec, provenance), arch, train);
        List<HardwareProfile> devices = spec.devices().stream().map(profiles::get).toList();
        Map<String, Double> baselineMetrics = run.baseline().isEmpty()
                ? measureBaseline(spec, baseline.network(), train, test, devices) : run.baseline();
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
                Study study = new Study(spec.name(), space(spec), spec.search().objectives(), spec.search().constraints(),
                        sampler(spec, recordedWarmStart(runDir)), journal, null);
                recorded.forEach(study::restore);
                trials = runStudy(spec, study, baseline.network(), train, test, baselineMetrics, devices, options, console, runDir);
            }
        }
        Duration wall = Duration.between(started, Instant.now());
        provenance.put("run.finished", Instant.now().toString());
        RunFiles.writeProvenance(runDir, provenance);
        RunSummary summary = summary(spec.name(), spec, trials, baselineMetrics, provenance);
        RunFiles.writeAll(runDir, summary);
        return new Result(runDir, summary, wall);
    }

    /** The data directory a run used (recorded in provenance.json), else the spec's. */
    static Path recordedDataDirectory(ExperimentSpec spec, Map<String, String> provenance) {
        String dir = provenance.get("data.directory");
        return dir != null ? Path.of(dir) : spec.data().path();
    }

    /**
     * The spec with its baseline model path as the run recorded it: a spec copied into a run directory has its
     * relative paths resolved against the run directory, not where the user wrote it.
     */
    static ExperimentSpec withRecordedBaseline(ExperimentSpec spec, Map<String, String> provenance) {
        ExperimentSpec.Baseline b = spec.baseline();
        if (b.model() == null || !provenance.containsKey("baseline.source")) {
            return spec;
        }
        return new ExperimentSpec(spec.schemaVersion(), spec.name(), spec.seed(), spec.data(),
                new ExperimentSpec.Baseline(b.architecture(), Path.of(provenance.get("baseline.source")), b.epochs(), b.batchSize(),
                        b.learningRate()), spec.strategies(), spec.budget(), spec.search(), spec.devices(), spec.execution());
    }

    static RunSummary summary(String name, ExperimentSpec spec, List<Trial> trials, Map<String, Double> baseline, Map<String, String> provenance) {
        return new RunSummary(name, spec.search().objectives(), spec.search().constraints(), trials,
                dev.kompakt.search.pareto.ParetoFront.of(trials, spec.search().objectives(), spec.search().constraints()), baseline, provenance);
    }

    private static List<Trial> runStudy(ExperimentSpec spec, Study study, ComputationGraph baseline, ImageDataset train,
                                        ImageDataset test, Map<String, Double> baselineMetrics, List<HardwareProfile> devices,
                                        Options options, PrintStream console, Path runDir) throws IOException {
        JobPayload payload = new JobPayload(new JobPayload.Header(runDir.toAbsolutePath() + "@" + Instant.now(),
                baselineMetrics.get("accuracy"), baselineMetrics.get("size_bytes").longValue(), devices,
                spec.execution().latencyWarmup(), spec.execution().latencyRepeats(), spec.execution().latencyBatch(),
                spec.execution().intraOpThreads()), train, test, ModelBytes.write(baseline));
        TrainingBudget budget = budget(spec);
        try (JavaSparkContext spark = SparkSetup.start(SparkSetup.conf("kompakt-" + spec.name(), options.master(), options.appJars()));
             SparkTrialExecutor executor = new SparkTrialExecutor(spark, payload)) {
            int inFlight = spec.execution().maxInFlight() > 0 ? spec.execution().maxInFlight() : executor.parallelism();
            console.printf("spark: master %s, %d trials, up to %d in flight%n", spark.master(), spec.budget().trials(), inFlight);
            CompletableFuture<List<Trial>> done = new CompletableFuture<>();
            var settings = new SearchCoordinator.Settings(spec.budget().trials(), inFlight, Duration.ofSeconds(30));
            ActorSystem<SearchCoordinator.Command> system = ActorSystem.create(SearchCoordinator.create(study, executor,
                    request -> new TrialSpec(request.number(), CompressionPlan.from(request.assignment()), budget,
                            trialSeed(spec, request.number())),
                    settings, SearchCoordinator.printing(console::println), done), "kompakt");
            try {
                return done.get();
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

    /** Baseline metrics through the same evaluator as candidates (identity plan, no training). */
    public static Map<String, Double> measureBaseline(ExperimentSpec spec, ComputationGraph net, ImageDataset train,
                                               ImageDataset test, List<HardwareProfile> devices) {
        double accuracy = Training.accuracy(net.clone(), Tensors.toDataSet(test));
        long size = CostModel.totalStorageBytes(GraphCostModel.of(net, Networks.inputType(net, train.rows(), train.cols(), 1), Map.of()));
        EvaluationContext context = new EvaluationContext(net, train, test, accuracy, size, devices);
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(spec.execution().latencyWarmup(), spec.execution().latencyRepeats(),
                spec.execution().latencyBatch(), spec.execution().intraOpThreads()))
                .evaluate(CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 1), spec.seed());
        m.remove("train_seconds");
        return m;
    }

    static DatasetSource.Splits loadData(ExperimentSpec spec) throws IOException {
        return loadData(spec, spec.data().path());
    }

    /**
     * The built-in family the spec names (trained when no model is given; with a model, recorded in the job header
     * only, since the model's own topology is what the search compresses).
     */
    static Architecture architecture(ExperimentSpec spec) {
        return new Architecture(Architecture.family(spec.baseline().architecture()), 1.0);
    }

    /** The data in {@code dir}, or when null the Debian full set if installed, else the bundled subset. */
    public static DatasetSource.Splits loadData(ExperimentSpec spec, Path dir) throws IOException {
        if (dir == null) {
            dir = Files.isDirectory(DatasetSource.DEBIAN_FASHION_MNIST) ? DatasetSource.DEBIAN_FASHION_MNIST : bundledData();
        }
        return DatasetSource.load(spec.data().dataset(), dir, 10);
    }

    /** The Fashion-MNIST subset shipped in the repository. */
    public static Path bundledData() throws IOException {
        String home = System.getenv("KOMPAKT_HOME");
        List<Path> candidates = new java.util.ArrayList<>();
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "experiments", "data", "fashion-mnist-subset"));
        }
        candidates.add(Path.of("experiments", "data", "fashion-mnist-subset"));
        candidates.add(Path.of("data", "fashion-mnist-subset"));
        candidates.add(Path.of("..", "experiments", "data", "fashion-mnist-subset"));
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IOException("no dataset: " + DatasetSource.DEBIAN_FASHION_MNIST + " is not installed (apt-get install dataset-fashion-mnist) "
                + "and the bundled subset was not found in " + candidates + "; set data.path in the spec or KOMPAKT_HOME");
    }

    static SearchSpace space(ExperimentSpec spec) {
        ExperimentSpec.Strategies s = spec.strategies();
        return CompressionSpace.of(s.student(), s.pruning(), s.quantization(), s.distillation());
    }

    static Sampler sampler(ExperimentSpec spec) {
        ExperimentSpec.Search s = spec.search();
        return switch (s.sampler()) {
            case "random" -> new RandomSampler(spec.seed());
            case "sobol" -> new QmcSampler(spec.seed());
            case "nsga2" -> new Nsga2Sampler(spec.seed(), s.populationSize());
            case "motpe" -> new MotpeSampler(spec.seed(), MotpeSampler.Settings.defaults().withStartupTrials(s.startupTrials()));
            default -> throw new IllegalArgumentException("search.sampler: unknown sampler '" + s.sampler() + "'");
        };
    }

    /** The spec's sampler, warm-started with {@code prior} trials when there are any. */
    static Sampler sampler(ExperimentSpec spec, List<Trial> prior) {
        Sampler sampler = sampler(spec);
        return prior.isEmpty() ? sampler : WarmStart.of(sampler, prior, space(spec), spec.search().objectives());
    }

    /**
     * Reads the earlier run named by {@code search.warmStart}, keeps the trials that can inform this study
     * ({@link WarmStart#usable}) and copies them, numbered from 0, into this run's {@link RunFiles#WARM_START}, so a
     * resumed run learns from exactly the same trials even if the earlier run directory has moved on.
     */
    static List<Trial> copyWarmStart(ExperimentSpec spec, Path runDir, java.util.Set<String> knownDevices) throws IOException {
        Path source = spec.search().warmStart();
        if (source == null) {
            return List.of();
        }
        RecordedRun earlier = RecordedRun.load(source, knownDevices);
        List<Trial> usable = WarmStart.usable(earlier.trials(), space(spec), spec.search().objectives());
        try (TrialJournal copy = TrialJournal.open(runDir.resolve(RunFiles.WARM_START))) {
            copy.append(new JournalEvent.Started(earlier.spec().name(), sha256(earlier.specText()), earlier.spec().seed(),
                    Instant.now().toString()));
            for (int i = 0; i < usable.size(); i++) {
                Trial t = usable.get(i);
                String started = t.started() == null ? Instant.now().toString() : t.started().toString();
                String finished = t.finished() == null ? started : t.finished().toString();
                copy.append(new JournalEvent.Asked(i, t.assignment().values(), started));
                copy.append(new JournalEvent.Finished(i, t.state(), t.metrics(), t.error(), t.worker(), finished));
            }
        }
        return recordedWarmStart(runDir);
    }

    /** The warm-start trials recorded in a run directory, or none. */
    static List<Trial> recordedWarmStart(Path runDir) throws IOException {
        Path file = runDir.resolve(RunFiles.WARM_START);
        return Files.isRegularFile(file) ? TrialJournal.replay(TrialJournal.read(file)) : List.of();
    }

    /** The seed of trial {@code n}'s training: derived from the study seed, so a trial can be rebuilt exactly. */
    public static long trialSeed(ExperimentSpec spec, int n) {
        return Seeds.mix(spec.seed() + n);
    }

    public static TrainingBudget budget(ExperimentSpec spec) {
        ExperimentSpec.Budget b = spec.budget();
        return new TrainingBudget(b.fineTuneEpochs(), b.studentEpochs(), b.batchSize(), b.fineTuneLearningRate(), b.studentLearningRate(),
                b.trainSamples());
    }

    private static Map<String, String> provenance(ExperimentSpec spec, String specHash, DatasetSource.Splits splits,
                                                  Baselines.Baseline baseline, Options options) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("run.name", spec.name());
        p.put("run.started", Instant.now().toString());
        p.put("spec.sha256", specHash);
        p.put("spec.schemaVersion", Integer.toString(spec.schemaVersion()));
        p.put("seed", Long.toString(spec.seed()));
        p.put("sampler", spec.search().sampler());
        p.put("data.directory", splits.directory().toAbsolutePath().toString());
        p.put("data.train.sha256", splits.train().sha256());
        p.put("baseline.source", baseline.source());
        p.put("baseline.key", baseline.key());
        p.put("spark.master", options.master() == null ? "(spark-submit / local[*])" : options.master());
        versions().forEach((k, v) -> p.put("version." + k, v));
        p.put("java.version", System.getProperty("java.version"));
        p.put("java.vendor", System.getProperty("java.vendor"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        p.put("host.cpu", LatencyProbe.hostCpu());
        p.put("host.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        p.put("host.max_heap_mb", Long.toString(Runtime.getRuntime().maxMemory() >> 20));
        p.put("env.OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        return p;
    }

    static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        try (InputStream in = SearchRunner.class.getResourceAsStream("/kompakt-versions.properties")) {
            if (in != null) {
                Properties props = new Properties();
                props.load(in);
                props.stringPropertyNames().stream().sorted().forEach(k -> v.put(k, props.getProperty(k)));
            }
        } catch (IOException e) {
            LOG.warn("cannot read kompakt-versions.properties: {}", e.getMessage());
        }
        return v;
    }

    /** "kompakt 0.1.0, spark 4.2.0, ..." for --version. */
    public static String[] versionsLines() {
        return versions().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toArray(String[]::new);
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
