package dev.kompakt.evaluator;

import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import dev.kompakt.strategies.QuantizedActivation;
import dev.kompakt.strategies.quantization.ActivationQuantizer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The candidate evaluator applies the plan's calibration, bias correction and activation bits, and records them. */
class QuantizationOptionsEvaluatorTest {
    static EvaluationContext context;
    static double baselineAccuracy;
    static final TrainingBudget BUDGET = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 1000);

    @BeforeAll
    static void trainBaseline() {
        context = TestData.smallCnnContext();
        baselineAccuracy = context.baselineAccuracy();
    }

    private static CompressionPlan int8() {
        return CompressionPlan.identity().with(QuantizationStrategy.Plan.weights(8));
    }

    @Test
    void mseCalibrationBiasCorrectionAndEightBitActivationsAreAppliedAndRecorded() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        CompressionPlan plan = CompressionPlan.identity().with(new QuantizationStrategy.Plan(8, Map.of(), false, QuantizationStrategy.CalibrationMethod.MSE, true, 8));
        Map<String, Double> m = evaluator.evaluate(plan, BUDGET, 1);
        Map<String, Double> plain = evaluator.evaluate(int8(), BUDGET, 1);
        System.out.println("int8 weights, mse + bias correction + 8-bit activations: " + m);
        System.out.println("int8 weights, defaults: " + plain);
        assertEquals(8.0, m.get("activation_bits"));
        assertEquals(1.0, m.get("bias_correction"));
        assertTrue(m.get("bias_shift_max") > 0, "some bias moved: " + m.get("bias_shift_max"));
        assertEquals(1.0, m.get("calibration.mse"));
        for (String key : List.of("activation_bits", "bias_correction", "bias_shift_max", "calibration.mse", "calibration.minmax")) {
            assertFalse(plain.containsKey(key), "a default plan records none of the new metrics: " + key);
        }
        assertTrue(m.get("accuracy") > baselineAccuracy - 0.03, "accuracy " + m.get("accuracy") + " vs baseline " + baselineAccuracy);
        assertEquals(1.0, m.get("onnx_int8"), "8-bit weights and activations: the INT8 export");
        assertTrue(m.get("onnx_top1_agreement") >= 0.95, "INT8 ONNX agrees with the fake-quantized DL4J model: " + m.get("onnx_top1_agreement"));
        // every layer at 8-bit weights and activations: bit operations are MACs x 8 x 8; the default plan leaves the first
        // convolution (1 input channel, float in the INT8 export) at 32-bit activations
        assertEquals(m.get("macs") * 64, m.get("bitops"), 1e-6);
        assertTrue(plain.get("bitops") > m.get("bitops"), plain.get("bitops") + " vs " + m.get("bitops"));
        assertEquals(plain.get("size_bytes"), m.get("size_bytes"), "activation bits do not change what is stored");
    }

    @Test
    void buildAppliesBiasCorrectionAndQuantizesActivationsAfterPtqAndDuringQat() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        CompressionPlan w4 = CompressionPlan.identity().with(QuantizationStrategy.Plan.weights(4));
        CandidateEvaluator.Candidate corrected = evaluator.build(CompressionPlan.identity().with(new QuantizationStrategy.Plan(4, Map.of(), false, null, true, 32)), BUDGET, 1);
        CandidateEvaluator.Candidate uncorrected = evaluator.build(w4, BUDGET, 1);
        assertEquals(java.util.Set.of("conv1", "conv2", "fc1", "out"), corrected.biasShifts().keySet(), "every weight layer");
        assertTrue(uncorrected.biasShifts().isEmpty());
        assertEquals(Map.of(), ActivationQuantizer.quantizedLayers(corrected.network()), "float activations by default");
        double c = Training.accuracy(corrected.network(), context.test());
        double u = Training.accuracy(uncorrected.network(), context.test());
        System.out.printf("INT4 weights: bias-corrected %.4f, uncorrected %.4f%n", c, u);

        CompressionPlan qat = CompressionPlan.identity().with(new QuantizationStrategy.Plan(4, Map.of(), true,
                QuantizationStrategy.CalibrationMethod.PERCENTILE, false, 4));
        CandidateEvaluator.Candidate q = evaluator.build(qat, BUDGET, 1);
        CandidateEvaluator.Candidate p = evaluator.build(qat.with(qat.quantization()).with(qat.distillation()), BUDGET, 1);
        assertEquals(Map.of("conv1", 4, "conv2", 4, "fc1", 4), ActivationQuantizer.quantizedLayers(q.network()), "conv1, conv2, fc1");
        QuantizedActivation fc1 = (QuantizedActivation) ((BaseLayer) q.network().getLayer("fc1").conf().getLayer()).getActivationFn();
        assertEquals(4, fc1.bits());
        assertEquals(q.network().params(), p.network().params(), "deterministic for a plan, budget and seed");
        double qatAccuracy = Training.accuracy(q.network(), context.test());
        System.out.printf("INT4 weights and activations, QAT: %.4f (baseline %.4f)%n", qatAccuracy, baselineAccuracy);
        assertTrue(qatAccuracy > baselineAccuracy - 0.1, "QAT with 4-bit weights and activations " + qatAccuracy);
    }
}
