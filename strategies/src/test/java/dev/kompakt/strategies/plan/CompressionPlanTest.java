package dev.kompakt.strategies.plan;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Study;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.kompakt.strategies.PlanTesting.assertRejects;
import static dev.kompakt.strategies.PlanTesting.assignment;
import static dev.kompakt.strategies.PlanTesting.study;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The plan as the composition of the strategies' plans: identity, decoding, replacing one part. */
class CompressionPlanTest {
    private static final StudentStrategy.Plan STUDENT = new StudentStrategy.Plan(0.5, StudentStrategy.Init.SCRATCH, StudentStrategy.Criterion.L1);
    private static final PruningStrategy.Plan PRUNING = new PruningStrategy.Plan(0.3, PruningStrategy.Schedule.AGP,
            PruningStrategy.Allocation.SENSITIVITY);
    private static final RegularizationStrategy.Plan REGULARIZATION = new RegularizationStrategy.Plan(RegularizationStrategy.Kind.L1, 0.1);
    private static final QuantizationStrategy.Plan QUANTIZATION = new QuantizationStrategy.Plan(4, Map.of(), true,
            QuantizationStrategy.CalibrationMethod.MSE, true, 8);
    private static final DistillationStrategy.Plan DISTILLATION = DistillationStrategy.Plan.of(DistillationStrategy.Kind.RELATION, 4.0, 0.25);

    @Test
    void identityIsEveryStrategysIdentity() {
        CompressionPlan identity = CompressionPlan.identity();
        assertEquals(Strategies.STUDENT.identity(), identity.student());
        assertEquals(Strategies.PRUNING.identity(), identity.pruning());
        assertEquals(Strategies.REGULARIZATION.identity(), identity.regularization());
        assertEquals(Strategies.QUANTIZATION.identity(), identity.quantization());
        assertEquals(Strategies.DISTILLATION.identity(), identity.distillation());
        // the values of the baseline itself
        assertEquals(1.0, identity.student().width());
        assertFalse(identity.student().isStudent());
        assertEquals(StudentStrategy.Init.INHERIT, identity.student().init());
        assertEquals(0.0, identity.pruning().sparsity());
        assertEquals(RegularizationStrategy.Kind.NONE, identity.regularization().kind());
        assertEquals(32, identity.quantization().weightBits());
        assertFalse(identity.quantization().qat());
        assertFalse(identity.distillation().enabled());
        assertEquals(1.0, identity.distillation().temperature());
        assertEquals(0.0, identity.distillation().alpha());
        assertEquals(DistillationStrategy.Kind.RESPONSE, identity.distillation().kind());
        // a null part (a strategy absent from a JSON plan) is its identity
        assertEquals(identity, new CompressionPlan(null, null, null, null, null));
        assertEquals(new CompressionPlan(STUDENT, Strategies.PRUNING.identity(), Strategies.REGULARIZATION.identity(),
                Strategies.QUANTIZATION.identity(), Strategies.DISTILLATION.identity()), new CompressionPlan(STUDENT, null, null, null, null));
    }

    @Test
    void fromDecodesEveryStrategysPart() {
        CompressionPlan p = CompressionPlan.from(assignment(
                "student.width", 0.5,
                "student.init", "scratch",
                "prune.sparsity", 0.3,
                "prune.schedule", "agp",
                "prune.allocation", "sensitivity",
                "prune.regularization", "l1",
                "prune.regularization_strength", 0.1,
                "quant.weight_bits", 4,
                "quant.qat", true,
                "quant.calibration", "mse",
                "quant.bias_correction", true,
                "quant.activation_bits", 8,
                "distill.enabled", true,
                "distill.temperature", 4.0,
                "distill.alpha", 0.25,
                "distill.kind", "relation"));
        assertEquals(new CompressionPlan(STUDENT, PRUNING, REGULARIZATION, QUANTIZATION, DISTILLATION), p);
        assertTrue(p.student().isStudent());
    }

    @Test
    void fromAcceptsValuesAsJournalStrings() {
        // a journal replay may hand back categoricals as strings; Assignment parses them
        CompressionPlan p = CompressionPlan.from(assignment(
                "student.width", "0.75",
                "student.init", "inherit",
                "student.criterion", "bn_scale",
                "prune.sparsity", "0.4",
                "prune.regularization", "group_lasso",
                "prune.regularization_strength", "18",
                "quant.weight_bits", "8",
                "quant.qat", "false",
                "distill.enabled", "false"));
        assertEquals(0.75, p.student().width());
        assertEquals(StudentStrategy.Init.INHERIT, p.student().init());
        assertEquals(StudentStrategy.Criterion.BN_SCALE, p.student().criterion());
        assertEquals(0.4, p.pruning().sparsity());
        assertEquals(new RegularizationStrategy.Plan(RegularizationStrategy.Kind.GROUP_LASSO, 18.0), p.regularization());
        assertEquals(QuantizationStrategy.Plan.weights(8), p.quantization());
        assertFalse(p.distillation().enabled());
    }

