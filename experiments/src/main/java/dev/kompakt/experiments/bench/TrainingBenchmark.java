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
                           int accuracySeeds) {
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

    /**
     * Prints the throughput table (DL4J's built-in layers against its oneDNN helpers, each network built both ways in this
     * run) and, with {@code data}, the accuracy comparison.
     */
    public static void run(Settings settings, dev.kompakt.evaluator.data.DatasetSource.Splits data, PrintStream out) throws Exception {
        String omp = System.getenv("OMP_NUM_THREADS");
        out.printf("training throughput on %s, %d cores; ND4J %s, OMP_NUM_THREADS=%s; Adam, batch %d, %d random 28x28x1 samples "
                        + "per timed pass, median of %d passes after one warm-up pass; %d tasks = that many trainings at once, each its own "
                        + "network and thread%n", LatencyProbe.hostCpu(), Runtime.getRuntime().availableProcessors(),
                org.nd4j.linalg.factory.Nd4j.getExecutioner().getEnvironmentInformation().getProperty("blas.vendor"), omp == null ? "(unset)" : omp,
                settings.batch(), settings.samples(), settings.repeats(), settings.tasks());
        out.println("built-in = DL4J's own layers (im2col + GEMM convolutions; DL4J 1.0.0-M2.1's default); oneDNN = its oneDNN layer "
                + "helpers (OneDnnHelpers, Kompakt's default); the same network and weights either way");
        Peak peak = Peak.ofThisMachine();
        out.println("peak: " + peak.describe());
        out.println();
        DataSet random = randomData(settings.samples(), settings.seed());
        out.printf("| network | params | MFLOP/sample (train) | samples/s 1 task: built-in | oneDNN | speed-up | samples/s %d tasks: built-in "
                + "| oneDNN | speed-up | GFLOP/s (oneDNN, %d tasks) | %% of peak | inference samples/s (batch 500): built-in | oneDNN |%n",
                settings.tasks(), settings.tasks());
        out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (Subject subject : subjects()) {
            ComputationGraph probe = subject.build().apply(settings.seed());
            long macs = CostModel.totalMacs(GraphCostModel.of(probe, Networks.inputType(probe, DataShape.image(1, 28, 28)), Map.of()));
            Rates builtIn = rates(subject, random, settings, false);
            Rates oneDnn = rates(subject, random, settings, true);
            double flop = 6.0 * macs;
            out.printf("| %s | %,d | %.2f | %.0f | %.0f | %.2fx | %.0f | %.0f | %.2fx | %.2f | %.1f%% | %.0f | %.0f |%n", subject.name(),
                    probe.numParams(), flop / 1e6, builtIn.trainOne(), oneDnn.trainOne(), oneDnn.trainOne() / builtIn.trainOne(),
                    builtIn.trainMany(), oneDnn.trainMany(), oneDnn.trainMany() / builtIn.trainMany(), oneDnn.trainMany() * flop / 1e9,
                    100 * oneDnn.trainMany() * flop / 1e9 / peak.gflops(), builtIn.infer(), oneDnn.infer());
        }
        if (data != null && settings.accuracyTrain() > 0) {
            out.println();
            accuracy(settings, data, out);
        }
    }

    static Rates rates(Subject subject, DataSet data, Settings settings, boolean oneDnn) throws Exception {
        Subject onPath = new Subject(subject.name(), seed -> dev.kompakt.evaluator.net.OneDnnHelpers.building(oneDnn,
                () -> subject.build().apply(seed)));
        double one = trainRate(onPath, data, settings, 1);
        double many = trainRate(onPath, data, settings, settings.tasks());
        double infer = inferRate(onPath.build().apply(settings.seed()), data, settings.repeats());
        return new Rates(one, many, infer);
    }

    /**
     * Whether the faster path learns the same: each network trained from the same initial weights with the same minibatch
     * order on both paths, per seed, then its test accuracy.
     */
    static void accuracy(Settings settings, dev.kompakt.evaluator.data.DatasetSource.Splits data, PrintStream out) {
        DataSet train = data.train().stratified(settings.accuracyTrain()).toDataSet();
        DataSet test = data.test().stratified(Math.min(2000, data.test().size())).toDataSet();
        out.printf("accuracy after a fixed budget: %s, %d training samples (stratified), %d epochs, batch %d, %d test samples, seeds 1..%d "
                        + "(each seed: the same initial weights and minibatch order on both paths)%n", data.directory(), train.numExamples(),
                settings.accuracyEpochs(), settings.batch(), test.numExamples(), settings.accuracySeeds());
        out.println("| network | test accuracy built-in: mean (min-max) | oneDNN: mean (min-max) | largest per-seed difference | "
                + "training s built-in | oneDNN |");
        out.println("|---|---:|---:|---:|---:|---:|");
        for (Subject subject : subjects().subList(0, 3)) {
            double[][] acc = new double[2][settings.accuracySeeds()];
            double[] seconds = new double[2];
            for (int s = 0; s < settings.accuracySeeds(); s++) {
                for (int path = 0; path < 2; path++) {
                    long seed = s + 1;
                    ComputationGraph net = dev.kompakt.evaluator.net.OneDnnHelpers.building(path == 1, () -> subject.build().apply(seed));
                    long t0 = System.nanoTime();
                    Training.fit(net, train, settings.accuracyEpochs(), settings.batch(), PruningMasks.none(), seed);
                    seconds[path] += (System.nanoTime() - t0) / 1e9;
                    acc[path][s] = Training.accuracy(net, test);
                }
            }
            double maxDiff = 0;
            for (int s = 0; s < settings.accuracySeeds(); s++) {
                maxDiff = Math.max(maxDiff, Math.abs(acc[0][s] - acc[1][s]));
            }
            out.printf("| %s | %.4f (%.4f-%.4f) | %.4f (%.4f-%.4f) | %.4f | %.1f | %.1f |%n", subject.name(), mean(acc[0]), min(acc[0]), max(acc[0]),
                    mean(acc[1]), min(acc[1]), max(acc[1]), maxDiff, seconds[0] / settings.accuracySeeds(), seconds[1] / settings.accuracySeeds());
        }
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
