package dev.kompakt.strategies.pruning;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.strategies.LegacySpaces;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.plan.Strategies;
import dev.kompakt.strategies.pruning.RegularizationStrategy.Kind;
import dev.kompakt.strategies.pruning.RegularizationStrategy.Plan;
import dev.kompakt.strategies.pruning.RegularizationStrategy.Range;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.kompakt.strategies.PlanTesting.assertRejects;
import static dev.kompakt.strategies.PlanTesting.assignment;
import static dev.kompakt.strategies.PlanTesting.names;
import static dev.kompakt.strategies.PlanTesting.study;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Regularisation as a strategy: its parameters share pruning's prefix; ranges and plans without it are the ones they were. */
class RegularizationStrategyTest {
    private static final RegularizationStrategy REGULARIZATION = Strategies.REGULARIZATION;
    private static final List<Kind> ALL = List.of(Kind.NONE, Kind.L1, Kind.GROUP_LASSO);

    @Test
    void kindsHaveTheOperatorsNamesAndParseErrorsListThem() {
        assertEquals(List.of("none", "l1", "group_lasso"), Option.ids(Kind.class));
        assertEquals(Regularization.NAMES, Option.ids(Kind.class));
        assertEquals(Kind.GROUP_LASSO, Option.parse(Kind.class, "group_lasso"));
        assertRejects("unknown regularization kind 'l2' (known: none, l1, group_lasso)", () -> Option.parse(Kind.class, "l2"));
    }

    @Test
    void noneLeavesTheSpaceAsItWas() {
        assertEquals("prune.", REGULARIZATION.prefix(), "shares the pruning prefix, as before it was its own strategy");
        Range none = new Range(List.of(Kind.NONE));
        assertEquals(List.of(Kind.NONE), none.kinds());
        assertEquals(none, new Range(null), "null is none");
        assertEquals(none, new Range(List.of()), "empty is none");
        assertEquals(none, new Range(List.of(Kind.NONE), RegularizationStrategy.DEFAULT_MIN_STRENGTH, RegularizationStrategy.DEFAULT_MAX_STRENGTH));
        assertEquals(0.01, RegularizationStrategy.DEFAULT_MIN_STRENGTH);
        assertEquals(30.0, RegularizationStrategy.DEFAULT_MAX_STRENGTH);
        assertEquals(0, REGULARIZATION.space(none).size());
        assertEquals(0, REGULARIZATION.space(new Range(List.of(Kind.NONE), 1e-2, 1e-1)).size());
    }

    @Test
    void kindAndItsLogScaleStrengthJoinTheSpaceWhenAsked() {
        SearchSpace s = REGULARIZATION.space(new Range(ALL, 1e-3, 1.0));
        assertEquals(List.of("prune.regularization", "prune.regularization_strength"), names(s));
        assertEquals(List.of(RegularizationStrategy.KIND, RegularizationStrategy.STRENGTH), names(s));
        assertEquals(List.of("none", "l1", "group_lasso"), ((Parameter.Categorical) s.parameter(RegularizationStrategy.KIND)).choices());
        assertEquals(Optional.empty(), s.parameter(RegularizationStrategy.KIND).activeIf());
        Parameter.FloatParam strength = (Parameter.FloatParam) s.parameter(RegularizationStrategy.STRENGTH);
        assertTrue(strength.log());
        assertEquals(1e-3, strength.low());
        assertEquals(1.0, strength.high());
        assertEquals(Optional.of(new Parameter.Condition("prune.regularization", List.of("l1", "group_lasso"))), strength.activeIf());
        // a single penalty is still recorded
        SearchSpace l1 = REGULARIZATION.space(new Range(List.of(Kind.L1)));
        assertEquals(List.of("l1"), ((Parameter.Categorical) l1.parameter(RegularizationStrategy.KIND)).choices());
        assertEquals(Optional.of(new Parameter.Condition("prune.regularization", List.of("l1"))),
                l1.parameter(RegularizationStrategy.STRENGTH).activeIf());
    }

    @Test
    void spacesEqualTheRegularizationPartOfTheOldPruningSpaces() {
        // the old pruning fragment without its sparsity and schedule is this strategy's fragment
        assertSameAsOld(List.of("none", "l1", "group_lasso"), 1e-3, 1.0, new Range(ALL, 1e-3, 1.0));
        assertSameAsOld(List.of("none"), 0.01, 30, new Range(List.of(Kind.NONE)));
        assertSameAsOld(List.of("group_lasso", "l1"), 0.01, 30, new Range(List.of(Kind.GROUP_LASSO, Kind.L1)));
        assertSameAsOld(List.of("l1"), 0.5, 0.5, new Range(List.of(Kind.L1), 0.5, 0.5));
    }

