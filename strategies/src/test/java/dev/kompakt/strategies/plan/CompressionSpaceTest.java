package dev.kompakt.strategies.plan;

import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.LegacySpaces;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static dev.kompakt.strategies.PlanTesting.names;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The composed space: the strategies' fragments, each under its prefix, in the order of the registry. */
class CompressionSpaceTest {
    private static final StudentStrategy.Range STUDENT = new StudentStrategy.Range(List.of(0.5, 0.75, 1.0),
            List.of(StudentStrategy.Init.INHERIT, StudentStrategy.Init.SCRATCH), null);
    private static final PruningStrategy.Range PRUNING = new PruningStrategy.Range(0.0, 0.9);
    private static final RegularizationStrategy.Range REGULARIZATION = new RegularizationStrategy.Range(List.of(RegularizationStrategy.Kind.NONE,
            RegularizationStrategy.Kind.L1, RegularizationStrategy.Kind.GROUP_LASSO), 1e-3, 1.0);
    private static final QuantizationStrategy.Range QUANT = new QuantizationStrategy.Range(List.of(32, 8, 6, 4));
    private static final DistillationStrategy.Range DISTILL = new DistillationStrategy.Range(1.0, 8.0, 0.1, 0.9);

    private static SearchSpace of(StudentStrategy.Range s, PruningStrategy.Range p, RegularizationStrategy.Range r, QuantizationStrategy.Range q,
                                  DistillationStrategy.Range d) {
        return CompressionSpace.of(new CompressionSpace.Ranges(s, p, r, q, d));
    }

    @Test
    void mergedSpaceHasThePrefixedParametersInStrategyOrder() {
        SearchSpace s = of(STUDENT, PRUNING, null, QUANT, DISTILL);
        assertEquals(List.of("student.width", "student.init", "student.criterion", "prune.sparsity", "prune.schedule", "quant.weight_bits",
                "distill.enabled", "distill.temperature", "distill.alpha"), names(s));
        assertEquals(List.of(StudentStrategy.WIDTH, StudentStrategy.INIT, StudentStrategy.CRITERION, PruningStrategy.SPARSITY,
                PruningStrategy.SCHEDULE, QuantizationStrategy.WEIGHT_BITS, DistillationStrategy.ENABLED, DistillationStrategy.TEMPERATURE,
                DistillationStrategy.ALPHA), names(s));
        // conditions are re-prefixed
        assertEquals(Optional.of(new Parameter.Condition("student.width", List.of(0.5, 0.75))), s.parameter("student.init").activeIf());
        assertEquals(Optional.of(new Parameter.Condition("student.init", List.of("inherit"))), s.parameter("student.criterion").activeIf());
        assertEquals(Optional.of(new Parameter.Condition("distill.enabled", List.of(true))), s.parameter("distill.temperature").activeIf());
        assertEquals(Optional.of(new Parameter.Condition("distill.enabled", List.of(true))), s.parameter("distill.alpha").activeIf());
    }

    @Test
    void isTheConcatenationOfTheStrategiesSpacesInRegistryOrder() {
        SearchSpace s = of(STUDENT, PRUNING, REGULARIZATION, QUANT, DISTILL);
        List<Parameter> expected = new ArrayList<>();
        expected.addAll(Strategies.STUDENT.space(STUDENT).parameters());
        expected.addAll(Strategies.PRUNING.space(PRUNING).parameters());
        expected.addAll(Strategies.REGULARIZATION.space(REGULARIZATION).parameters());
        expected.addAll(Strategies.QUANTIZATION.space(QUANT).parameters());
        expected.addAll(Strategies.DISTILLATION.space(DISTILL).parameters());
        assertEquals(new SearchSpace(expected), s);
    }

