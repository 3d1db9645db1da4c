package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.pruning.GraphChannelPruning;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.pruning.Regularization;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regularised fine-tuning (proximal L1 and group-lasso steps after every optimiser step) of a small MLP
 * (LeNet-300-100 at width 0.25: 75 and 25 hidden units) on 400 images of the bundled Fashion-MNIST subset, 26 steps
 * at learning rate 3e-3.
 */
class RegularizedTrainingTest {
    static SampleSet trainImages;
    static DataSet train;
    static ComputationGraph baseline;

    @BeforeAll
    static void trainBaseline() {
        trainImages = TestData.bundled().train().stratified(400);
        train = Tensors.toDataSet(trainImages);
        baseline = NetworkFactory.build(new Architecture(Architecture.Family.MLP, 0.25), 28, 28, 10, 3, 3e-3, null);
        Training.fit(baseline, train, 2, 32, PruningMasks.none(), 3);
    }

    static ComputationGraph tuned(Regularization r) {
        ComputationGraph net = baseline.clone();
        Training.fit(net, train, 2, 32, PruningMasks.none(), 5, Training.Options.none().withRegularization(r));
        return net;
    }

    /** All-zero output channels (units) of the hidden layers. */
    static int zeroChannels(ComputationGraph net) {
        List<WeightTensors.Target> ts = WeightTensors.of(net);
        int zeros = 0;
        for (WeightTensors.Target t : ts.subList(0, ts.size() - 1)) {
            for (double s : ImportanceCriterion.l1().scores(t.weights(), t.channelAxis(), null)) {
                zeros += s == 0 ? 1 : 0;
            }
        }
        return zeros;
    }