    @Test
    void absentStrategiesTakeIdentityPlans() {
        CompressionPlan identity = CompressionPlan.identity();
        CompressionPlan empty = CompressionPlan.from(assignment());
        assertEquals(identity.student(), empty.student());
        assertEquals(identity.pruning(), empty.pruning());
        assertEquals(identity.regularization(), empty.regularization());
        assertEquals(identity.quantization(), empty.quantization());
        assertFalse(empty.distillation().enabled());
        assertEquals(identity.distillation().temperature(), empty.distillation().temperature());
        assertEquals(identity.distillation().kind(), empty.distillation().kind());
        assertEquals(identity, empty, "an empty assignment is the identity plan");

        // only pruning present: everything else is identity
        CompressionPlan pruneOnly = CompressionPlan.from(assignment("prune.sparsity", 0.4));
        assertEquals(new PruningStrategy.Plan(0.4, null, null), pruneOnly.pruning());
        assertEquals(identity.student(), pruneOnly.student());
        assertEquals(identity.regularization(), pruneOnly.regularization());
        assertEquals(identity.quantization(), pruneOnly.quantization());
        assertFalse(pruneOnly.distillation().enabled());
        // only quantization present
        CompressionPlan quantOnly = CompressionPlan.from(assignment("quant.weight_bits", 4, "quant.qat", true));
        assertEquals(new QuantizationStrategy.Plan(4, Map.of(), true, null, false, 32), quantOnly.quantization());
        assertEquals(identity.with(quantOnly.quantization()).with(quantOnly.distillation()), quantOnly);
        // width 1.0 has no init parameter: inherit (= keep the baseline's weights)
        assertEquals(StudentStrategy.Init.INHERIT, CompressionPlan.from(assignment("student.width", 1.0)).student().init());
    }

    @Test
    void fromDecodesEachPartAsItsStrategyDoes() {
        Assignment a = assignment("student.width", 0.25, "student.init", "inherit", "student.criterion", "taylor", "prune.sparsity", 0.6,
                "quant.weight_bits.fc1", 4, "quant.weight_bits.out", 8, "distill.enabled", true, "distill.temperature", 2.0, "distill.alpha", 0.5);
        CompressionPlan p = CompressionPlan.from(a);
        assertEquals(Strategies.STUDENT.decode(a), p.student());
        assertEquals(Strategies.PRUNING.decode(a), p.pruning());
        assertEquals(Strategies.REGULARIZATION.decode(a), p.regularization());
        assertEquals(Strategies.QUANTIZATION.decode(a), p.quantization());
        assertEquals(Strategies.DISTILLATION.decode(a), p.distillation());
        assertEquals(Map.of("fc1", 4, "out", 8), p.quantization().layerBits());
        assertEquals(8, p.quantization().weightBits());
    }

    @Test
    void fromRejectsAnOutOfRangeAssignmentWithTheStrategysMessage() {
        assertRejects("pruning sparsity must be in [0, 1), got 1.0", () -> CompressionPlan.from(assignment("prune.sparsity", 1.0)));
        assertRejects("student width multiplier must be in (0, 4], got 0.0", () -> CompressionPlan.from(assignment("student.width", 0.0)));
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 17", () -> CompressionPlan.from(assignment("quant.weight_bits", 17)));
        assertRejects("distillation alpha must be in [0, 1], got 1.5",
                () -> CompressionPlan.from(assignment("distill.enabled", true, "distill.temperature", 2.0, "distill.alpha", 1.5)));
        assertRejects("regularization strength must be finite and > 0 for l1, got 0.0",
                () -> CompressionPlan.from(assignment("prune.regularization", "l1")));
    }

