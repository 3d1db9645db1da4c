package dev.kompakt.evaluator;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.data.ImageDataset;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.ChannelInheritance;
import dev.kompakt.strategies.CompressionPlan;
import dev.kompakt.strategies.PruningMasks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CandidateEvaluatorTest {
    static EvaluationContext context;
    static double baselineAccuracy;

    @BeforeAll
    static void trainBaseline() {
        ImageDataset train = TestData.bundled().train().stratified(1000);
        ImageDataset test = TestData.bundled().test().stratified(500);
        Architecture arch = new Architecture(Architecture.Family.CNN, 1.0);
        MultiLayerNetwork baseline = NetworkFactory.build(arch, 28, 28, 10, 7, 3e-3, null);
        Training.fit(baseline, Tensors.toDataSet(train), 2, 32, PruningMasks.none(), 7);
        baselineAccuracy = Training.accuracy(baseline, Tensors.toDataSet(test));
        long size = CostModel.totalStorageBytes(CostModel.of(baseline, NetworkFactory.inputType(arch, 28, 28), Map.of()));
        context = new EvaluationContext(arch, baseline, train, test, baselineAccuracy, size,
                List.of(ProfileRegistry.builtIn().get("rpi4")));
    }

    @Test
    void baselineLearnsSomething() {
        assertTrue(baselineAccuracy > 0.6, "baseline accuracy " + baselineAccuracy);
    }

    @Test
    void identityPlanReproducesTheBaseline() {
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(5, 20))
                .evaluate(CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 3e-3, 1000), 1);
        assertEquals(baselineAccuracy, m.get("accuracy"), 1e-9);
        assertEquals(1.0, m.get("compression_ratio"), 1e-9);
        assertEquals(0.0, m.get("sparsity"), 1e-9);
        assertEquals(0.0, m.get("onnx_int8"));
        assertEquals(1.0, m.get("onnx_top1_agreement"), 1e-9, "float32 ONNX export agrees with DL4J on every test image");
    }

    @Test
    void prunedQuantizedDistilledCandidateIsSmallerAndStillAccurate() {
        CompressionPlan plan = new CompressionPlan(1.0, true, 0.6, 4, true, 4.0, 0.5);
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(5, 20))
                .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
        assertEquals(0.6, m.get("sparsity"), 0.01, "sparsity within 1% of target");
        assertTrue(m.get("compression_ratio") > 8, "4-bit + 60% sparse should be > 8x smaller: " + m);
        assertTrue(m.get("accuracy") > baselineAccuracy - 0.1, "accuracy " + m.get("accuracy") + " vs " + baselineAccuracy);
        assertTrue(m.get("latency_ms@host") > 0);
        assertTrue(m.get("latency_ms@rpi4") > 0 && m.get("energy_mj@rpi4") > 0);
        assertEquals(1.0, m.get("onnx_int8"), "4-bit weights are exported as an INT8 ONNX model");
        assertTrue(m.get("onnx_top1_agreement") >= 0.95, "INT8 ONNX agrees with DL4J: " + m.get("onnx_top1_agreement"));
    }

    @Test
    void fullWidthInheritanceCopiesTheNetworkExactly() {
        MultiLayerNetwork teacher = context.teacherCopy();
        MultiLayerNetwork copy = NetworkFactory.build(context.architecture(), 28, 28, 10, 99, 1e-3, null);
        ChannelInheritance.copyStrongestChannels(teacher, copy);
        assertEquals(teacher.params(), copy.params());
    }

    @Test
    void inheritedStudentStartsFarAboveChance() {
        MultiLayerNetwork narrow = NetworkFactory.build(context.architecture().withWidth(0.75), 28, 28, 10, 99, 1e-3, null);
        double fresh = Training.accuracy(narrow, context.test());
        ChannelInheritance.copyStrongestChannels(context.teacherCopy(), narrow);
        double inherited = Training.accuracy(narrow, context.test());
        assertTrue(inherited > fresh + 0.1 && inherited > 0.3, "inherited " + inherited + " vs fresh " + fresh);
    }

    @Test
    void gradualPruningReachesItsTargetSparsity() {
        CompressionPlan plan = new CompressionPlan(1.0, true, "l1", 0.8, CompressionPlan.AGP, 32, false, 1.0, 0.0);
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(5, 20))
                .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
        assertEquals(0.8, m.get("sparsity"), 0.01, "AGP ends at the target sparsity");
        assertTrue(m.get("accuracy") > baselineAccuracy - 0.15, m.toString());
    }

    @Test
    void everyCriterionBuildsAWorkingStudent() {
        for (String criterion : new String[] {"l1", "l2", "taylor", "random"}) {
            CompressionPlan plan = new CompressionPlan(0.5, true, criterion, 0.0, CompressionPlan.ONESHOT, 32, false, 1.0, 0.0);
            Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(2, 5))
                    .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
            assertTrue(m.get("accuracy") > 0.3, criterion + ": " + m);
        }
    }

    @Test
    void narrowStudentHasFewerParameters() {
        CompressionPlan plan = new CompressionPlan(0.5, false, 0.0, 32, false, 1.0, 0.5);
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(5, 20))
                .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
        assertTrue(m.get("compression_ratio") > 2.5, m.toString());
        assertTrue(m.get("accuracy") > 0.3, m.toString());
    }

    @Test
    void quantizationAwarePlanBeatsPostTrainingQuantizationAtTwoBits() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        TrainingBudget budget = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000);
        CompressionPlan ptq = new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 2, false, false, 1.0, 0.0);
        CompressionPlan qat = new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 2, true, false, 1.0, 0.0);
        CandidateEvaluator.Candidate p = evaluator.build(ptq, budget, 1);
        CandidateEvaluator.Candidate q = evaluator.build(qat, budget, 1);
        double ptqAccuracy = Training.accuracy(p.network(), context.test());
        double qatAccuracy = Training.accuracy(q.network(), context.test());
        assertTrue(qatAccuracy > ptqAccuracy, "QAT " + qatAccuracy + " vs PTQ " + ptqAccuracy);
        assertEquals(p.weightBits(), q.weightBits(), "the same layers are quantized to the same bits");
        for (dev.kompakt.strategies.WeightTensors.Target t : dev.kompakt.strategies.WeightTensors.of(q.network())) {
            for (float[] channel : Weights.channels(t.weights(), t.convolution())) {
                assertTrue(java.util.stream.IntStream.range(0, channel.length).mapToObj(i -> channel[i] == 0f ? 0f : channel[i]).distinct().count() <= 3,
                        t.layerName() + ": at most 3 values per channel at 2 bits");
            }
        }
        assertEquals(q.network().params(), evaluator.build(qat, budget, 1).network().params(), "deterministic for a plan, budget and seed");
    }

    @Test
    void everyDistillationKindBuildsAndEvaluatesAStudent() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        TrainingBudget budget = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 500);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = new java.util.LinkedHashMap<>();
        for (String kind : CompressionPlan.DISTILL_KINDS) {
            CompressionPlan plan = new CompressionPlan(0.5, true, "l1", 0.3, CompressionPlan.ONESHOT, 8, false, true, 4.0, 0.5, kind);
            Map<String, Double> m = evaluator.evaluate(plan, budget, 1);
            assertTrue(m.get("accuracy") > 0.3, kind + ": " + m);
            assertEquals(0.3, m.get("sparsity"), 0.01, kind + ": pruned weights stay pruned through every stage");
            assertTrue(m.get("compression_ratio") > 2.5, kind + ": " + m);
            params.put(kind, evaluator.build(plan, budget, 1).network().params());
        }
        assertNotEquals(params.get("response"), params.get("feature"), "hint training changes the student");
        assertNotEquals(params.get("response"), params.get("relation"), "the RKD terms change the student");
        CompressionPlan feature = new CompressionPlan(0.5, true, "l1", 0.0, CompressionPlan.ONESHOT, 32, false, true, 4.0, 0.0,
                CompressionPlan.FEATURE);
        assertEquals(evaluator.build(feature, budget, 2).network().params(), evaluator.build(feature, budget, 2).network().params(),
                "deterministic for a plan, budget and seed");
    }
}
