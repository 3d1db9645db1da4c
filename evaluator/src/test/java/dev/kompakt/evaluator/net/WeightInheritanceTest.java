package dev.kompakt.evaluator.net;

import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.EvaluationContext;
import dev.kompakt.evaluator.TestData;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Act;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Init;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Plan;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Stage;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Supernet;
import dev.kompakt.strategies.architecture.Families;
import dev.kompakt.strategies.architecture.WeightInheritance;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Once-for-All weight sharing between built networks of one family ({@link WeightInheritance}). */
class WeightInheritanceTest {
    static Plan supernet(Family f) {
        Stage st = new Stage(2, 1.0, 7, 6, f.expands());
        return new Plan(f, Act.RELU, List.of(st, st, st), 0, 0);
    }

    /** Narrower, shallower, smaller kernels and expansions, SE in one stage only. */
    static Plan small(Family f) {
        return new Plan(f, Act.HARDSWISH, List.of(new Stage(1, 0.5, 3, 2, false), new Stage(2, 0.75, 5, 4, f.expands()),
                new Stage(1, 0.25, 7, 6, false)), 0, 0);
    }

    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"RESNET", "MOBILENET", "GHOSTNET"})
    void theSupernetItselfInheritsEveryWeightExactly(Family f) {
        ComputationGraph big = Families.build(supernet(f), 1, 16, 16, 10, 1);
        ComputationGraph copy = Families.build(supernet(f), 1, 16, 16, 10, 2);
        WeightInheritance.Result r = WeightInheritance.inherit(big, copy);
        assertEquals(big.numParams(), r.params());
        assertEquals(big.params(), copy.params());
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4, 256);
        assertEquals(big.outputSingle(x), copy.outputSingle(x));
    }

    @ParameterizedTest
    @EnumSource(value = Family.class, names = {"RESNET", "MOBILENET", "GHOSTNET"})
    void aSmallerCandidateTakesFirstChannelsFirstBlocksAndKernelCentres(Family f) {
        ComputationGraph big = Families.build(supernet(f), 1, 16, 16, 10, 1);
        ComputationGraph cand = Families.build(small(f), 1, 16, 16, 10, 2);
        WeightInheritance.Result r = WeightInheritance.inherit(big, cand);
        assertEquals(cand.numParams(), r.params(), "every weight of the candidate comes from the supernet");
        // the stem: a 3x3 convolution of 1 channel, first output channels
        INDArray stem = cand.getLayer("stem").getParam("W");
        assertEquals(big.getLayer("stem").getParam("W").get(NDArrayIndex.interval(0, stem.size(0)), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all()), stem);
        // stage 2's second block, kernel 5 of the supernet's 7: the centre
        String layer = f == Family.RESNET ? "s2b2_conv1" : f == Family.MOBILENET ? "s2b2_dw" : "s2b2_ghost1_cheap";
        INDArray w = cand.getLayer(layer).getParam("W");
        INDArray bw = big.getLayer(layer).getParam("W");
        if (f == Family.RESNET) {   // [out, in, k, k]
            assertEquals(bw.get(NDArrayIndex.interval(0, w.size(0)), NDArrayIndex.interval(0, w.size(1)), NDArrayIndex.interval(1, 6),
                    NDArrayIndex.interval(1, 6)), w);
        } else {                    // depthwise [k, k, channels, 1]
            assertEquals(5, w.size(0));
            assertEquals(bw.getDouble(1, 1, 0, 0), w.getDouble(0, 0, 0, 0));
            assertEquals(bw.getDouble(5, 5, 1, 0), w.getDouble(4, 4, 1, 0));
        }
        // the classifier reads the supernet's rows of the candidate's last channels
        INDArray out = cand.getLayer(Families.OUTPUT).getParam("W");
        assertEquals(big.getLayer(Families.OUTPUT).getParam("W").getDouble(0, 3), out.getDouble(0, 3));
    }

    @Test
    void ghostModulesTakeTheSameHalfOfPrimaryAndCheapChannels() {
        ComputationGraph big = Families.build(supernet(Family.GHOSTNET), 1, 16, 16, 10, 1);
        ComputationGraph cand = Families.build(small(Family.GHOSTNET), 1, 16, 16, 10, 2);
        WeightInheritance.inherit(big, cand);
        // s1b1's second ghost module concatenates primary and cheap halves; s2b1's first reads both halves
        INDArray w = cand.getLayer("s2b1_ghost1_primary").getParam("W");   // [out, in = 2h, 1, 1]
        INDArray bw = big.getLayer("s2b1_ghost1_primary").getParam("W");
        long h = w.size(1) / 2;
        long bigH = bw.size(1) / 2;
        assertEquals(bw.getDouble(0, 0, 0, 0), w.getDouble(0, 0, 0, 0));
        assertEquals(bw.getDouble(0, bigH, 0, 0), w.getDouble(0, h, 0, 0), "the first cheap channel of the candidate is the supernet's");
    }

    @Test
    void compoundScaledCandidatesInheritFromTheSupernetAtMaxPhi() {
        ArchitectureStrategy.Range range = new ArchitectureStrategy.Range(List.of(Family.GHOSTNET), 1, 1, List.of(1.0), List.of(3, 5),
                List.of(2, 4), List.of(false, true), List.of(Act.RELU), List.of(), new ArchitectureStrategy.Compound(-1.5, 1.0),
                List.of(Init.INHERIT), 1);
        Plan big = range.supernet(Family.GHOSTNET, Act.RELU).plan();
        ComputationGraph supernet = Families.build(big, 1, 12, 12, 10, 1);
        for (double phi : new double[] {-1.5, -0.4, 0.3, 1.0}) {
            List<Stage> stages = new java.util.ArrayList<>();
            for (int s = 0; s < ArchitectureStrategy.STAGES; s++) {
                stages.add(new Stage(Math.max(1, (int) Math.round(Families.baseDepth(s) * Math.pow(ArchitectureStrategy.ALPHA, phi))),
                        Math.pow(ArchitectureStrategy.BETA, phi), 3, 2, s == 1));
            }
            ComputationGraph candidate = Families.build(new Plan(Family.GHOSTNET, Act.RELU, stages, 0, phi), 1, 12, 12, 10, 2);
            assertEquals(candidate.numParams(), WeightInheritance.inherit(supernet, candidate).params(), "phi " + phi);
        }
    }

    @Test
    void refusesCandidatesTheSupernetDoesNotContain() {
        ComputationGraph big = Families.build(small(Family.RESNET), 1, 16, 16, 10, 1);
        ComputationGraph wider = Families.build(supernet(Family.RESNET), 1, 16, 16, 10, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> WeightInheritance.inherit(big, wider));
        assertTrue(e.getMessage().startsWith("cannot inherit weights"), e.getMessage());
        IllegalArgumentException shuffle = assertThrows(IllegalArgumentException.class, () -> new Plan(Family.SHUFFLENET, Act.RELU,
                small(Family.RESNET).stages(), 0, 0, Init.INHERIT, null));
        assertTrue(shuffle.getMessage().contains("not shufflenet"), shuffle.getMessage());
    }

    @Test
    void aCandidateStartsFromTheTrainedSupernetOncePerJvm() {
        SampleSet train = TestData.bundled().train().stratified(600);
        SampleSet test = TestData.bundled().test().stratified(300);
        ComputationGraph teacher = NetworkFactory.build(new Architecture(Architecture.Family.CNN, 0.5), 28, 28, 10, 3, 3e-3, null);
        Training.fit(teacher, Tensors.toDataSet(train), 1, 32, PruningMasks.none(), 3);
        EvaluationContext context = new EvaluationContext(teacher, train, test, 0.5, 1, List.of());
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(0, 1));
        ArchitectureStrategy.Range range = new ArchitectureStrategy.Range(List.of(Family.MOBILENET), 1, 1, List.of(0.5, 1.0), List.of(3),
                List.of(2), List.of(false), List.of(Act.RELU), List.of(16), null, List.of(Init.SCRATCH, Init.INHERIT), 2);
        Supernet from = range.supernet(Family.MOBILENET, Act.RELU);
        assertEquals("mobilenet relu 16px: s1 1x16 k3 e2 | s2 1x24 k3 e2 | s3 1x40 k3 e2, 2 epochs", from.describe());
        Plan candidate = new Plan(Family.MOBILENET, Act.RELU, List.of(new Stage(1, 0.5, 3, 2, false), new Stage(1, 0.5, 3, 2, false),
                new Stage(1, 0.5, 3, 2, false)), 16, 0, Init.INHERIT, null);
        TrainingBudget budget = new TrainingBudget(0, 1, 32, 1e-3, 3e-3, 600);
        Map<String, Double> first = evaluator.evaluate(new CompressionPlan(null, null, null, null, null, null).with(range.withSupernet(candidate)),
                budget, 11);
        Map<String, Double> second = evaluator.evaluate(new CompressionPlan(null, null, null, null, null, null).with(range.withSupernet(candidate)),
                budget, 11);
        assertTrue(first.get("supernet_seconds") > 0, first.toString());
        assertTrue(second.get("supernet_seconds") < 0.1, "the supernet is trained once per JVM: " + second);
        assertEquals(first.get("accuracy"), second.get("accuracy"), "same plan and seed, same candidate");
        Map<String, Double> scratch = evaluator.evaluate(new CompressionPlan(null, null, null, null, null, null).with(
                new Plan(candidate.family(), candidate.activation(), candidate.stages(), 16, 0)), budget, 11);
        System.out.printf("mobilenet 0.5x at 16px after 1 epoch on 600 samples: scratch %.3f, inherited from a 2-epoch supernet %.3f%n",
                scratch.get("accuracy"), first.get("accuracy"));
        IllegalStateException noSupernet = assertThrows(IllegalStateException.class, () -> evaluator.evaluate(
                new CompressionPlan(null, null, null, null, null, null).with(candidate), budget, 11));
        assertTrue(noSupernet.getMessage().contains("names no supernet"), noSupernet.getMessage());
    }
}