    @Test
    void withReplacesOnePartAndKeepsTheOthers() {
        CompressionPlan full = new CompressionPlan(STUDENT, PRUNING, REGULARIZATION, QUANTIZATION, DISTILLATION);
        CompressionPlan identity = CompressionPlan.identity();
        assertEquals(new CompressionPlan(STUDENT, null, null, null, null), identity.with(STUDENT));
        assertEquals(new CompressionPlan(null, PRUNING, null, null, null), identity.with(PRUNING));
        assertEquals(new CompressionPlan(null, null, REGULARIZATION, null, null), identity.with(REGULARIZATION));
        assertEquals(new CompressionPlan(null, null, null, QUANTIZATION, null), identity.with(QUANTIZATION));
        assertEquals(new CompressionPlan(null, null, null, null, DISTILLATION), identity.with(DISTILLATION));
        assertEquals(full, identity.with(STUDENT).with(PRUNING).with(REGULARIZATION).with(QUANTIZATION).with(DISTILLATION));
        assertEquals(full, identity.with(DISTILLATION).with(QUANTIZATION).with(REGULARIZATION).with(PRUNING).with(STUDENT), "in any order");
        assertEquals(identity, full.with(Strategies.STUDENT.identity()).with(Strategies.PRUNING.identity())
                .with(Strategies.REGULARIZATION.identity()).with(Strategies.QUANTIZATION.identity()).with(Strategies.DISTILLATION.identity()));

        // one part replaced, the others (and their options) kept
        CompressionPlan feature = full.with(DistillationStrategy.Plan.of(DistillationStrategy.Kind.FEATURE, 4.0, 0.25));
        assertEquals(DistillationStrategy.Kind.FEATURE, feature.distillation().kind());
        assertSame(full.quantization(), feature.quantization());
        assertSame(full.regularization(), feature.regularization());
        assertEquals(full, feature.with(DISTILLATION));
        CompressionPlan noRegularization = full.with(Strategies.REGULARIZATION.identity());
        assertEquals(new CompressionPlan(STUDENT, PRUNING, null, QUANTIZATION, DISTILLATION), noRegularization);
        assertEquals(full, noRegularization.with(REGULARIZATION));

        assertRejects("not a strategy's plan: Other[x=1]", () -> identity.with(new Other(1)));
        assertRejects("not a strategy's plan: null", () -> identity.with(null));
    }

    private record Other(int x) {
    }

    @Test
    void registryListsTheStrategiesInBuildOrderWithTheirParts() {
        List<Strategies.Part<?>> all = Strategies.ALL;
        assertEquals(List.of(Strategies.ARCHITECTURE, Strategies.STUDENT, Strategies.PRUNING, Strategies.REGULARIZATION, Strategies.QUANTIZATION,
                Strategies.DISTILLATION), all.stream().map(Strategies.Part::strategy).toList());
        assertEquals(List.of("arch.", "student.", "prune.", "prune.", "quant.", "distill."), all.stream().map(p -> p.strategy().prefix()).toList());
        CompressionPlan full = new CompressionPlan(STUDENT, PRUNING, REGULARIZATION, QUANTIZATION, DISTILLATION);
        assertEquals(List.of(Strategies.ARCHITECTURE.identity(), STUDENT, PRUNING, REGULARIZATION, QUANTIZATION, DISTILLATION),
                all.stream().map(p -> p.of().apply(full)).toList());
        for (Strategies.Part<?> part : all) {
            assertEquals(part.strategy().identity(), part.of().apply(CompressionPlan.identity()), part.strategy().prefix());
        }
    }

    @Test
    void everySampledAssignmentOfTheComposedSpaceDecodesToAValidMatchingPlan() {
        CompressionSpace.Ranges ranges = new CompressionSpace.Ranges(
                new StudentStrategy.Range(List.of(0.5, 0.75, 1.0), List.of(StudentStrategy.Init.INHERIT, StudentStrategy.Init.SCRATCH), null),
                new PruningStrategy.Range(0.0, 0.9, List.of(PruningStrategy.Schedule.ONESHOT, PruningStrategy.Schedule.AGP), null),
                new RegularizationStrategy.Range(List.of(RegularizationStrategy.Kind.NONE, RegularizationStrategy.Kind.L1)),
                new QuantizationStrategy.Range(List.of(32, 8, 6, 4), List.of(false, true), List.of()),
                new DistillationStrategy.Range(1.0, 8.0, 0.1, 0.9));
        Study study = study("s", CompressionSpace.of(ranges), 17);
        int students = 0;
        int distilled = 0;
        int regularized = 0;
        for (int i = 0; i < 200; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            assertEquals(a.getDouble("student.width"), p.student().width());
            assertEquals(!a.has("student.init") || a.getString("student.init").equals("inherit"),
                    p.student().init() == StudentStrategy.Init.INHERIT);
            assertEquals(a.getDouble("prune.sparsity"), p.pruning().sparsity());
            assertEquals(a.getString("prune.schedule"), p.pruning().schedule().id());
            assertEquals(a.getString("prune.regularization"), p.regularization().kind().id());
            assertEquals(a.getInt("quant.weight_bits"), p.quantization().weightBits());
            assertEquals(a.has("quant.qat") && a.getBoolean("quant.qat"), p.quantization().qat());
            assertEquals(a.getBoolean("distill.enabled"), p.distillation().enabled());
            if (p.distillation().enabled()) {
                distilled++;
                assertEquals(a.getDouble("distill.temperature"), p.distillation().temperature());
                assertEquals(a.getDouble("distill.alpha"), p.distillation().alpha());
            }
            students += p.student().isStudent() ? 1 : 0;
            regularized += p.regularization().kind() == RegularizationStrategy.Kind.L1 ? 1 : 0;
        }
        assertTrue(students > 50 && distilled > 50 && regularized > 50,
                "sampler covers the space: " + students + " students, " + distilled + " distilled, " + regularized + " regularized");
    }
}
