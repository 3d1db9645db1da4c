package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.data.DatasetSource;
import dev.kompakt.evaluator.data.Resize;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Act;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Init;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Plan;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Stage;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Supernet;
import dev.kompakt.strategies.architecture.Families;
import dev.kompakt.strategies.architecture.WeightInheritance;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@code bin/kompakt bench inherit}: does a built candidate learn more per second of training when it starts from its
 * family's trained supernet ({@link WeightInheritance}, Once-for-All) than from random weights? For each family that
 * can inherit, the supernet of {@code bench nas}'s joint space is trained once, then random candidates of that space are
 * trained from scratch and from the supernet's weights with the same seed, data and minibatch order, and their test
 * accuracy is measured after every epoch. Prints the learning curves, the training seconds and the supernet's cost.
 */
public final class InheritBenchmark {
    /** The joint space of {@code bench nas} (NasBenchmark): its largest network per family is the supernet. */
    static final ArchitectureStrategy.Range SPACE = new ArchitectureStrategy.Range(List.of(Family.RESNET, Family.MOBILENET, Family.GHOSTNET),
            1, 2, List.of(0.25, 0.5, 0.75, 1.0), List.of(3, 5, 7), List.of(2, 4, 6), List.of(false, true), List.of(Act.RELU, Act.HARDSWISH),
            List.of(14, 20, 28), null, List.of(Init.SCRATCH, Init.INHERIT), 1);

    /**
     * @param trainSamples   training samples (stratified) of the supernets and candidates
     * @param epochs         epochs per candidate (accuracy measured after each)
     * @param supernetEpochs epochs of each supernet
     * @param candidates     random candidates per family
     */
    public record Settings(int trainSamples, int epochs, int supernetEpochs, int candidates, int batch, double learningRate, long seed) {
    }

    private InheritBenchmark() {
    }

