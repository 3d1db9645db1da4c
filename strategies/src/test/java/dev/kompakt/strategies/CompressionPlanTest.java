package dev.kompakt.strategies;

import dev.kompakt.search.Assignment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressionPlanTest {

    private static Assignment assignment(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return new Assignment(m);
    }

    @Test
    void fromMapsEveryField() {
        CompressionPlan p = CompressionPlan.from(assignment(
                CompressionSpace.WIDTH, 0.5,
                CompressionSpace.INIT, CompressionSpace.SCRATCH,
                CompressionSpace.SPARSITY, 0.3,
                CompressionSpace.WEIGHT_BITS, 4,
                CompressionSpace.DISTILL, true,
                CompressionSpace.TEMPERATURE, 4.0,
                CompressionSpace.ALPHA, 0.25));
        assertEquals(new CompressionPlan(0.5, false, 0.3, 4, true, 4.0, 0.25), p);
        assertTrue(p.isStudent());
    }

    @Test
    void fromAcceptsInheritAndValuesAsJournalStrings() {
        // a journal replay may hand back categoricals as strings; Assignment parses them
        CompressionPlan p = CompressionPlan.from(assignment(
                CompressionSpace.WIDTH, "0.75",
                CompressionSpace.INIT, "inherit",
                CompressionSpace.WEIGHT_BITS, "8",
                CompressionSpace.DISTILL, "false"));
        assertEquals(0.75, p.widthMultiplier());
        assertTrue(p.inheritWeights());
        assertEquals(8, p.weightBits());
        assertFalse(p.distill());
    }

    @Test
    void absentStrategiesTakeIdentityValues() {
        CompressionPlan identity = CompressionPlan.identity();
        CompressionPlan empty = CompressionPlan.from(assignment());
        assertEquals(identity.widthMultiplier(), empty.widthMultiplier());
        assertEquals(identity.inheritWeights(), empty.inheritWeights());
        assertEquals(identity.sparsity(), empty.sparsity());
        assertEquals(identity.weightBits(), empty.weightBits());
        assertEquals(identity.distill(), empty.distill());
        assertEquals(identity.temperature(), empty.temperature());
        // alpha is not compared: from() defaults it to 0.5, identity() says 0.0; it is unused while distill is off
        assertFalse(empty.isStudent());

        assertEquals(new CompressionPlan(1.0, true, 0.0, 32, false, 1.0, 0.0), identity);

        // only pruning present: everything else is identity
        CompressionPlan pruneOnly = CompressionPlan.from(assignment(CompressionSpace.SPARSITY, 0.4));
        assertEquals(1.0, pruneOnly.widthMultiplier());
        assertTrue(pruneOnly.inheritWeights());
        assertEquals(0.4, pruneOnly.sparsity());
        assertEquals(32, pruneOnly.weightBits());
        assertFalse(pruneOnly.distill());

        // width 1.0 has no init parameter: inherit (= keep the baseline's weights)
        assertTrue(CompressionPlan.from(assignment(CompressionSpace.WIDTH, 1.0)).inheritWeights());
        // distill off: its hyperparameters are ignored even when out of range
        assertDoesNotThrow(() -> new CompressionPlan(1.0, true, 0.0, 32, false, 0.0, 7.0));
    }

    @Test
    void validationNamesTheFieldAndValue() {
        assertRejects("student width multiplier must be in (0, 4], got 0.0", () -> new CompressionPlan(0.0, true, 0, 32, false, 1, 0));
        assertRejects("student width multiplier must be in (0, 4], got 4.5", () -> new CompressionPlan(4.5, true, 0, 32, false, 1, 0));
        assertRejects("student width multiplier must be in (0, 4], got NaN", () -> new CompressionPlan(Double.NaN, true, 0, 32, false, 1, 0));
        assertRejects("pruning sparsity must be in [0, 1), got 1.0", () -> new CompressionPlan(1, true, 1.0, 32, false, 1, 0));
        assertRejects("pruning sparsity must be in [0, 1), got -0.1", () -> new CompressionPlan(1, true, -0.1, 32, false, 1, 0));
        assertRejects("pruning sparsity must be in [0, 1), got NaN", () -> new CompressionPlan(1, true, Double.NaN, 32, false, 1, 0));
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 1", () -> new CompressionPlan(1, true, 0, 1, false, 1, 0));
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 17", () -> new CompressionPlan(1, true, 0, 17, false, 1, 0));
        assertRejects("distillation temperature must be >= 1, got 0.5", () -> new CompressionPlan(1, true, 0, 32, true, 0.5, 0.5));
        assertRejects("distillation alpha must be in [0, 1], got 1.5", () -> new CompressionPlan(1, true, 0, 32, true, 2, 1.5));
        assertRejects("distillation alpha must be in [0, 1], got -0.5", () -> new CompressionPlan(1, true, 0, 32, true, 2, -0.5));
        // edges that are valid
        assertDoesNotThrow(() -> new CompressionPlan(4.0, false, 0.0, 2, true, 1.0, 0.0));
        assertDoesNotThrow(() -> new CompressionPlan(0.01, false, 0.999, 16, true, 1.0, 1.0));
    }

    @Test
    void fromRejectsAnOutOfRangeAssignment() {
        assertRejects("pruning sparsity must be in [0, 1), got 1.0",
                () -> CompressionPlan.from(assignment(CompressionSpace.SPARSITY, 1.0)));
    }

    private static void assertRejects(String message, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertEquals(message, ex.getMessage());
    }

    @Test
    void qatIsDecodedOnlyForIntegerWeights() {
        CompressionPlan qat = CompressionPlan.from(assignment(CompressionSpace.WEIGHT_BITS, 4, CompressionSpace.QAT, true));
        assertTrue(qat.qat());
        assertEquals(new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 4, true, false, 1.0, 0.5), qat);
        assertFalse(CompressionPlan.from(assignment(CompressionSpace.WEIGHT_BITS, 4, CompressionSpace.QAT, "false")).qat());
        assertFalse(CompressionPlan.from(assignment(CompressionSpace.WEIGHT_BITS, 4)).qat(), "absent: post-training quantization");
        assertFalse(CompressionPlan.from(assignment(CompressionSpace.WEIGHT_BITS, 32, CompressionSpace.QAT, true)).qat(), "float weights: no QAT");
        assertFalse(CompressionPlan.identity().qat());
        assertFalse(new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 4, false, 1.0, 0.0).qat(), "the 9-argument plan is PTQ");
        assertRejects("quantization-aware training needs weight bits below 32, got 32 (float)",
                () -> new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 32, true, false, 1.0, 0.0));
    }

    @Test
    void layerBitsAndAllocationAreDecodedAndValidated() {
        CompressionPlan p = CompressionPlan.from(assignment(
                CompressionSpace.SPARSITY, 0.5,
                CompressionSpace.ALLOCATION, CompressionPlan.SENSITIVITY,
                CompressionSpace.LAYER_BITS_PREFIX + "fc1", 4,
                CompressionSpace.LAYER_BITS_PREFIX + "fc2", "32",
                CompressionSpace.LAYER_BITS_PREFIX + "out", 8,
                CompressionSpace.QAT, true));
        assertEquals(Map.of("fc1", 4, "fc2", 32, "out", 8), p.layerBits());
        assertEquals(32, p.weightBits(), "the widest layer");
        assertEquals(4, p.bitsOf("fc1"));
        assertEquals(32, p.bitsOf("fc2"));
        assertTrue(p.qat(), "fc1 and out are quantized, so QAT applies");
        assertEquals(CompressionPlan.SENSITIVITY, p.allocation());
        assertFalse(CompressionPlan.from(assignment(CompressionSpace.LAYER_BITS_PREFIX + "fc1", 32, CompressionSpace.QAT, true)).qat(),
                "every layer float: no QAT");

        // without the new parameters: no layer bits, global allocation (as before they existed)
        CompressionPlan old = CompressionPlan.from(assignment(CompressionSpace.WEIGHT_BITS, 4, CompressionSpace.SPARSITY, 0.3));
        assertEquals(Map.of(), old.layerBits());
        assertEquals(CompressionPlan.GLOBAL, old.allocation());
        assertEquals(4, old.bitsOf("fc1"));
        assertEquals(new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 4, false, false, 1.0, 0.5), old);
        // null (a JSON plan written before the fields existed) takes the defaults
        CompressionPlan fromNulls = new CompressionPlan(1.0, true, null, 0.3, null, 4, false, false, 1.0, 0.5, null, null);
        assertEquals(old, fromNulls);

        assertRejects("pruning allocation must be global or sensitivity, got 'uniform'",
                () -> new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 32, false, false, 1.0, 0.5, Map.of(), "uniform"));
        assertRejects("weight bits of layer fc1 must be 32 (float) or in [2, 16], got 1",
                () -> new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 32, false, false, 1.0, 0.5, Map.of("fc1", 1), null));
        assertRejects("quantization-aware training needs weight bits below 32, got 32 (float)",
                () -> new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 32, true, false, 1.0, 0.5, Map.of("fc1", 32), null));
        assertDoesNotThrow(() -> new CompressionPlan(1.0, true, "l1", 0.3, CompressionPlan.ONESHOT, 32, true, false, 1.0, 0.5,
                Map.of("fc1", 4), null));
    }

    @Test
    void distillKindDefaultsToResponseAndIsDecoded() {
        assertEquals(CompressionPlan.RESPONSE, CompressionPlan.identity().distillKind());
        assertEquals(CompressionPlan.RESPONSE, CompressionPlan.from(assignment(CompressionSpace.DISTILL, true)).distillKind(),
                "assignments recorded before the kind existed decode to response KD");
        assertEquals(CompressionPlan.RESPONSE, new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 32, false, true, 2.0, 0.5)
                .distillKind(), "the 10-argument plan is response KD");
        assertEquals(CompressionPlan.RESPONSE, new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 32, false, true, 2.0, 0.5,
                null).distillKind(), "null (a plan serialised before the field existed) is response KD");
        for (String kind : CompressionPlan.DISTILL_KINDS) {
            CompressionPlan p = CompressionPlan.from(assignment(CompressionSpace.DISTILL, true, CompressionSpace.TEMPERATURE, 3.0,
                    CompressionSpace.ALPHA, 0.4, CompressionSpace.DISTILL_KIND, kind));
            assertEquals(new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 32, false, true, 3.0, 0.4, kind), p);
            assertEquals(p, p.withDistillKind(CompressionPlan.RESPONSE).withDistillKind(kind));
        }
        assertEquals(CompressionPlan.RELATION, CompressionPlan.identity().withDistillKind(CompressionPlan.RELATION).distillKind());
        assertRejects("distillation kind must be response, feature or relation, got 'attention'",
                () -> new CompressionPlan(1.0, true, "l1", 0.0, CompressionPlan.ONESHOT, 32, false, true, 2.0, 0.5, "attention"));
    }
}
