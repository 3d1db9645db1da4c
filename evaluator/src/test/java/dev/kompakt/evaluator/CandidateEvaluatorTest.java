package dev.kompakt.evaluator;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import dev.kompakt.strategies.pruning.GraphChannelPruning;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
        context = TestData.smallCnnContext();
        baselineAccuracy = context.baselineAccuracy();
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
        CompressionPlan plan = CompressionPlan.identity().with(new PruningStrategy.Plan(0.6, null, null)).with(QuantizationStrategy.Plan.weights(4))
                .with(DistillationStrategy.Plan.of(DistillationStrategy.Kind.RESPONSE, 4.0, 0.5));
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(5, 20))
                .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
        assertEquals(0.6, m.get("sparsity"), 0.01, "sparsity within 1% of target");
        assertTrue(m.get("compression_ratio") > 8, "4-bit + 60% sparse should be > 8x smaller: " + m);
        assertTrue(m.get("accuracy") > baselineAccuracy - 0.1, "accuracy " + m.get("accuracy") + " vs " + baselineAccuracy);
        assertTrue(m.get("latency_ms@host") > 0);
        assertTrue(m.get("latency_ms@rpi4") > 0 && m.get("energy_mj@rpi4") > 0);
        assertEquals(1.0, m.get("onnx_int8"), "4-bit weights are exported as an INT8 ONNX model");
        assertTrue(m.get("onnx_top1_agreement") >= 0.95, "INT8 ONNX agrees with DL4J: " + m.get("onnx_top1_agreement"));
        // every reported name is in the metric registry (which spec validation, the report and `kompakt metrics` read)
        for (String name : m.keySet()) {
            assertTrue(Metrics.unitOf(name).isPresent(), "metric '" + name + "' is not in the registry");
        }
        assertTrue(Metrics.of("latency_ms@rpi4").orElseThrow().perDevice());
        assertTrue(Metrics.of("accuracy@rpi4").isEmpty(), "accuracy is not per device");
    }

    @Test
    void fullWidthInheritanceCopiesTheNetworkExactly() {
        ComputationGraph teacher = context.teacherCopy();
        ComputationGraph full = GraphChannelPruning.prune(teacher, GraphChannelPruning.select(teacher, 1.0, ImportanceCriterion.l1(), Map.of()));
        assertEquals(teacher.params(), full.params(), "keeping every channel keeps every parameter in place");
        ComputationGraph copy = NetworkFactory.forTraining(full, 1e-3, null, 99, true);
        assertEquals(teacher.params(), copy.params(), "the training copy inherits them all");
    }

    @Test
    void inheritedStudentStartsFarAboveChance() {
        // the student path: the teacher's channel groups narrowed to 3/4 by L1 norm, or the same topology freshly initialised
        ComputationGraph teacher = context.teacherCopy();
        ComputationGraph narrow = GraphChannelPruning.prune(teacher, GraphChannelPruning.select(teacher, 0.75, ImportanceCriterion.l1(), Map.of()));
        assertEquals(List.of(6L, 12L, 48L), List.of(narrow.getLayer("conv1").getParam("W").size(0), narrow.getLayer("conv2").getParam("W").size(0),
                narrow.getLayer("fc1").getParam("W").size(1)), "3/4 of 8 filters, 16 filters and 64 units");
        double fresh = Training.accuracy(NetworkFactory.forTraining(narrow, 1e-3, null, 99, false), context.test());
        double inherited = Training.accuracy(NetworkFactory.forTraining(narrow, 1e-3, null, 99, true), context.test());
        assertTrue(inherited > fresh + 0.1 && inherited > 0.3, "inherited " + inherited + " vs fresh " + fresh);
    }

    @Test
    void gradualPruningReachesItsTargetSparsity() {
        CompressionPlan plan = CompressionPlan.identity().with(new PruningStrategy.Plan(0.8, PruningStrategy.Schedule.AGP, null));
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(5, 20))
                .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
        assertEquals(0.8, m.get("sparsity"), 0.01, "AGP ends at the target sparsity");
        assertTrue(m.get("accuracy") > baselineAccuracy - 0.15, m.toString());
    }

    @Test
    void everyCriterionBuildsAWorkingStudent() {
        for (String criterion : new String[] {"l1", "l2", "taylor", "random"}) {
            CompressionPlan plan = CompressionPlan.identity().with(new StudentStrategy.Plan(0.5, StudentStrategy.Init.INHERIT,
                    Option.parse(StudentStrategy.Criterion.class, criterion)));
            Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(2, 5))
                    .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
            assertTrue(m.get("accuracy") > 0.3, criterion + ": " + m);
        }
    }

    @Test
    void narrowStudentHasFewerParameters() {
        CompressionPlan plan = CompressionPlan.identity().with(new StudentStrategy.Plan(0.5, StudentStrategy.Init.SCRATCH, null));
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(5, 20))
                .evaluate(plan, new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000), 1);
        assertTrue(m.get("compression_ratio") > 2.5, m.toString());
        assertTrue(m.get("accuracy") > 0.3, m.toString());
    }

    @Test
    void quantizationAwarePlanBeatsPostTrainingQuantizationAtTwoBits() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        TrainingBudget budget = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000);
        CompressionPlan ptq = CompressionPlan.identity().with(QuantizationStrategy.Plan.weights(2));
        CompressionPlan qat = CompressionPlan.identity().with(new QuantizationStrategy.Plan(2, Map.of(), true, null, false, 32));
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

    private static final TrainingBudget SHORT = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 300);

    private static long distinct(float[] channel) {
        return java.util.stream.IntStream.range(0, channel.length).mapToObj(i -> channel[i] == 0f ? 0f : channel[i]).distinct().count();
    }

    @Test
    void weightLayersNameTheFactorysLayers() {
        for (Architecture.Family f : Architecture.Family.values()) {
            ComputationGraph net = NetworkFactory.build(new Architecture(f, 0.5), 28, 28, 10, 1, 1e-3, null);
            assertEquals(NetworkFactory.weightLayers(f),
                    dev.kompakt.strategies.WeightTensors.of(net).stream().map(dev.kompakt.strategies.WeightTensors.Target::layerName).toList());
        }
    }

    @Test
    void mixedPrecisionCandidateQuantizesEachLayerAtItsOwnBitsAndCountsThem() {
        Map<String, Integer> layerBits = new java.util.LinkedHashMap<>();
        layerBits.put("conv1", 8);
        layerBits.put("conv2", 4);
        layerBits.put("fc1", 2);
        layerBits.put("out", 6);
        CompressionPlan plan = CompressionPlan.identity().with(new QuantizationStrategy.Plan(8, layerBits, true, null, false, 32));
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        CandidateEvaluator.Candidate c = evaluator.build(plan, SHORT, 1);
        Map<String, Integer> expected = new java.util.HashMap<>();
        for (dev.kompakt.strategies.WeightTensors.Target t : dev.kompakt.strategies.WeightTensors.of(c.network())) {
            int b = layerBits.get(t.layerName());
            expected.put(t.layer(), b);
            long most = 0;
            for (float[] channel : Weights.channels(t.weights(), t.convolution())) {
                most = Math.max(most, distinct(channel));
            }
            assertTrue(most <= (1L << b) - 1, t.layerName() + ": at most 2^" + b + " - 1 values per channel, got " + most);
            assertTrue(most > (1L << (b - 1)) - 1 || b == 8, t.layerName() + ": uses more levels than " + (b - 1) + " bits would: " + most);
        }
        assertEquals(expected, c.weightBits(), "the bits of each quantized layer");
        assertTrue(c.int8(), "every layer at 8 bits or fewer: INT8 deployment");

        // size accounting counts each layer's own bits
        List<dev.kompakt.evaluator.cost.LayerCost> costs = GraphCostModel.of(c.network(), context.inputType(), c.weightBits());
        for (dev.kompakt.evaluator.cost.LayerCost cost : costs) {
            assertEquals(expected.getOrDefault(cost.name(), 32), cost.weightBits(), cost.name());
        }
        // each layer is stored as the same network at that layer's bits everywhere would store it
        long mixedSize = CostModel.totalStorageBytes(costs);
        Map<Integer, Long> sizeAtBits = new java.util.HashMap<>();
        for (int b : List.of(2, 4, 6, 8)) {
            Map<String, Integer> uniform = new java.util.HashMap<>();
            expected.keySet().forEach(layer -> uniform.put(layer, b));
            List<dev.kompakt.evaluator.cost.LayerCost> at = GraphCostModel.of(c.network(), context.inputType(), uniform);
            sizeAtBits.put(b, CostModel.totalStorageBytes(at));
            for (dev.kompakt.evaluator.cost.LayerCost cost : at) {
                if (expected.getOrDefault(cost.name(), 0) == b) {
                    assertEquals(cost.storageBytes(), costs.get(cost.index()).storageBytes(), cost.name() + " stored at " + b + " bits");
                }
            }
        }
        assertTrue(sizeAtBits.get(2) < mixedSize && mixedSize < sizeAtBits.get(8), "mixed " + mixedSize + " between " + sizeAtBits);

        Map<String, Double> m = evaluator.evaluate(plan, SHORT, 1);
        assertEquals((double) mixedSize, m.get("size_bytes"), "the candidate's size is its per-layer size");
        assertEquals(1.0, m.get("onnx_int8"));
        assertTrue(m.get("onnx_top1_agreement") >= 0.95, "INT8 ONNX of a mixed-precision model agrees with DL4J: " + m);
    }

    @Test
    void mixedPrecisionWithAFloatLayerLeavesItFloatAndExportsFloat() {
        Map<String, Integer> layerBits = Map.of("conv1", 32, "conv2", 4, "fc1", 4, "out", 32);
        CompressionPlan plan = CompressionPlan.identity().with(new QuantizationStrategy.Plan(32, layerBits, false, null, false, 32));
        CandidateEvaluator.Candidate c = new CandidateEvaluator(context, new LatencyProbe(2, 5))
                .build(plan, new TrainingBudget(0, 1, 32, 1e-3, 3e-3, 300), 1);
        assertEquals(Map.of("conv2", 4, "fc1", 4), c.weightBits(), "only conv2 and fc1 are quantized");
        assertTrue(!c.int8(), "a float layer keeps the export float32");
        assertTrue(distinct(Weights.channels(c.network().getLayer("out").getParam("W"), false)[0]) > 15, "out stays float");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new CandidateEvaluator(context, new LatencyProbe(2, 5)).build(CompressionPlan.identity()
                        .with(new QuantizationStrategy.Plan(8, Map.of("fc2", 8), false, null, false, 32)), SHORT, 1));
        assertTrue(e.getMessage().contains("layer 'fc2'"), e.getMessage());
    }

    @Test
    void sensitivityAllocationReachesTheTargetWithNonUniformLayers() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        // the candidate's analysis scores on the budget's training samples (the first 300)
        org.nd4j.linalg.dataset.DataSet first300 = new org.nd4j.linalg.dataset.DataSet(
                context.train().getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 300), org.nd4j.linalg.indexing.NDArrayIndex.all()),
                context.train().getLabels().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 300), org.nd4j.linalg.indexing.NDArrayIndex.all()));
        Map<String, Double> allocated = PruningStrategy.sensitivityAllocation(context.teacherCopy(), 0.7, n -> Training.accuracy(n, first300));
        List<dev.kompakt.strategies.WeightTensors.Target> targets = dev.kompakt.strategies.WeightTensors.of(context.teacherCopy());

        Map<String, Double> m = evaluator.evaluate(CompressionPlan.identity().with(new PruningStrategy.Plan(0.7, null,
                PruningStrategy.Allocation.SENSITIVITY)), SHORT, 1);
        assertEquals(0.7, m.get("sparsity"), 0.01, "oneshot: global sparsity within 1%");
        double spread = 0;
        for (dev.kompakt.strategies.WeightTensors.Target t : targets) {
            Double reached = m.get("sparsity." + t.layerName());
            assertEquals(allocated.get(t.id()), reached, 0.01, "oneshot " + t.layerName() + " reaches its share (recorded per layer)");
            spread = Math.max(spread, Math.abs(reached - 0.7));
        }
        assertTrue(spread > 0.05, "not uniform: " + allocated);

        CandidateEvaluator.Candidate agp = evaluator.build(CompressionPlan.identity().with(new PruningStrategy.Plan(0.7, PruningStrategy.Schedule.AGP,
                PruningStrategy.Allocation.SENSITIVITY)), SHORT, 1);
        assertEquals(0.7, dev.kompakt.strategies.pruning.MagnitudePruner.sparsity(agp.network()), 0.01, "agp: global sparsity within 1%");
        Map<String, Double> layers = dev.kompakt.strategies.pruning.MagnitudePruner.layerSparsity(agp.network());
        for (dev.kompakt.strategies.WeightTensors.Target t : targets) {
            assertEquals(allocated.get(t.id()), layers.get(t.layerName()), 0.01, "agp " + t.layerName() + " ends at its share");
        }
    }

    @Test
    void everyDistillationKindBuildsAndEvaluatesAStudent() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        TrainingBudget budget = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 500);
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> params = new java.util.LinkedHashMap<>();
        for (DistillationStrategy.Kind k : DistillationStrategy.Kind.values()) {
            String kind = k.id();
            CompressionPlan plan = CompressionPlan.identity().with(new StudentStrategy.Plan(0.5, null, null))
                    .with(new PruningStrategy.Plan(0.3, null, null)).with(QuantizationStrategy.Plan.weights(8))
                    .with(DistillationStrategy.Plan.of(k, 4.0, 0.5));
            Map<String, Double> m = evaluator.evaluate(plan, budget, 1);
            assertTrue(m.get("accuracy") > 0.3, kind + ": " + m);
            assertEquals(0.3, m.get("sparsity"), 0.01, kind + ": pruned weights stay pruned through every stage");
            assertTrue(m.get("compression_ratio") > 2.5, kind + ": " + m);
            params.put(kind, evaluator.build(plan, budget, 1).network().params());
        }
        assertNotEquals(params.get("response"), params.get("feature"), "hint training changes the student");
        assertNotEquals(params.get("response"), params.get("relation"), "the RKD terms change the student");
        CompressionPlan feature = CompressionPlan.identity().with(new StudentStrategy.Plan(0.5, null, null))
                .with(DistillationStrategy.Plan.of(DistillationStrategy.Kind.FEATURE, 4.0, 0.0));
        assertEquals(evaluator.build(feature, budget, 2).network().params(), evaluator.build(feature, budget, 2).network().params(),
                "deterministic for a plan, budget and seed");
    }
}