    public static void run(Settings s, DatasetSource.Splits data, PrintStream out) {
        DataSet train = data.train().stratified(s.trainSamples()).toDataSet();
        DataSet test = data.test().stratified(Math.min(2000, data.test().size())).toDataSet();
        int h = data.train().rows();
        int w = data.train().cols();
        out.printf("# bench inherit%n%nData: %s, %d training samples (stratified), %d test samples; batch %d, Adam at %.0e; candidates %d epochs, "
                        + "supernets %d epochs; %d random candidates per family of bench nas's joint space (depth 1-2, widths 0.25-1.0, kernels "
                        + "3/5/7, expansions 2/4/6, SE, ReLU/hard-swish, 14/20/28 px), seed %d; %s%n%n", data.directory(), train.numExamples(),
                test.numExamples(), s.batch(), s.learningRate(), s.epochs(), s.supernetEpochs(), s.candidates(), s.seed(),
                dev.kompakt.evaluator.net.OneDnnHelpers.describe());
        StringBuilder curves = new StringBuilder("| family | candidate | start | " + header(s.epochs()) + " training s |\n|---|---|---|"
                + "---:|".repeat(s.epochs() + 2) + "\n");
        List<String> summary = new ArrayList<>();
        Random random = new Random(s.seed());
        Map<Integer, DataSet[]> atSize = new HashMap<>();
        double[] supernetCost = new double[1];
        for (Family family : SPACE.families()) {
            Map<Act, ComputationGraph> supernets = new HashMap<>();
            StringBuilder supernetAcc = new StringBuilder();
            java.util.function.Function<Act, ComputationGraph> supernetOf = act -> supernets.computeIfAbsent(act, a -> {
                Supernet supernet = new Supernet(SPACE.supernet(family, a).plan(), s.supernetEpochs());
                int r = supernet.plan().inputSize(h, w)[0];
                DataSet[] sd = atSize.computeIfAbsent(r, k -> resized(train, test, data, k));
                ComputationGraph big = NetworkFactory.forTraining(Families.build(supernet.plan(), 1, r, r, 10, s.seed()), s.learningRate(), null,
                        s.seed(), true);
                long t0 = System.nanoTime();
                Training.fit(big, sd[0], s.supernetEpochs(), s.batch(), PruningMasks.none(), s.seed());
                double seconds = (System.nanoTime() - t0) / 1e9;
                double acc = Training.accuracy(big, sd[1]);
                supernetCost[0] += seconds;
                supernetAcc.append(supernetAcc.length() == 0 ? "" : ", ").append(String.format("%s %.4f", a.id(), acc));
                out.printf("%s supernet (%s): %.1f s, test accuracy %.4f, %,d parameters%n", family.id(), supernet.describe().replace(" | ", " / "),
                        seconds, acc, big.numParams());
                return big;
            });
            supernetCost[0] = 0;
            double[][] mean = new double[2][s.epochs() + 1];
            double[] seconds = new double[2];
            for (int c = 0; c < s.candidates(); c++) {
                Plan plan = randomPlan(family, random);
                int cr = plan.inputSize(h, w)[0];
                DataSet[] cd = atSize.computeIfAbsent(cr, k -> resized(train, test, data, k));
                for (int arm = 0; arm < 2; arm++) {
                    long seed = s.seed() * 1000 + c;
                    ComputationGraph net = Families.build(plan, 1, cr, cr, 10, seed);
                    if (arm == 1) {
                        WeightInheritance.inherit(supernetOf.apply(plan.activation()), net);
                    }
                    net = NetworkFactory.forTraining(net, s.learningRate(), null, seed, true);
                    double[] acc = new double[s.epochs() + 1];
                    acc[0] = Training.accuracy(net, cd[1]);
                    double trainSeconds = 0;
                    for (int e = 1; e <= s.epochs(); e++) {
                        long t1 = System.nanoTime();
                        Training.fit(net, cd[0], 1, s.batch(), PruningMasks.none(), seed + e);
                        trainSeconds += (System.nanoTime() - t1) / 1e9;
                        acc[e] = Training.accuracy(net, cd[1]);
                    }
                    for (int e = 0; e <= s.epochs(); e++) {
                        mean[arm][e] += acc[e] / s.candidates();
                    }
                    seconds[arm] += trainSeconds / s.candidates();
                    curves.append(String.format("| %s | %s | %s | %s %.1f |%n", family.id(), plan.describe(), arm == 0 ? "scratch" : "inherit",
                            row(acc), trainSeconds).replace(plan.describe(), plan.describe().replace(" | ", " / ")));
                }
                out.printf("  candidate %d done: %s%n", c + 1, plan.describe().replace(" | ", " / "));
            }
            summary.add(String.format("| %s | scratch | %s %.1f | |%n| %s | inherit | %s %.1f | %.1f (%s) |%n", family.id(), row(mean[0]),
                    seconds[0], family.id(), row(mean[1]), seconds[1], supernetCost[0], supernetAcc));
        }
        out.printf("%n## Mean test accuracy of the candidates after each epoch%n%n| family | start | %s mean training s per candidate | "
                + "supernet s (its accuracy) |%n|---|---|%s---:|---:|%n", header(s.epochs()), "---:|".repeat(s.epochs() + 1));
        summary.forEach(out::print);
        out.printf("%n## Every candidate%n%n%s", curves);
    }

    private static String header(int epochs) {
        StringBuilder b = new StringBuilder("before training |");
        for (int e = 1; e <= epochs; e++) {
            b.append(" epoch ").append(e).append(" |");
        }
        return b.toString();
    }

    private static String row(double[] acc) {
        StringBuilder b = new StringBuilder();
        for (double a : acc) {
            b.append(String.format("%.4f | ", a));
        }
        return b.toString();
    }

    private static DataSet[] resized(DataSet train, DataSet test, DatasetSource.Splits data, int r) {
        int h = data.train().rows();
        int w = data.train().cols();
        if (r == h) {
            return new DataSet[] {train, test};
        }
        return new DataSet[] {new DataSet(Resize.bilinear(train.getFeatures(), 1, h, w, r, r), train.getLabels()),
                new DataSet(Resize.bilinear(test.getFeatures(), 1, h, w, r, r), test.getLabels())};
    }

    /** A random candidate of {@link #SPACE} of {@code family}. */
    static Plan randomPlan(Family family, Random random) {
        List<Stage> stages = new ArrayList<>();
        for (int s = 0; s < ArchitectureStrategy.STAGES; s++) {
            int expansion = family.expands() ? pick(SPACE.expansions(), random) : 1;
            stages.add(new Stage(1 + random.nextInt(2), pick(SPACE.widths(), random), pick(SPACE.kernels(), random), expansion,
                    family.expands() && random.nextBoolean()));
        }
        return new Plan(family, pick(SPACE.activations(), random), stages, pick(SPACE.resolutions(), random), 0);
    }

    private static <T> T pick(List<T> values, Random random) {
        return values.get(random.nextInt(values.size()));
    }
}
