package dev.kompakt.strategies;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.sampler.RandomSampler;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressionSpaceTest {
    private static final CompressionSpace.StudentRange STUDENT =
            new CompressionSpace.StudentRange(List.of(0.5, 0.75, 1.0), List.of("inherit", "scratch"));
    private static final CompressionSpace.PruningRange PRUNING = new CompressionSpace.PruningRange(0.0, 0.9);
    private static final CompressionSpace.QuantizationRange QUANT = new CompressionSpace.QuantizationRange(List.of(32, 8, 6, 4));
    private static final CompressionSpace.DistillationRange DISTILL = new CompressionSpace.DistillationRange(1.0, 8.0, 0.1, 0.9);

    private static SearchSpace full() {
        return CompressionSpace.of(STUDENT, PRUNING, QUANT, DISTILL);
    }

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

    @Test
    void mergedSpaceHasThePrefixedParametersInStrategyOrder() {
        SearchSpace s = full();
        assertEquals(List.of("student.width", "student.init", "student.criterion", "prune.sparsity", "prune.schedule", "quant.weight_bits",
                "distill.enabled", "distill.temperature", "distill.alpha"), names(s));
        assertEquals(List.of(CompressionSpace.WIDTH, CompressionSpace.INIT, CompressionSpace.CRITERION, CompressionSpace.SPARSITY,
                CompressionSpace.SCHEDULE, CompressionSpace.WEIGHT_BITS, CompressionSpace.DISTILL, CompressionSpace.TEMPERATURE,
                CompressionSpace.ALPHA), names(s));
        // the criterion only matters for students that inherit channels
        assertEquals(Optional.of(new Parameter.Condition("student.init", List.of("inherit"))), s.parameter("student.criterion").activeIf());
        assertEquals(List.of("oneshot"), ((Parameter.Categorical) s.parameter("prune.schedule")).choices());

        Parameter.Categorical width = (Parameter.Categorical) s.parameter("student.width");
        assertEquals(List.of(0.5, 0.75, 1.0), width.choices());
        Parameter.Categorical init = (Parameter.Categorical) s.parameter("student.init");
        assertEquals(List.of("inherit", "scratch"), init.choices());
        // the condition is re-prefixed and lists exactly the narrower widths
        assertEquals(Optional.of(new Parameter.Condition("student.width", List.of(0.5, 0.75))), init.activeIf());

        Parameter.FloatParam sparsity = (Parameter.FloatParam) s.parameter("prune.sparsity");
        assertEquals(0.0, sparsity.low());
        assertEquals(0.9, sparsity.high());
        assertFalse(sparsity.log());
        assertEquals(List.of(32, 8, 6, 4), ((Parameter.Categorical) s.parameter("quant.weight_bits")).choices());

        assertEquals(List.of(false, true), ((Parameter.Categorical) s.parameter("distill.enabled")).choices());
        Parameter.FloatParam t = (Parameter.FloatParam) s.parameter("distill.temperature");
        assertEquals(1.0, t.low());
        assertEquals(8.0, t.high());
        assertEquals(Optional.of(new Parameter.Condition("distill.enabled", List.of(true))), t.activeIf());
        Parameter.FloatParam a = (Parameter.FloatParam) s.parameter("distill.alpha");
        assertEquals(0.1, a.low());
        assertEquals(0.9, a.high());
        assertEquals(Optional.of(new Parameter.Condition("distill.enabled", List.of(true))), a.activeIf());
    }

    @Test
    void studentInitIsActiveOnlyForNarrowerWidths() {
        SearchSpace s = CompressionSpace.of(STUDENT, null, null, null);
        assertTrue(s.contains(new Assignment(map("student.width", 1.0))));
        assertFalse(s.contains(new Assignment(map("student.width", 1.0, "student.init", "inherit"))),
                "width 1.0 must not carry an init");
        assertTrue(s.contains(new Assignment(map("student.width", 0.5, "student.init", "scratch"))));
        assertFalse(s.contains(new Assignment(map("student.width", 0.75))), "a narrower width needs an init");
        assertFalse(s.contains(new Assignment(map("student.width", 0.5, "student.init", "random"))));

        // sampled: init present exactly when width != 1.0
        for (double u = 0.0; u < 1.0; u += 0.05) {
            double uu = u;
            Assignment a = s.fromUnit(p -> uu);
            assertEquals(a.getDouble("student.width") != 1.0, a.has("student.init"), a.values().toString());
        }
    }

    @Test
    void onlyFullWidthMeansNoInitParameter() {
        SearchSpace s = CompressionSpace.of(new CompressionSpace.StudentRange(List.of(1.0)), null, null, null);
        assertEquals(List.of("student.width"), names(s));
        // the single-argument constructor defaults init to inherit
        assertEquals(List.of("inherit"), new CompressionSpace.StudentRange(List.of(0.5)).init());
        assertEquals(List.of("inherit"), new CompressionSpace.StudentRange(List.of(0.5), null).init());
        assertEquals(List.of("inherit"), new CompressionSpace.StudentRange(List.of(0.5), List.of()).init());
    }

    @Test
    void studentRangeRejectsUnknownInit() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CompressionSpace.StudentRange(List.of(0.5), List.of("inherit", "random")));
        assertEquals("student init must be inherit or scratch, got 'random'", e.getMessage());
    }

    @Test
    void absentStrategiesContributeNothing() {
        assertEquals(List.of("prune.sparsity", "prune.schedule"), names(CompressionSpace.of(null, PRUNING, null, null)));
        assertEquals(List.of("quant.weight_bits", "distill.enabled", "distill.temperature", "distill.alpha"),
                names(CompressionSpace.of(null, null, QUANT, DISTILL)));
        assertEquals(0, CompressionSpace.of(null, null, null, null).size());
    }

    @Test
    void distillationHyperparametersOnlyWhenEnabled() {
        SearchSpace s = CompressionSpace.of(null, null, null, DISTILL);
        assertTrue(s.contains(new Assignment(map("distill.enabled", false))));
        assertFalse(s.contains(new Assignment(map("distill.enabled", false, "distill.temperature", 2.0, "distill.alpha", 0.5))));
        assertTrue(s.contains(new Assignment(map("distill.enabled", true, "distill.temperature", 2.0, "distill.alpha", 0.5))));
        assertFalse(s.contains(new Assignment(map("distill.enabled", true, "distill.temperature", 9.0, "distill.alpha", 0.5))),
                "temperature above the range");
    }

    @Test
    void everySampledAssignmentDecodesToAValidMatchingPlan() {
        SearchSpace space = full();
        Study study = new Study("s", space, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(17));
        int students = 0;
        int distilled = 0;
        for (int i = 0; i < 200; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            assertEquals(a.getDouble("student.width"), p.widthMultiplier());
            assertEquals(!a.has("student.init") || a.getString("student.init").equals("inherit"), p.inheritWeights());
            assertEquals(a.getDouble("prune.sparsity"), p.sparsity());
            assertEquals(a.getInt("quant.weight_bits"), p.weightBits());
            assertEquals(a.getBoolean("distill.enabled"), p.distill());
            if (p.distill()) {
                distilled++;
                assertEquals(a.getDouble("distill.temperature"), p.temperature());
                assertEquals(a.getDouble("distill.alpha"), p.alpha());
            }
            if (p.isStudent()) {
                students++;
            }
        }
        assertTrue(students > 50 && distilled > 50, "sampler covers the space: " + students + " students, " + distilled + " distilled");
    }

    @Test
    void qatIsInTheSpaceOnlyWhenAskedAndOnlyForIntegerBits() {
        assertEquals(List.of("quant.weight_bits"), names(CompressionSpace.of(null, null, QUANT, null)), "not asked: left out");
        SearchSpace s = CompressionSpace.of(null, null, new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true)), null);
        assertEquals(List.of("quant.weight_bits", "quant.qat"), names(s));
        assertTrue(s.contains(new Assignment(map("quant.weight_bits", 32))));
        assertFalse(s.contains(new Assignment(map("quant.weight_bits", 32, "quant.qat", true))), "inactive for float weights");
        assertTrue(s.contains(new Assignment(map("quant.weight_bits", 4, "quant.qat", true))));
        assertFalse(s.contains(new Assignment(map("quant.weight_bits", 4))), "active for integer weights");
        // only float bits: nothing to train quantization-aware
        assertEquals(List.of("quant.weight_bits"),
                names(CompressionSpace.of(null, null, new CompressionSpace.QuantizationRange(List.of(32), List.of(false, true)), null)));
        Study study = new Study("q", s, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(3));
        int qat = 0;
        for (int i = 0; i < 100; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            assertEquals(a.has("quant.qat") && a.getBoolean("quant.qat"), p.qat());
            if (p.qat()) {
                qat++;
                assertTrue(p.weightBits() < 32);
            }
        }
        assertTrue(qat > 15, "sampled QAT candidates: " + qat);
    }

    @Test
    void mixedPrecisionHasOneBitWidthPerLayerAndDecodesToLayerBits() {
        CompressionSpace.QuantizationRange mixed = new CompressionSpace.QuantizationRange(List.of(32, 8, 4), List.of(false, true),
                List.of("conv1", "conv2", "fc1", "out"));
        SearchSpace s = CompressionSpace.of(null, PRUNING, mixed, null);
        assertEquals(List.of("prune.sparsity", "prune.schedule", "quant.weight_bits.conv1", "quant.weight_bits.conv2", "quant.weight_bits.fc1",
                "quant.weight_bits.out", "quant.qat"), names(s), "fixed size: one categorical per layer, no single quant.weight_bits");
        assertEquals(List.of(32, 8, 4), ((Parameter.Categorical) s.parameter("quant.weight_bits.fc1")).choices());
        assertEquals(Optional.empty(), s.parameter("quant.qat").activeIf());
        assertEquals(List.of("quant.weight_bits.fc1", "quant.weight_bits.fc2", "quant.weight_bits.out"),
                names(CompressionSpace.of(null, null, new CompressionSpace.QuantizationRange(List.of(8, 4), List.of(), List.of("fc1", "fc2", "out")),
                        null)));

        Study study = new Study("m", s, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(5));
        int mixedPlans = 0;
        for (int i = 0; i < 100; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            assertEquals(List.of("conv1", "conv2", "fc1", "out"), List.copyOf(p.layerBits().keySet()));
            int widest = 0;
            int narrowest = 32;
            for (String layer : List.of("conv1", "conv2", "fc1", "out")) {
                int b = a.getInt("quant.weight_bits." + layer);
                assertEquals(b, p.bitsOf(layer));
                widest = Math.max(widest, b);
                narrowest = Math.min(narrowest, b);
            }
            assertEquals(widest, p.weightBits(), "weightBits is the widest layer's");
            assertEquals(narrowest < 32 && a.getBoolean("quant.qat"), p.qat(), "QAT only when some layer is quantized");
            if (widest != narrowest) {
                mixedPlans++;
            }
            // round trip: the plan's layer bits, written back as parameters, decode to the same plan
            Map<String, Object> back = map("prune.sparsity", p.sparsity(), "prune.schedule", p.pruningSchedule(), "quant.qat", a.getBoolean("quant.qat"));
            p.layerBits().forEach((layer, b) -> back.put(CompressionSpace.LAYER_BITS_PREFIX + layer, b));
            assertEquals(p, CompressionPlan.from(new Assignment(back)));
        }
        assertTrue(mixedPlans > 50, "most sampled plans mix bit widths: " + mixedPlans);
    }

    @Test
    void allocationIsInTheSpaceOnlyWhenMoreThanGlobalIsAsked() {
        assertEquals(List.of("global"), PRUNING.allocations(), "default");
        assertEquals(List.of("prune.sparsity", "prune.schedule"),
                names(CompressionSpace.of(null, new CompressionSpace.PruningRange(0.0, 0.9, List.of("oneshot"), List.of("global")), null, null)));
        SearchSpace s = CompressionSpace.of(null, new CompressionSpace.PruningRange(0.1, 0.9, List.of("oneshot", "agp"),
                List.of("global", "sensitivity")), null, null);
        assertEquals(List.of("prune.sparsity", "prune.schedule", "prune.allocation"), names(s));
        assertEquals(List.of("global", "sensitivity"), ((Parameter.Categorical) s.parameter(CompressionSpace.ALLOCATION)).choices());
        Study study = new Study("a", s, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(9));
        int sensitivity = 0;
        for (int i = 0; i < 60; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            assertEquals(a.getString("prune.allocation"), p.allocation());
            if (p.allocation().equals(CompressionPlan.SENSITIVITY)) {
                sensitivity++;
            }
        }
        assertTrue(sensitivity > 10 && sensitivity < 50, "both allocations sampled: " + sensitivity);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CompressionSpace.PruningRange(0, 0.5, List.of("oneshot"), List.of("uniform")));
        assertEquals("pruning allocation must be global or sensitivity, got 'uniform'", e.getMessage());
    }

    @Test
    void distillKindIsInTheSpaceOnlyWhenMoreThanResponseIsAsked() {
        assertEquals(List.of(CompressionPlan.RESPONSE), DISTILL.kinds(), "the 4-argument range is response KD");
        assertEquals(List.of(CompressionPlan.RESPONSE), new CompressionSpace.DistillationRange(1, 8, 0, 1, null).kinds());
        assertEquals(names(CompressionSpace.of(null, null, null, DISTILL)),
                names(CompressionSpace.of(null, null, null, new CompressionSpace.DistillationRange(1, 8, 0.1, 0.9, List.of("response")))),
                "[response] is the space searched before kinds existed");
        CompressionSpace.DistillationRange all = new CompressionSpace.DistillationRange(1, 8, 0.1, 0.9, CompressionPlan.DISTILL_KINDS);
        SearchSpace s = CompressionSpace.of(null, null, null, all);
        assertEquals(List.of("distill.enabled", "distill.temperature", "distill.alpha", "distill.kind"), names(s));
        assertEquals(Optional.of(new Parameter.Condition("distill.enabled", List.of(true))), s.parameter(CompressionSpace.DISTILL_KIND).activeIf());
        assertFalse(s.contains(new Assignment(map("distill.enabled", false, "distill.kind", "feature"))), "inactive when off");
        assertTrue(s.contains(new Assignment(map("distill.enabled", true, "distill.temperature", 2.0, "distill.alpha", 0.5,
                "distill.kind", "relation"))));
        // a single non-default kind is still recorded, so the plan decodes to it
        SearchSpace onlyFeature = CompressionSpace.of(null, null, null, new CompressionSpace.DistillationRange(1, 8, 0.1, 0.9, List.of("feature")));
        assertEquals(List.of("feature"), ((Parameter.Categorical) onlyFeature.parameter(CompressionSpace.DISTILL_KIND)).choices());

        Study study = new Study("k", s, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(5));
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < 120; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            if (p.distill()) {
                assertEquals(a.getString(CompressionSpace.DISTILL_KIND), p.distillKind());
                seen.merge(p.distillKind(), 1, Integer::sum);
            }
        }
        assertEquals(3, seen.size(), "every kind is sampled: " + seen);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CompressionSpace.DistillationRange(1, 8, 0, 1, List.of("response", "attention")));
        assertEquals("distillation kind must be response, feature or relation, got 'attention'", e.getMessage());
    }
}
