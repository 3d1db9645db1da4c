package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Networks;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Act;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Plan;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Stage;
import dev.kompakt.strategies.architecture.Families;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Candidate training throughput: samples per second through {@link Training#fit} (the loop every trial trains with:
 * shuffled minibatches, Adam, masks re-applied) for two probe graphs, the quickstart's CNN family and each built-in
 * architecture family at widths 0.5 and 1.0, on 28x28x1 inputs and 10 classes; and the effective arithmetic rate beside
 * the machine's peak.
 * <p>
 * Two configurations are timed: one training alone (one task, as many ND4J threads as {@code OMP_NUM_THREADS}), and
 * {@code tasks} trainings at once, each its own network, as Spark's local mode runs trials (one per core, one ND4J
 * thread each: {@code bin/kompakt} sets {@code OMP_NUM_THREADS=1}). Inputs are random: throughput does not depend on the
 * values. Effective GFLOP/s counts 6 FLOP per multiply-accumulate of the cost model's forward MACs (2 for the forward
 * pass, 4 for the two backward products), the usual estimate of a training step.
 */
public final class TrainingBenchmark {
    /** A network to time, built fresh (with initial weights from a seed) for each training. */
    record Subject(String name, java.util.function.LongFunction<ComputationGraph> build) {
    }

    /** Throughput of one network on one path. */
    record Rates(double trainOne, double trainMany, double infer) {
    }

    /**
     * @param samples         random samples per timed pass
     * @param tasks           trainings at once in the second configuration
     * @param accuracyTrain   Fashion-MNIST training samples (stratified) of the accuracy comparison, 0 = none
     * @param accuracyEpochs  its epochs
     * @param accuracySeeds   its seeds per network and path
     */
    public record Settings(int samples, int batch, int repeats, int tasks, long seed, int accuracyTrain, int accuracyEpochs,
                           int accuracySeeds, String networks, boolean issueDefault) {
        public Settings(int samples, int batch, int repeats, int tasks, long seed, int accuracyTrain, int accuracyEpochs, int accuracySeeds) {
            this(samples, batch, repeats, tasks, seed, accuracyTrain, accuracyEpochs, accuracySeeds, null, false);
        }

        /** Whether the network named {@code name} is measured: {@code networks} is comma-separated parts of names, null = all. */
        public boolean includes(String name) {
            return networks == null || Arrays.stream(networks.split(",")).map(String::trim).anyMatch(name::contains);
        }

        /** The arguments that give {@link #main} these settings. */
        List<String> asArguments(Path dataDirectory) {
            return List.of(String.valueOf(samples), String.valueOf(batch), String.valueOf(repeats), String.valueOf(tasks), String.valueOf(seed),
                    String.valueOf(accuracyTrain), String.valueOf(accuracyEpochs), String.valueOf(accuracySeeds), networks == null ? "" : networks,
                    dataDirectory == null ? "" : dataDirectory.toString());
        }
    }

    private TrainingBenchmark() {
    }