    private static void assertSameAsOld(List<String> regularizations, double min, double max, Range range) {
        List<Parameter> old = LegacySpaces.pruning(0.0, 0.9, List.of("oneshot"), List.of("global"), regularizations, min, max).parameters();
        assertEquals(new SearchSpace(old.subList(2, old.size())), REGULARIZATION.fragment(range));
    }

    @Test
    void rangeValidatesTheStrengthRange() {
        assertRejects("regularization strength range must have 0 < min <= max, got [0.0, 1.0]", () -> new Range(List.of(Kind.L1), 0.0, 1.0));
        assertRejects("regularization strength range must have 0 < min <= max, got [2.0, 1.0]", () -> new Range(List.of(Kind.L1), 2.0, 1.0));
        assertRejects("regularization strength range must have 0 < min <= max, got [0.1, Infinity]",
                () -> new Range(List.of(Kind.L1), 0.1, Double.POSITIVE_INFINITY));
        assertRejects("regularization strength range must have 0 < min <= max, got [NaN, 1.0]", () -> new Range(List.of(Kind.L1), Double.NaN, 1.0));
    }

    @Test
    void sampledAssignmentsDecodeToMatchingPlans() {
        Study study = study("r", REGULARIZATION.space(new Range(ALL, 1e-3, 1.0)), 4);
        Map<Kind, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            Assignment a = study.ask().assignment();
            Plan p = REGULARIZATION.decode(a);
            assertEquals(a.getString(RegularizationStrategy.KIND), p.kind().id());
            if (p.kind() == Kind.NONE) {
                assertEquals(0.0, p.strength());
                assertTrue(p.regularizer().isNone());
            } else {
                assertEquals(a.getDouble(RegularizationStrategy.STRENGTH), p.strength());
                assertTrue(p.strength() >= 1e-3 && p.strength() <= 1.0);
                assertEquals(Regularization.named(p.kind().id(), p.strength()), p.regularizer());
            }
            seen.merge(p.kind(), 1, Integer::sum);
        }
        assertEquals(3, seen.size(), "every regularization is sampled: " + seen);
    }

    @Test
    void decodesIncludingJournalStringsAndIgnoresTheStrengthOfNone() {
        assertEquals(new Plan(Kind.L1, 0.25), REGULARIZATION.decode(assignment("prune.regularization", "l1",
                "prune.regularization_strength", "0.25")));
        assertEquals(new Plan(Kind.GROUP_LASSO, 18.0), REGULARIZATION.decode(assignment("prune.regularization", "group_lasso",
                "prune.regularization_strength", 18.0)));
        assertEquals(new Plan(Kind.NONE, 0.0), REGULARIZATION.decode(assignment("prune.regularization", "none",
                "prune.regularization_strength", 0.5)), "the strength of none is not decoded");
        assertRejects("regularization strength must be finite and > 0 for l1, got 0.0",
                () -> REGULARIZATION.decode(assignment("prune.regularization", "l1")));
        assertRejects("unknown regularization kind 'l2' (known: none, l1, group_lasso)",
                () -> REGULARIZATION.decode(assignment("prune.regularization", "l2", "prune.regularization_strength", 0.1)));
        // pruning's parameters are not its own
        assertEquals(REGULARIZATION.identity(), REGULARIZATION.decode(assignment("prune.sparsity", 0.3, "prune.schedule", "agp")));
    }

    @Test
    void plansWithoutRegularizationAreTheOnesTheyWereAndValidateTheStrength() {
        Plan identity = REGULARIZATION.identity();
        assertEquals(new Plan(Kind.NONE, 0.0), identity);
        assertEquals(identity, REGULARIZATION.decode(new Assignment(Map.of())));
        assertEquals(identity, new Plan(null, 0.0), "null (an old plan) is none");
        assertTrue(identity.regularizer().isNone());
        assertEquals(Regularization.none(), identity.regularizer());
        assertEquals(Regularization.groupLasso(0.25), new Plan(Kind.GROUP_LASSO, 0.25).regularizer());
        assertEquals(Regularization.named("l1", 0.1), new Plan(Kind.L1, 0.1).regularizer());

        assertRejects("regularization strength must be 0 without regularization, got 0.1", () -> new Plan(Kind.NONE, 0.1));
        assertRejects("regularization strength must be 0 without regularization, got 0.1", () -> new Plan(null, 0.1));
        assertRejects("regularization strength must be finite and > 0 for l1, got 0.0", () -> new Plan(Kind.L1, 0.0));
        assertRejects("regularization strength must be finite and > 0 for group_lasso, got -1.0", () -> new Plan(Kind.GROUP_LASSO, -1.0));
        assertRejects("regularization strength must be finite and > 0 for l1, got Infinity", () -> new Plan(Kind.L1, Double.POSITIVE_INFINITY));
        assertRejects("regularization strength must be finite and > 0 for l1, got NaN", () -> new Plan(Kind.L1, Double.NaN));
        assertDoesNotThrow(() -> new Plan(Kind.L1, 1e-9));
    }
}
