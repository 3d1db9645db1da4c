package dev.kompakt.strategies;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.strategies.pruning.Regularization;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regularisation in the plan and the search space; plans and spaces without it are the ones they were. */
class RegularizationPlanTest {

    private static List<String> names(SearchSpace s) {
        return s.parameters().stream().map(Parameter::name).toList();
    }

    @Test
    void spacesWithoutRegularizationAreTheOnesTheyWere() {
        CompressionSpace.PruningRange old = new CompressionSpace.PruningRange(0.0, 0.9, List.of("oneshot", "agp"), List.of("global"));
        assertEquals(List.of(Regularization.NONE), old.regularizations());
        assertEquals(old, new CompressionSpace.PruningRange(0.0, 0.9, List.of("oneshot", "agp"), List.of("global"), null,
                CompressionSpace.PruningRange.DEFAULT_MIN_STRENGTH, CompressionSpace.PruningRange.DEFAULT_MAX_STRENGTH));
        assertEquals(List.of("prune.sparsity", "prune.schedule"), names(CompressionSpace.of(null, old, null, null)));
        assertEquals(List.of("prune.sparsity", "prune.schedule"), names(CompressionSpace.of(null, new CompressionSpace.PruningRange(0.0, 0.9,
                List.of("oneshot", "agp"), List.of("global"), List.of("none"), 1e-2, 1e-1), null, null)));
    }

    @Test
    void regularizationAndItsLogScaleStrengthJoinTheSpaceWhenAsked() {
        SearchSpace s = CompressionSpace.of(null, new CompressionSpace.PruningRange(0.0, 0.5, List.of("oneshot"), List.of("global"),
                List.of("none", "l1", "group_lasso"), 1e-3, 1.0), null, null);
        assertEquals(List.of("prune.sparsity", "prune.schedule", "prune.regularization", "prune.regularization_strength"), names(s));
        Parameter.FloatParam strength = (Parameter.FloatParam) s.parameter(CompressionSpace.REGULARIZATION_STRENGTH);
        assertTrue(strength.log());
        assertEquals(1e-3, strength.low());
        assertEquals(1.0, strength.high());
        assertEquals(Optional.of(new Parameter.Condition(CompressionSpace.REGULARIZATION, List.of("l1", "group_lasso"))), strength.activeIf());

        Study study = new Study("r", s, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(4));
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            Assignment a = study.ask().assignment();
            CompressionPlan p = CompressionPlan.from(a);
            assertEquals(a.getString(CompressionSpace.REGULARIZATION), p.regularization());
            if (p.regularization().equals(Regularization.NONE)) {
                assertEquals(0.0, p.regularizationStrength());
                assertTrue(p.regularizer().isNone());
            } else {
                assertEquals(a.getDouble(CompressionSpace.REGULARIZATION_STRENGTH), p.regularizationStrength());
                assertTrue(p.regularizationStrength() >= 1e-3 && p.regularizationStrength() <= 1.0);
                assertEquals(Regularization.named(p.regularization(), p.regularizationStrength()), p.regularizer());
            }
            seen.merge(p.regularization(), 1, Integer::sum);
        }
        assertEquals(3, seen.size(), "every regularization is sampled: " + seen);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CompressionSpace.PruningRange(0, 0.5,
                List.of("oneshot"), List.of("global"), List.of("l2"), 1e-3, 1.0));
        assertEquals("regularization must be none, l1 or group_lasso, got 'l2'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompressionSpace.PruningRange(0, 0.5, List.of("oneshot"), List.of("global"),
                List.of("l1"), 0.0, 1.0));
    }

    @Test
    void plansWithoutRegularizationAreTheOnesTheyWereAndValidateTheStrength() {
        CompressionPlan old = new CompressionPlan(0.5, true, "l2", 0.3, CompressionPlan.AGP, 8, false, true, 2.0, 0.5, Map.of(),
                CompressionPlan.GLOBAL, CompressionPlan.RESPONSE);
        assertEquals(Regularization.NONE, old.regularization());
        assertEquals(0.0, old.regularizationStrength());
        assertEquals(old, new CompressionPlan(0.5, true, "l2", 0.3, CompressionPlan.AGP, 8, false, true, 2.0, 0.5, Map.of(),
                CompressionPlan.GLOBAL, CompressionPlan.RESPONSE, null, 0.0), "null (an old plan) is none");
        assertEquals(Regularization.NONE, CompressionPlan.identity().regularization());
        assertEquals(Regularization.NONE, CompressionPlan.from(new Assignment(Map.of())).regularization());

        CompressionPlan gl = old.withRegularization(Regularization.GROUP_LASSO, 0.25);
        assertEquals(Regularization.groupLasso(0.25), gl.regularizer());
        assertEquals(gl, gl.withDistillKind(CompressionPlan.RESPONSE), "the kind keeps the regularization");
        assertEquals(old, gl.withRegularization(Regularization.NONE, 0.0));

        assertEquals("regularization strength must be 0 without regularization, got 0.1",
                assertThrows(IllegalArgumentException.class, () -> old.withRegularization("none", 0.1)).getMessage());
        assertEquals("regularization strength must be finite and > 0 for l1, got 0.0",
                assertThrows(IllegalArgumentException.class, () -> old.withRegularization("l1", 0.0)).getMessage());
        assertEquals("regularization must be none, l1 or group_lasso, got 'l2'",
                assertThrows(IllegalArgumentException.class, () -> old.withRegularization("l2", 0.1)).getMessage());
        // network slimming is a criterion a plan may name
        assertEquals("bn_scale", new CompressionPlan(0.5, true, "bn_scale", 0.0, CompressionPlan.ONESHOT, 32, false, false, 1.0, 0.0).criterion());
    }
}