    /** Exact zero weights in the hidden layers. */
    static long zeroWeights(ComputationGraph net) {
        List<WeightTensors.Target> ts = WeightTensors.of(net);
        long zeros = 0;
        for (WeightTensors.Target t : ts.subList(0, ts.size() - 1)) {
            zeros += t.weights().length() - t.weights().neq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64).sumNumber().longValue();
        }
        return zeros;
    }

    @Test
    void groupLassoZeroesWholeUnitsAndMoreOfThemAsLambdaGrows() {
        int[] counts = new int[3];
        double[] lambdas = {3, 18, 21};
        for (int k = 0; k < lambdas.length; k++) {
            ComputationGraph net = tuned(Regularization.groupLasso(lambdas[k]));
            counts[k] = zeroChannels(net);
            if (counts[k] > 0) {
                // the zeros are whole units: as many zero weights as the zeroed units hold (fc1 units have 784 inputs, fc2 75)
                List<WeightTensors.Target> ts = WeightTensors.of(net);
                long structured = 0;
                for (WeightTensors.Target t : ts.subList(0, ts.size() - 1)) {
                    long fanIn = t.weights().length() / t.outputChannels();
                    for (double s : ImportanceCriterion.l1().scores(t.weights(), t.channelAxis(), null)) {
                        structured += s == 0 ? fanIn : 0;
                    }
                }
                assertEquals(structured, zeroWeights(net), "lambda " + lambdas[k] + ": no zeros outside zeroed units");
            }
            // the output layer's classes are never zeroed
            assertTrue(WeightTensors.of(net).get(2).weights().neq(0.0).castTo(org.nd4j.linalg.api.buffer.DataType.INT64)
                    .sumNumber().longValue() > 0);
        }
        System.out.println("group lasso, all-zero hidden units of 100 at lambda 3, 18, 21: " + java.util.Arrays.toString(counts));
        assertEquals(0, zeroChannels(tuned(Regularization.none())));
        assertTrue(counts[0] <= counts[1] && counts[1] < counts[2], java.util.Arrays.toString(counts));
        assertTrue(counts[1] > 0, java.util.Arrays.toString(counts));
    }

    @Test
    void l1RaisesTheFractionOfExactZeros() {
        double none = MagnitudePruner.sparsity(tuned(Regularization.none()));
        double weak = MagnitudePruner.sparsity(tuned(Regularization.l1(0.1)));
        double strong = MagnitudePruner.sparsity(tuned(Regularization.l1(0.3)));
        System.out.printf("L1: exact zeros %.4f (none), %.4f (lambda 0.1), %.4f (lambda 0.3)%n", none, weak, strong);
        assertEquals(0.0, none);
        assertTrue(weak > 0.02 && strong > weak + 0.05, none + " " + weak + " " + strong);
    }

    @Test
    void regularizedTrainingIsDeterministicAndNoneIsTheOldTraining() {
        assertEquals(tuned(Regularization.groupLasso(18)).params(), tuned(Regularization.groupLasso(18)).params());
        assertEquals(tuned(Regularization.l1(0.3)).params(), tuned(Regularization.l1(0.3)).params());
        ComputationGraph old = baseline.clone();
        Training.fit(old, train, 2, 32, PruningMasks.none(), 5);
        assertEquals(old.params(), tuned(Regularization.none()).params());
    }

    @Test
    void quantizationAwareTrainingRegularizesTheMasterWeights() {
        ComputationGraph net = baseline.clone();
        Training.fit(net, train, 1, 32, PruningMasks.none(), 5, Training.Options.none().withFakeQuantizer(new WeightQuantizer(4))
                .withRegularization(Regularization.l1(0.5)));
        assertTrue(MagnitudePruner.sparsity(net) > 0.1, "master weights soft-thresholded: " + MagnitudePruner.sparsity(net));
    }

    @Test
    void candidatesTrainWithThePlannedRegularization() {
        EvaluationContext context = new EvaluationContext(baseline, trainImages,
                TestData.bundled().test().stratified(100), 0.5, 1000, List.of(ProfileRegistry.builtIn().get("rpi4")));
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new dev.kompakt.evaluator.hardware.LatencyProbe(1, 1));
        TrainingBudget budget = new TrainingBudget(2, 1, 32, 3e-3, 3e-3, 400);
        CompressionPlan plain = CompressionPlan.identity();
        ComputationGraph none = evaluator.build(plain, budget, 5).network();
        ComputationGraph gl = evaluator.build(plain.with(new RegularizationStrategy.Plan(RegularizationStrategy.Kind.GROUP_LASSO, 21)), budget, 5).network();
        ComputationGraph l1 = evaluator.build(plain.with(new RegularizationStrategy.Plan(RegularizationStrategy.Kind.L1, 0.3)), budget, 5).network();
        assertEquals(0, zeroChannels(none));
        assertTrue(zeroChannels(gl) > 0, "group lasso zeroed units: " + zeroChannels(gl));
        assertTrue(MagnitudePruner.sparsity(l1) > 0.05, "l1 zeros: " + MagnitudePruner.sparsity(l1));
        assertEquals(gl.params(), evaluator.build(plain.with(new RegularizationStrategy.Plan(RegularizationStrategy.Kind.GROUP_LASSO, 21)), budget, 5).network().params());
        // with pruning masks too: the pruned weights stay zero, and regularisation adds zeros of its own (the kept weights are
        // the larger half, so it takes a larger lambda)
        CompressionPlan pruned = CompressionPlan.identity().with(new PruningStrategy.Plan(0.5, null, null));
        double prunedOnly = MagnitudePruner.sparsity(evaluator.build(pruned, budget, 5).network());
        double prunedL1 = MagnitudePruner.sparsity(evaluator.build(pruned.with(new RegularizationStrategy.Plan(RegularizationStrategy.Kind.L1, 1.0)), budget, 5).network());
        assertEquals(0.5, prunedOnly, 0.01);
        assertTrue(prunedL1 > prunedOnly + 0.02, prunedOnly + " vs " + prunedL1);
        assertNotEquals(none.params(), l1.params());
    }

    @Test
    void groupLassoThenStructuredShrinkingDropsTheZeroedUnitsFirst() {
        ComputationGraph wide = tuned(Regularization.groupLasso(21));
        int zeroFc2 = 0;
        for (double s : ImportanceCriterion.l1().scores(wide.getLayer("fc2").getParam("W"), 1, null)) {
            zeroFc2 += s == 0 ? 1 : 0;
        }
        // half width (the family at 0.125) keeps 38 of 75 fc1 units and 13 of 25 fc2 units: none of the kept ones is a zeroed
        // unit when enough survive
        ComputationGraph narrow = GraphChannelPruning.prune(wide, GraphChannelPruning.select(wide, 0.5, ImportanceCriterion.l1(), Map.of()));
        double[] keptFc2 = ImportanceCriterion.l1().scores(narrow.getLayer("fc2").getParam("W"), 1, null);
        int zeroKept = 0;
        for (double s : keptFc2) {
            zeroKept += s == 0 ? 1 : 0;
        }
        assertEquals(Math.max(0, keptFc2.length - (25 - zeroFc2)), zeroKept, "zeroed fc2 units are kept only when too few others remain");
        assertArrayEquals(new long[] {38, 13}, narrow.getLayer("fc2").getParam("W").shape());
    }
}