    /** The probe graphs of the issue "Training as fast as the hardware allows", the CNN family and the built-in families. */
    static List<Subject> subjects() {
        List<Subject> s = new ArrayList<>();
        // ResNet-style probe: stem + 3 stages of one basic block, 8/16/32 channels, global pooling
        Plan resnetProbe = new Plan(Family.RESNET, Act.RELU, List.of(new Stage(1, 0.5, 3, 1, false), new Stage(1, 0.5, 3, 1, false),
                new Stage(1, 0.5, 3, 1, false)), 28, 0);
        s.add(new Subject("probe: resnet 8/16/32", seed -> Families.build(resnetProbe, 1, 28, 28, 10, seed)));
        // MobileNetV2-style probe: stem + 3 inverted residuals (expansion 4, 3x3 depthwise), 16/32/64 channels
        Plan mobileProbe = new Plan(Family.MOBILENET, Act.RELU, List.of(new Stage(1, 1.0, 3, 4, false), new Stage(1, 32.0 / 24, 3, 4, false),
                new Stage(1, 64.0 / 40, 3, 4, false)), 28, 0);
        s.add(new Subject("probe: mobilenetv2 16/32/64", seed -> Families.build(mobileProbe, 1, 28, 28, 10, seed)));
        s.add(new Subject("cnn (quickstart) w1.0", seed -> NetworkFactory.build(new Architecture(Architecture.Family.CNN, 1.0), 28, 28, 10, seed,
                1e-3, null)));
        for (Family f : List.of(Family.RESNET, Family.MOBILENET, Family.GHOSTNET, Family.SHUFFLENET)) {
            for (double w : new double[] {0.5, 1.0}) {
                boolean expands = f == Family.MOBILENET || f == Family.GHOSTNET;
                List<Stage> stages = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    stages.add(new Stage(Families.baseDepth(i), w, 3, expands ? 4 : 1, false));
                }
                Plan p = new Plan(f, f == Family.RESNET || f == Family.SHUFFLENET ? Act.RELU : Act.HARDSWISH, stages, 28, 0);
                s.add(new Subject(f.id() + " w" + w, seed -> Families.build(p, 1, 28, 28, 10, seed)));
            }
        }
        return s;
    }

    /** The names of the networks measured, for {@code --networks}. */
    public static List<String> networkNames() {
        return subjects().stream().map(Subject::name).toList();
    }

    /**
     * Prints the throughput table (DL4J's built-in layers against its oneDNN helpers, each network built both ways in this
     * run; with {@code settings.issueDefault()} also the issue's default, measured in a child JVM) and, with {@code data},
     * the accuracy comparison.
     */
    public static void run(Settings settings, dev.kompakt.evaluator.data.DatasetSource.Splits data, PrintStream out) throws Exception {
        String omp = System.getenv("OMP_NUM_THREADS");
        IssueDefault before = settings.issueDefault() ? IssueDefault.measure(settings, data == null ? null : data.directory(), out)
                : IssueDefault.notAsked();
        out.printf("training throughput on %s, %d cores; ND4J %s, OMP_NUM_THREADS=%s; Adam, batch %d, %d random 28x28x1 samples "
                        + "per timed pass, median of %d passes after one warm-up pass; %d tasks = that many trainings at once, each its own "
                        + "network and thread%n", LatencyProbe.hostCpu(), Runtime.getRuntime().availableProcessors(),
                org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation().getProperty("blas.vendor"), omp == null ? "(unset)" : omp,
                settings.batch(), settings.samples(), settings.repeats(), settings.tasks());
        out.println("issue default = what Kompakt trained with when the issue was filed: ND4J's " + IssueDefault.CLASSIFIER + " build (no "
                + "oneDNN) and DL4J's own layers, measured in a child JVM of this run (" + before.status() + ")");
        out.println("built-in = DL4J's own layers (im2col + GEMM convolutions; DL4J 1.0.0-M2.1's default) on this JVM's ND4J build ("
                + dev.kompakt.evaluator.net.NativeRuntime.nd4jBuild() + "); oneDNN = its oneDNN layer helpers (OneDnnHelpers, Kompakt's default) on the same build; the same network "
                + "and weights on every path; speed-up = oneDNN against the issue default (in brackets: against built-in); this JVM: "
                + dev.kompakt.evaluator.net.NativeRuntime.describe() + " (the helpers switched per path)");
        Peak peak = Peak.ofThisMachine();
        out.println("peak: " + peak.describe());
        out.println();
        DataSet random = randomData(settings.samples(), settings.seed());
        out.printf("| network | params | MFLOP/sample (train) | samples/s 1 task: issue default | built-in | oneDNN | speed-up "
                + "| samples/s %d tasks: issue default | built-in | oneDNN | speed-up | GFLOP/s (oneDNN, %d tasks) | %% of peak "
                + "| inference samples/s (batch 500): issue default | built-in | oneDNN |%n", settings.tasks(), settings.tasks());
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Subject subject : subjects()) {
            if (!settings.includes(subject.name())) {
                continue;
            }
            ComputationGraph probe = subject.build().apply(settings.seed());
            long macs = CostModel.totalMacs(GraphCostModel.of(probe, Networks.inputType(probe, DataShape.image(1, 28, 28)), Map.of()));
            Rates builtIn = rates(subject, random, settings, false);
            Rates oneDnn = rates(subject, random, settings, true);
            Rates issue = before.rates().get(subject.name());
            double flop = 6.0 * macs;
            out.printf("| %s | %,d | %.2f | %s | %.0f | %.0f | %s | %s | %.0f | %.0f | %s | %.2f | %.1f%% | %s | %.0f | %.0f |%n", subject.name(),
                    probe.numParams(), flop / 1e6, issue == null ? "-" : String.format("%.0f", issue.trainOne()), builtIn.trainOne(),
                    oneDnn.trainOne(), speedUp(oneDnn.trainOne(), issue == null ? Double.NaN : issue.trainOne(), builtIn.trainOne()),
                    issue == null ? "-" : String.format("%.0f", issue.trainMany()), builtIn.trainMany(), oneDnn.trainMany(),
                    speedUp(oneDnn.trainMany(), issue == null ? Double.NaN : issue.trainMany(), builtIn.trainMany()), oneDnn.trainMany() * flop / 1e9,
                    100 * oneDnn.trainMany() * flop / 1e9 / peak.gflops(), issue == null ? "-" : String.format("%.0f", issue.infer()), builtIn.infer(),
                    oneDnn.infer());
        }
        if (data != null && settings.accuracyTrain() > 0) {
            out.println();
            accuracy(settings, data, before, out);
        }
    }

    /** "3.37x (3.88x)": against the issue default, in brackets against the built-in path; without the former, the latter alone. */
    private static String speedUp(double now, double issueDefault, double builtIn) {
        return Double.isNaN(issueDefault) ? String.format("(%.2fx)", now / builtIn) : String.format("%.2fx (%.2fx)", now / issueDefault, now / builtIn);
    }

    static Rates rates(Subject subject, DataSet data, Settings settings, boolean oneDnn) throws Exception {
        Subject onPath = new Subject(subject.name(), seed -> dev.kompakt.evaluator.net.OneDnnHelpers.building(oneDnn,
                () -> subject.build().apply(seed)));
        double one = trainRate(onPath, data, settings, 1);
        double many = trainRate(onPath, data, settings, settings.tasks());
        double infer = inferRate(onPath.build().apply(settings.seed()), data, settings.repeats());
        return new Rates(one, many, infer);
    }

    /** Test accuracy per seed (seeds 1..n) and mean training seconds of one network on one path. */
    record Learned(double[] accuracy, double seconds) {
    }

    /** The networks of the accuracy comparison: the two probes and the quickstart's CNN (those the settings include). */
    static List<Subject> accuracySubjects(Settings settings) {
        return subjects().subList(0, 3).stream().filter(s -> settings.includes(s.name())).toList();
    }

    /** Trains {@code subject} from seeds 1..n (each: its initial weights and minibatch order) and tests it. */
    static Learned learn(Subject subject, boolean oneDnn, DataSet train, DataSet test, Settings settings) {
        double[] acc = new double[settings.accuracySeeds()];
        double seconds = 0;
        for (int s = 0; s < settings.accuracySeeds(); s++) {
            long seed = s + 1;
            ComputationGraph net = dev.kompakt.evaluator.net.OneDnnHelpers.building(oneDnn, () -> subject.build().apply(seed));
            long t0 = System.nanoTime();
            Training.fit(net, train, settings.accuracyEpochs(), settings.batch(), PruningMasks.none(), seed);
            seconds += (System.nanoTime() - t0) / 1e9;
            acc[s] = Training.accuracy(net, test);
        }
        return new Learned(acc, seconds / settings.accuracySeeds());
    }

    static DataSet accuracyTrain(Settings settings, dev.kompakt.evaluator.data.DatasetSource.Splits data) {
        return data.train().stratified(settings.accuracyTrain()).toDataSet();
    }

    static DataSet accuracyTest(dev.kompakt.evaluator.data.DatasetSource.Splits data) {
        return data.test().stratified(Math.min(2000, data.test().size())).toDataSet();
    }

    /**
     * Whether the faster path learns the same: each network trained from the same initial weights with the same minibatch
     * order on every path, per seed, then its test accuracy.
     */
    static void accuracy(Settings settings, dev.kompakt.evaluator.data.DatasetSource.Splits data, IssueDefault before, PrintStream out) {
        DataSet train = accuracyTrain(settings, data);
        DataSet test = accuracyTest(data);
        out.printf("accuracy after a fixed budget: %s, %d training samples (stratified), %d epochs, batch %d, %d test samples, seeds 1..%d "
                        + "(each seed: the same initial weights and minibatch order on every path)%n", data.directory(), train.numExamples(),
                settings.accuracyEpochs(), settings.batch(), test.numExamples(), settings.accuracySeeds());
        out.println("| network | test accuracy issue default: mean (min-max) | built-in | oneDNN | largest per-seed difference oneDNN vs issue "
                + "default (vs built-in) | training s issue default | built-in | oneDNN |");
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Subject subject : accuracySubjects(settings)) {
            Learned builtIn = learn(subject, false, train, test, settings);
            Learned oneDnn = learn(subject, true, train, test, settings);
            Learned issue = before.learned().get(subject.name());
            out.printf("| %s | %s | %s | %s | %s (%.4f) | %s | %.1f | %.1f |%n", subject.name(), issue == null ? "-" : spread(issue.accuracy()),
                    spread(builtIn.accuracy()), spread(oneDnn.accuracy()), issue == null ? "-" : String.format("%.4f", maxDiff(oneDnn.accuracy(),
                            issue.accuracy())), maxDiff(oneDnn.accuracy(), builtIn.accuracy()), issue == null ? "-" : String.format("%.1f", issue.seconds()),
                    builtIn.seconds(), oneDnn.seconds());
        }
    }

    private static String spread(double[] v) {
        return String.format("%.4f (%.4f-%.4f)", mean(v), min(v), max(v));
    }

    private static double maxDiff(double[] a, double[] b) {
        double d = 0;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /**
     * The issue's default, measured in a child JVM: the same class path with ND4J's {@value #CLASSIFIER} build in place of
     * this JVM's oneDNN build (the two cannot be loaded in one JVM: they are the same classes over different native
     * libraries) and DL4J's helpers off, JavaCPP's settings at their defaults, as before the issue. The child runs {@link #main} and prints one line per result.
     */
    record IssueDefault(Map<String, Rates> rates, Map<String, Learned> learned, String status) {
        static final String CLASSIFIER = "linux-x86_64-avx2";
        static final String MARK = "@@issue-default\t";

        static IssueDefault notAsked() {
            return new IssueDefault(Map.of(), Map.of(), "not asked: --issue-default off");
        }

        static IssueDefault measure(Settings settings, Path dataDirectory, PrintStream out) throws IOException, InterruptedException {
            Path thisBuild = dev.kompakt.evaluator.net.NativeRuntime.nd4jJar().orElse(null);
            String name = thisBuild == null ? "" : thisBuild.getFileName().toString();
            if (!name.contains("-linux-x86_64-")) {
                return new IssueDefault(Map.of(), Map.of(), "not measured: this JVM's nd4j-native build is "
                        + dev.kompakt.evaluator.net.NativeRuntime.nd4jBuild());
            }
            Path avx2 = thisBuild.resolveSibling(name.substring(0, name.indexOf("-linux-x86_64-")) + "-" + CLASSIFIER + ".jar");
            if (!Files.isRegularFile(avx2)) {
                return new IssueDefault(Map.of(), Map.of(), "not measured: " + avx2 + " is missing; fetch it with mvn dependency:get "
                        + "-Dartifact=org.nd4j:nd4j-native:1.0.0-M2.1:jar:" + CLASSIFIER + " -Dtransitive=false");
            }
            String cp = System.getProperty("java.class.path").replace(thisBuild.toString(), avx2.toString());
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                    .filter(a -> !a.startsWith("-D" + dev.kompakt.evaluator.net.OneDnnHelpers.PROPERTY)
                            && !a.toLowerCase(java.util.Locale.ROOT).startsWith("-D" + dev.kompakt.evaluator.net.NativeRuntime.MAX_PHYSICAL_BYTES
                            .toLowerCase(java.util.Locale.ROOT))).toList());
            command.add("-D" + dev.kompakt.evaluator.net.OneDnnHelpers.PROPERTY + "=true");
            command.addAll(List.of("-cp", cp, TrainingBenchmark.class.getName()));
            command.addAll(settings.asArguments(dataDirectory));
            out.println("measuring the issue default in a child JVM (" + avx2.getFileName() + ") ...");
            out.flush();
            Process child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Map<String, Rates> rates = new java.util.LinkedHashMap<>();
            Map<String, Learned> learned = new java.util.LinkedHashMap<>();
            String build = "?";
            try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(), java.nio.charset.StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!line.startsWith(MARK)) {
                        continue;   // ND4J's and DL4J's own log lines
                    }
                    String[] f = line.substring(MARK.length()).split("\t");
                    switch (f[0]) {
                        case "build" -> build = f[1];
                        case "rates" -> rates.put(f[1], new Rates(Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])));
                        case "learned" -> learned.put(f[1], new Learned(Arrays.stream(f[3].split(",")).mapToDouble(Double::parseDouble).toArray(),
                                Double.parseDouble(f[2])));
                        default -> throw new IllegalStateException("unexpected line from the child JVM: " + line);
                    }
                }
            }
            int rc = child.waitFor();
            if (rc != 0) {
                throw new IllegalStateException("the child JVM measuring the issue default exited with " + rc);
            }
            return new IssueDefault(rates, learned, "measured: " + build);
        }
    }

    /**
     * The child JVM of {@link IssueDefault#measure}: {@link Settings#asArguments} in, one {@link IssueDefault#MARK} line per
     * result out (DL4J's helpers off, ND4J whatever build the class path holds).
     */
    public static void main(String[] args) throws Exception {
        System.setProperty(dev.kompakt.evaluator.net.OneDnnHelpers.PROPERTY, "true");
        Settings settings = new Settings(Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                Long.parseLong(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]), Integer.parseInt(args[7]),
                args[8].isEmpty() ? null : args[8], false);
        PrintStream out = System.out;
        out.println(IssueDefault.MARK + "build\t" + dev.kompakt.evaluator.net.NativeRuntime.nd4jBuild() + "; "
                + dev.kompakt.evaluator.net.NativeRuntime.describe());
        DataSet random = randomData(settings.samples(), settings.seed());
        for (Subject subject : subjects()) {
            if (settings.includes(subject.name())) {
                Rates r = rates(subject, random, settings, false);
                out.println(IssueDefault.MARK + "rates\t" + subject.name() + "\t" + r.trainOne() + "\t" + r.trainMany() + "\t" + r.infer());
                System.err.printf("  issue default: %s: %.0f / %.0f samples/s%n", subject.name(), r.trainOne(), r.trainMany());
            }
        }
        if (!args[9].isEmpty() && settings.accuracyTrain() > 0) {
            var data = dev.kompakt.evaluator.data.DatasetSource.load("fashion-mnist", Path.of(args[9]), 10);
            DataSet train = accuracyTrain(settings, data);
            DataSet test = accuracyTest(data);
            for (Subject subject : accuracySubjects(settings)) {
                Learned l = learn(subject, false, train, test, settings);
                out.println(IssueDefault.MARK + "learned\t" + subject.name() + "\t" + l.seconds() + "\t"
                        + String.join(",", Arrays.stream(l.accuracy()).mapToObj(Double::toString).toList()));
            }
        }
        out.flush();
        System.exit(0);
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double min(double[] v) {
        return Arrays.stream(v).min().orElse(Double.NaN);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(Double.NaN);
    }

    /** Random inputs in [0, 1) and one-hot labels, as flat [n, 784] features like every Kompakt dataset. */
    static DataSet randomData(int n, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, 28 * 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 10);
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, r.nextInt(10), 1f);
        }
        return new DataSet(x, y);
    }

    /**
     * Samples per second summed over {@code tasks} trainings running at once (each its own network and thread): the
     * median of {@code repeats} passes over the data after one warm-up pass.
     */
    static double trainRate(Subject subject, DataSet data, Settings settings, int tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks);
        try {
            List<ComputationGraph> nets = new ArrayList<>();
            for (int t = 0; t < tasks; t++) {
                nets.add(subject.build().apply(settings.seed()));
            }
            double[] rates = new double[settings.repeats()];
            for (int rep = -1; rep < settings.repeats(); rep++) {
                long t0 = System.nanoTime();
                List<Future<?>> running = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    ComputationGraph net = nets.get(t);
                    long seed = settings.seed() + 31L * t + rep;
                    running.add(pool.submit(() -> Training.fit(net, data, 1, settings.batch(), PruningMasks.none(), seed)));
                }
                for (Future<?> f : running) {
                    f.get();
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                if (rep >= 0) {
                    rates[rep] = tasks * data.numExamples() / seconds;
                }
            }
            return median(rates);
        } finally {
            pool.shutdownNow();
        }
    }

    static double inferRate(ComputationGraph net, DataSet data, int repeats) {
        double[] rates = new double[repeats];
        for (int rep = -1; rep < repeats; rep++) {
            long t0 = System.nanoTime();
            Training.predict(net, data.getFeatures()).close();
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (rep >= 0) {
                rates[rep] = data.numExamples() / seconds;
            }
        }
        return median(rates);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The machine's single-precision peak: cores x clock x FLOP per cycle per core (AVX-512: 2 FMA units x 16 lanes x 2;
     * AVX2: 2 x 8 x 2), from /proc/cpuinfo's current clock and flags. An upper bound no training loop reaches; the
     * ratio is what matters.
     */
    record Peak(int cores, double ghz, int flopPerCycle) {
        double gflops() {
            return cores * ghz * flopPerCycle;
        }

        String describe() {
            return String.format("%d cores x %.2f GHz x %d FLOP/cycle (two %d-bit FMA units) = %.0f GFLOP/s single precision", cores, ghz,
                    flopPerCycle, flopPerCycle * 8, gflops());
        }

        static Peak ofThisMachine() {
            int cores = Runtime.getRuntime().availableProcessors();
            double mhz = 2000;
            String flags = "";
            boolean amd = false;
            try {
                for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                    if (line.startsWith("cpu MHz")) {
                        mhz = Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                    } else if (line.startsWith("vendor_id")) {
                        amd = line.contains("AuthenticAMD");
                    } else if (line.startsWith("flags") && flags.isEmpty()) {
                        flags = line;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not Linux: keep the defaults and say so through the clock printed
            }
            // AMD's Zen 4 runs AVX-512 as two 256-bit halves: the same 32 FLOP/cycle as AVX2
            int perCycle = flags.contains(" avx512f") && !amd ? 64 : flags.contains(" avx2") && flags.contains(" fma") ? 32 : 8;
            return new Peak(cores, mhz / 1000, perCycle);
        }
    }
}