    @Test
    void regularizationSharesThePruningPrefixRightAfterPruning() {
        SearchSpace s = of(STUDENT, PRUNING, REGULARIZATION, QUANT, DISTILL);
        assertEquals(List.of("student.width", "student.init", "student.criterion", "prune.sparsity", "prune.schedule", "prune.regularization",
                "prune.regularization_strength", "quant.weight_bits", "distill.enabled", "distill.temperature", "distill.alpha"), names(s));
        assertEquals(Optional.of(new Parameter.Condition("prune.regularization", List.of("l1", "group_lasso"))),
                s.parameter(RegularizationStrategy.STRENGTH).activeIf());
        // after pruning's allocation too
        SearchSpace withAllocation = of(null, new PruningStrategy.Range(0.1, 0.9, null, List.of(PruningStrategy.Allocation.GLOBAL,
                PruningStrategy.Allocation.SENSITIVITY)), REGULARIZATION, null, null);
        assertEquals(List.of("prune.sparsity", "prune.schedule", "prune.allocation", "prune.regularization", "prune.regularization_strength"),
                names(withAllocation));
        // regularisation none (or left out) leaves the pruning space as it was
        assertEquals(of(null, PRUNING, null, null, null), of(null, PRUNING, new RegularizationStrategy.Range(List.of(RegularizationStrategy.Kind.NONE)),
                null, null));
        // regularisation without pruning: its parameters alone
        assertEquals(List.of("prune.regularization", "prune.regularization_strength"), names(of(null, null, REGULARIZATION, null, null)));
    }

    @Test
    void equalsTheSpaceOfEarlierVersionsParameterForParameter() {
        // the old PruningRange carried the regularisation; its fragment is pruning's followed by regularisation's
        SearchSpace old = LegacySpaces.of(
                LegacySpaces.student(List.of(0.5, 0.75, 1.0), List.of("inherit", "scratch"), List.of("l1")),
                LegacySpaces.pruning(0.1, 0.9, List.of("oneshot", "agp"), List.of("global", "sensitivity"), List.of("none", "l1", "group_lasso"),
                        1e-3, 1.0),
                LegacySpaces.quantization(List.of(32, 8, 4), List.of(false, true), List.of(), List.of("minmax", "mse"), List.of(false, true),
                        List.of(32, 8)),
                LegacySpaces.distillation(1.0, 8.0, 0.1, 0.9, List.of("response", "feature", "relation")));
        SearchSpace now = of(STUDENT,
                new PruningStrategy.Range(0.1, 0.9, List.of(PruningStrategy.Schedule.ONESHOT, PruningStrategy.Schedule.AGP),
                        List.of(PruningStrategy.Allocation.GLOBAL, PruningStrategy.Allocation.SENSITIVITY)),
                REGULARIZATION,
                new QuantizationStrategy.Range(List.of(32, 8, 4), List.of(false, true), List.of(), List.of(QuantizationStrategy.CalibrationMethod.MINMAX,
                        QuantizationStrategy.CalibrationMethod.MSE), List.of(false, true), List.of(32, 8)),
                new DistillationStrategy.Range(1.0, 8.0, 0.1, 0.9, List.of(DistillationStrategy.Kind.RESPONSE, DistillationStrategy.Kind.FEATURE,
                        DistillationStrategy.Kind.RELATION)));
        assertEquals(old, now);

        // the default space of an old spec: no regularisation, one width for all, response KD
        assertEquals(LegacySpaces.of(
                        LegacySpaces.student(List.of(0.5, 0.75, 1.0), List.of("inherit", "scratch"), List.of("l1")),
                        LegacySpaces.pruning(0.0, 0.9, List.of("oneshot"), List.of("global"), List.of("none"), 0.01, 30),
                        LegacySpaces.quantization(List.of(32, 8, 6, 4), List.of(), List.of(), List.of("minmax"), List.of(), List.of(32)),
                        LegacySpaces.distillation(1.0, 8.0, 0.1, 0.9, List.of("response"))),
                of(STUDENT, PRUNING, null, QUANT, DISTILL));
        assertEquals(LegacySpaces.of(null, LegacySpaces.pruning(0.0, 0.9, List.of("oneshot"), List.of("global"), List.of("none"), 0.01, 30), null,
                null), of(null, PRUNING, new RegularizationStrategy.Range(null), null, null));
    }

    @Test
    void absentStrategiesContributeNothing() {
        assertEquals(List.of("prune.sparsity", "prune.schedule"), names(of(null, PRUNING, null, null, null)));
        assertEquals(List.of("quant.weight_bits", "distill.enabled", "distill.temperature", "distill.alpha"),
                names(of(null, null, null, QUANT, DISTILL)));
        assertEquals(List.of("student.width", "student.init", "student.criterion", "distill.enabled", "distill.temperature", "distill.alpha"),
                names(of(STUDENT, null, null, null, DISTILL)));
        assertEquals(0, of(null, null, null, null, null).size());
    }
}
