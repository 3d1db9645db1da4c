package dev.kompakt.strategies;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.strategies.pruning.Regularization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The searchable quantization options: calibration, bias correction and activation bits, in the space and in the plan. */
class QuantizationOptionsTest {
    private static final List<String> LAYERS = List.of("conv1", "conv2", "fc1", "out");

    private static List<String> names(SearchSpace s) {
        return s.parameters().stream().map(Parameter::name).toList();
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static SearchSpace quant(CompressionSpace.QuantizationRange r) {
        return CompressionSpace.of(null, null, r, null);
    }

    @Test
    void defaultsLeaveTheSpaceAsItWas() {
        // the old constructors and the new one with empty/default lists build the same space, parameter for parameter
        assertEquals(quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true))),
                quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true), List.of(), List.of("minmax"), List.of(),
                        List.of(32))));
        assertEquals(List.of("quant.weight_bits", "quant.qat"),
                names(quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true), List.of(), null, null, null))));
        assertEquals(List.of("quant.weight_bits.conv1", "quant.weight_bits.conv2", "quant.weight_bits.fc1", "quant.weight_bits.out", "quant.qat"),
                names(quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true), LAYERS, List.of(), List.of(),
                        List.of()))));
        // and every sampled plan has the defaults
        Study study = new Study("d", quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true))),
                List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(1));
        for (int i = 0; i < 30; i++) {
            CompressionPlan p = CompressionPlan.from(study.ask().assignment());
            assertEquals("minmax", p.calibration());
            assertFalse(p.biasCorrection());
            assertEquals(32, p.activationBits());
        }
    }

    @Test
    void optionsAreAddedWithConditionsOnIntegerWeights() {
        SearchSpace s = quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true), List.of(),
                List.of("minmax", "mse"), List.of(false, true), List.of()));
        assertEquals(List.of("quant.weight_bits", "quant.qat", "quant.calibration", "quant.bias_correction"), names(s));
        Optional<Parameter.Condition> integer = Optional.of(new Parameter.Condition("quant.weight_bits", List.of(8, 4)));
        assertEquals(integer, s.parameter(CompressionSpace.CALIBRATION).activeIf());
        assertEquals(integer, s.parameter(CompressionSpace.BIAS_CORRECTION).activeIf());
        assertTrue(s.contains(new Assignment(map("quant.weight_bits", 32))));
        assertFalse(s.contains(new Assignment(map("quant.weight_bits", 32, "quant.calibration", "mse"))), "inactive for float weights");

        // with activation bits searched, the calibration matters for float weights too: unconditional
        SearchSpace withActs = quant(new CompressionSpace.QuantizationRange(List.of(32, 8), List.of(), List.of(), List.of("minmax", "kl"),
                List.of(false, true), List.of(32, 8, 4)));
        assertEquals(List.of("quant.weight_bits", "quant.calibration", "quant.bias_correction", "quant.activation_bits"), names(withActs));
        assertEquals(Optional.empty(), withActs.parameter(CompressionSpace.CALIBRATION).activeIf());
        assertEquals(Optional.empty(), withActs.parameter(CompressionSpace.ACTIVATION_BITS).activeIf());
        assertEquals(List.of(32, 8, 4), ((Parameter.Categorical) withActs.parameter(CompressionSpace.ACTIVATION_BITS)).choices());

        // float weights only, float activations only: calibration and bias correction have nothing to act on
        assertEquals(List.of("quant.weight_bits"), names(quant(new CompressionSpace.QuantizationRange(List.of(32), List.of(), List.of(),
                List.of("minmax", "mse"), List.of(false, true), List.of(32)))));

        // mixed precision: unconditional, like qat
        SearchSpace mixed = quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true), LAYERS,
                List.of("percentile", "mse"), List.of(false, true), List.of(32, 6)));
        assertEquals(List.of("quant.weight_bits.conv1", "quant.weight_bits.conv2", "quant.weight_bits.fc1", "quant.weight_bits.out", "quant.qat",
                "quant.calibration", "quant.bias_correction", "quant.activation_bits"), names(mixed));
        for (String p : List.of(CompressionSpace.CALIBRATION, CompressionSpace.BIAS_CORRECTION, CompressionSpace.ACTIVATION_BITS)) {
            assertEquals(Optional.empty(), mixed.parameter(p).activeIf(), p);
        }
    }

    @Test
    void rangeRejectsBadValuesNamingThem() {
        assertRejects("quantization calibration must be minmax, percentile, mse or kl, got 'entropy2'",
                () -> new CompressionSpace.QuantizationRange(List.of(8), List.of(), List.of(), List.of("entropy2"), List.of(), List.of()));
        assertRejects("activation bits must be 32 (float) or in [2, 8], got 16",
                () -> new CompressionSpace.QuantizationRange(List.of(8), List.of(), List.of(), List.of(), List.of(), List.of(32, 16)));
        assertRejects("activation bits must be 32 (float) or in [2, 8], got 1",
                () -> new CompressionSpace.QuantizationRange(List.of(8), List.of(), List.of(), List.of(), List.of(), List.of(1)));
    }

    @Test
    void sampledAssignmentsDecodeToMatchingPlans() {
        SearchSpace s = quant(new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true), List.of(),
                List.of("minmax", "percentile", "mse", "kl"), List.of(false, true), List.of(32, 8, 6, 4)));
        Study study = new Study("o", s, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(11));
        int corrected = 0;
        int actQuantized = 0;
        int calibrated = 0;
        for (int i = 0; i < 200; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            assertEquals(a.getInt("quant.activation_bits"), p.activationBits());
            boolean integer = a.getInt("quant.weight_bits") < 32;
            assertTrue(a.has("quant.calibration"), "unconditional when activation bits are searched");
            assertEquals(integer || p.quantizesActivations() ? a.getString("quant.calibration") : "minmax", p.calibration(),
                    "decoded where it acts on weights or activations");
            assertEquals(integer && a.getBoolean("quant.bias_correction"), p.biasCorrection());
            corrected += p.biasCorrection() ? 1 : 0;
            actQuantized += p.quantizesActivations() ? 1 : 0;
            calibrated += p.calibration().equals("minmax") ? 0 : 1;
        }
        assertTrue(corrected > 30 && actQuantized > 100 && calibrated > 100, corrected + " " + actQuantized + " " + calibrated);
    }

    @Test
    void planDefaultsDecodingAndValidation() {
        CompressionPlan old = new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 4, false, false, 1.0, 0.5);
        assertEquals("minmax", old.calibration());
        assertFalse(old.biasCorrection());
        assertEquals(32, old.activationBits());
        assertFalse(old.quantizesActivations());
        // the 15-argument constructor (the canonical one before these fields) takes the defaults
        assertEquals(old, new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 4, false, false, 1.0, 0.5, Map.of(),
                CompressionPlan.GLOBAL, CompressionPlan.RESPONSE, Regularization.NONE, 0.0));
        // null and 0, what a JSON plan written before the fields existed decodes to, take the defaults
        assertEquals(old, new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 4, false, false, 1.0, 0.5, Map.of(),
                CompressionPlan.GLOBAL, CompressionPlan.RESPONSE, Regularization.NONE, 0.0, null, false, 0));
        // an assignment without the parameters decodes to the defaults
        assertEquals(old, CompressionPlan.from(new Assignment(map("prune.sparsity", 0.3, "quant.weight_bits", 4))));

        CompressionPlan p = CompressionPlan.from(new Assignment(map("quant.weight_bits", 4, "quant.calibration", "mse",
                "quant.bias_correction", true, "quant.activation_bits", 8)));
        assertEquals("mse", p.calibration());
        assertTrue(p.biasCorrection());
        assertEquals(8, p.activationBits());
        assertEquals(p, p.withDistillKind("feature").withDistillKind("response"), "withers keep the new fields");
        assertEquals(p, p.withRegularization("l1", 0.1).withRegularization("none", 0));
        // choices that cannot act decode to the defaults (as qat does)
        CompressionPlan floatPlan = CompressionPlan.from(new Assignment(map("quant.weight_bits", 32, "quant.calibration", "mse",
                "quant.bias_correction", true)));
        assertEquals("minmax", floatPlan.calibration());
        assertFalse(floatPlan.biasCorrection());
        CompressionPlan floatWeightsIntActs = CompressionPlan.from(new Assignment(map("quant.weight_bits", 32, "quant.calibration", "kl",
                "quant.activation_bits", 4)));
        assertEquals("kl", floatWeightsIntActs.calibration(), "calibrates the activations");
        assertEquals(4, floatWeightsIntActs.activationBits());

        assertRejects("calibration must be minmax, percentile, mse or kl, got 'max'", () -> old.withQuantization("max", false, 32));
        assertRejects("activation bits must be 32 (float) or in [2, 8], got 12", () -> old.withQuantization("minmax", false, 12));
        assertRejects("activation bits must be 32 (float) or in [2, 8], got 1", () -> old.withQuantization("minmax", false, 1));
        assertRejects("bias correction needs weight bits below 32, got 32 (float)",
                () -> CompressionPlan.identity().withQuantization("minmax", true, 32));
        assertRejects("calibration mse needs weight or activation bits below 32, got 32 (float) for both",
                () -> CompressionPlan.identity().withQuantization("mse", false, 32));
        assertEquals(6, CompressionPlan.identity().withQuantization("percentile", false, 6).activationBits());
    }

    private static void assertRejects(String message, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertEquals(message, ex.getMessage());
    }
}
