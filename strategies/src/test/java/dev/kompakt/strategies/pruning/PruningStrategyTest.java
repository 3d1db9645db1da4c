package dev.kompakt.strategies.pruning;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.strategies.LegacySpaces;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.plan.Strategies;
import dev.kompakt.strategies.pruning.PruningStrategy.Allocation;
import dev.kompakt.strategies.pruning.PruningStrategy.Plan;
import dev.kompakt.strategies.pruning.PruningStrategy.Range;
import dev.kompakt.strategies.pruning.PruningStrategy.Schedule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.kompakt.strategies.PlanTesting.assertRejects;
import static dev.kompakt.strategies.PlanTesting.assignment;
import static dev.kompakt.strategies.PlanTesting.names;
import static dev.kompakt.strategies.PlanTesting.study;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pruning strategy's options, range, space and plan. */
class PruningStrategyTest {
    private static final PruningStrategy PRUNING = Strategies.PRUNING;

    @Test
    void optionsHaveTheirIdsAndParseErrorsListThem() {
        assertEquals(List.of("oneshot", "agp"), Option.ids(Schedule.class));
        assertEquals(List.of("global", "sensitivity"), Option.ids(Allocation.class));
        assertEquals(Schedule.AGP, Option.parse(Schedule.class, "agp"));
        assertEquals(Allocation.SENSITIVITY, Option.parse(Allocation.class, "Sensitivity"));
        assertRejects("unknown pruning schedule 'cubic' (known: oneshot, agp)", () -> Option.parse(Schedule.class, "cubic"));
        assertRejects("unknown pruning allocation 'uniform' (known: global, sensitivity)", () -> Option.parse(Allocation.class, "uniform"));
    }

    @Test
    void spaceHasSparsityAndScheduleAndAllocationOnlyWhenMoreThanGlobalIsAsked() {
        assertEquals("prune.", PRUNING.prefix());
        SearchSpace s = PRUNING.space(new Range(0.0, 0.9));
        assertEquals(List.of("prune.sparsity", "prune.schedule"), names(s));
        assertEquals(List.of(PruningStrategy.SPARSITY, PruningStrategy.SCHEDULE), names(s));
        Parameter.FloatParam sparsity = (Parameter.FloatParam) s.parameter("prune.sparsity");
        assertEquals(0.0, sparsity.low());
        assertEquals(0.9, sparsity.high());
        assertFalse(sparsity.log());
        assertEquals(Optional.empty(), sparsity.activeIf());
        assertEquals(List.of("oneshot"), ((Parameter.Categorical) s.parameter("prune.schedule")).choices(), "default schedules");

        assertEquals(List.of("prune.sparsity", "prune.schedule"),
                names(PRUNING.space(new Range(0.0, 0.9, List.of(Schedule.ONESHOT), List.of(Allocation.GLOBAL)))));
        SearchSpace both = PRUNING.space(new Range(0.1, 0.9, List.of(Schedule.ONESHOT, Schedule.AGP),
                List.of(Allocation.GLOBAL, Allocation.SENSITIVITY)));
        assertEquals(List.of("prune.sparsity", "prune.schedule", "prune.allocation"), names(both));
        assertEquals(List.of("oneshot", "agp"), ((Parameter.Categorical) both.parameter(PruningStrategy.SCHEDULE)).choices());
        assertEquals(List.of("global", "sensitivity"), ((Parameter.Categorical) both.parameter(PruningStrategy.ALLOCATION)).choices());
        assertEquals(Optional.empty(), both.parameter(PruningStrategy.ALLOCATION).activeIf());
        // a single non-default allocation is still recorded, so the plan decodes to it
        assertEquals(List.of("sensitivity"), ((Parameter.Categorical) PRUNING.space(new Range(0.1, 0.9, List.of(),
                List.of(Allocation.SENSITIVITY))).parameter(PruningStrategy.ALLOCATION)).choices());
    }

    @Test
    void spacesEqualTheOnesOfEarlierVersions() {
        assertEquals(LegacySpaces.pruning(0.0, 0.9, List.of("oneshot"), List.of("global"), List.of("none"), 0.01, 30),
                PRUNING.fragment(new Range(0.0, 0.9)));
        assertEquals(LegacySpaces.pruning(0.0, 0.9, List.of("oneshot", "agp"), List.of("global"), List.of("none"), 0.01, 30),
                PRUNING.fragment(new Range(0.0, 0.9, List.of(Schedule.ONESHOT, Schedule.AGP), List.of(Allocation.GLOBAL))));
        assertEquals(LegacySpaces.pruning(0.2, 0.8, List.of("agp"), List.of("sensitivity", "global"), List.of("none"), 0.01, 30),
                PRUNING.fragment(new Range(0.2, 0.8, List.of(Schedule.AGP), List.of(Allocation.SENSITIVITY, Allocation.GLOBAL))));
        assertEquals(LegacySpaces.of(null, LegacySpaces.pruning(0.1, 0.5, List.of("oneshot"), List.of("global", "sensitivity"),
                List.of("none"), 0.01, 30), null, null), PRUNING.space(new Range(0.1, 0.5, null, List.of(Allocation.GLOBAL, Allocation.SENSITIVITY))));
    }

    @Test
    void rangeDefaultsAndValidation() {
        Range r = new Range(0.0, 0.9);
        assertEquals(List.of(Schedule.ONESHOT), r.schedules());
        assertEquals(List.of(Allocation.GLOBAL), r.allocations(), "default");
        assertEquals(r, new Range(0.0, 0.9, null, null));
        assertEquals(r, new Range(0.0, 0.9, List.of(), List.of()));
        assertDoesNotThrow(() -> new Range(0.5, 0.5));
        assertRejects("pruning sparsity range must have 0 <= min <= max < 1, got [0.0, 1.0]", () -> new Range(0.0, 1.0));
        assertRejects("pruning sparsity range must have 0 <= min <= max < 1, got [-0.1, 0.5]", () -> new Range(-0.1, 0.5));
        assertRejects("pruning sparsity range must have 0 <= min <= max < 1, got [0.6, 0.5]", () -> new Range(0.6, 0.5));
        assertRejects("pruning sparsity range must have 0 <= min <= max < 1, got [NaN, 0.5]", () -> new Range(Double.NaN, 0.5));
    }

    @Test
    void decodesEveryFieldIncludingJournalStrings() {
        assertEquals(new Plan(0.3, Schedule.AGP, Allocation.SENSITIVITY), PRUNING.decode(assignment("prune.sparsity", 0.3,
                "prune.schedule", "agp", "prune.allocation", "sensitivity")));
        assertEquals(new Plan(0.4, Schedule.ONESHOT, Allocation.GLOBAL), PRUNING.decode(assignment("prune.sparsity", "0.4",
                "prune.schedule", "oneshot")));
        // the regularisation shares the prefix but is not pruning's
        assertEquals(new Plan(0.5, Schedule.ONESHOT, Allocation.GLOBAL), PRUNING.decode(assignment("prune.sparsity", 0.5,
                "prune.regularization", "l1", "prune.regularization_strength", 0.1)));
        assertRejects("unknown pruning schedule 'cubic' (known: oneshot, agp)",
                () -> PRUNING.decode(assignment("prune.sparsity", 0.3, "prune.schedule", "cubic")));
        assertRejects("unknown pruning allocation 'uniform' (known: global, sensitivity)",
                () -> PRUNING.decode(assignment("prune.sparsity", 0.3, "prune.allocation", "uniform")));
    }

    @Test
    void absentParametersTakeIdentityValues() {
        Plan identity = PRUNING.identity();
        assertEquals(new Plan(0.0, Schedule.ONESHOT, Allocation.GLOBAL), identity);
        assertEquals(identity, PRUNING.decode(assignment()));
        // without allocation (as before it existed): global
        assertEquals(new Plan(0.3, Schedule.ONESHOT, Allocation.GLOBAL), PRUNING.decode(assignment("prune.sparsity", 0.3)));
        // null (a JSON plan written before the fields existed) takes the defaults
        assertEquals(new Plan(0.3, Schedule.ONESHOT, Allocation.GLOBAL), new Plan(0.3, null, null));
    }

    @Test
    void planValidationNamesTheValue() {
        assertRejects("pruning sparsity must be in [0, 1), got 1.0", () -> new Plan(1.0, Schedule.ONESHOT, Allocation.GLOBAL));
        assertRejects("pruning sparsity must be in [0, 1), got -0.1", () -> new Plan(-0.1, Schedule.ONESHOT, Allocation.GLOBAL));
        assertRejects("pruning sparsity must be in [0, 1), got NaN", () -> new Plan(Double.NaN, Schedule.ONESHOT, Allocation.GLOBAL));
        // an out-of-range assignment is refused when decoded
        assertRejects("pruning sparsity must be in [0, 1), got 1.0", () -> PRUNING.decode(assignment("prune.sparsity", 1.0)));
        assertDoesNotThrow(() -> new Plan(0.0, Schedule.AGP, Allocation.SENSITIVITY));
        assertDoesNotThrow(() -> new Plan(0.999, Schedule.AGP, Allocation.SENSITIVITY));
    }

    @Test
    void sampledAssignmentsDecodeToMatchingPlans() {
        Study study = study("a", PRUNING.space(new Range(0.1, 0.9, List.of(Schedule.ONESHOT, Schedule.AGP),
                List.of(Allocation.GLOBAL, Allocation.SENSITIVITY))), 9);
        int sensitivity = 0;
        int agp = 0;
        for (int i = 0; i < 60; i++) {
            Assignment a = study.ask().assignment();
            Plan p = PRUNING.decode(a);
            assertEquals(a.getDouble("prune.sparsity"), p.sparsity());
            assertTrue(p.sparsity() >= 0.1 && p.sparsity() <= 0.9);
            assertEquals(a.getString("prune.schedule"), p.schedule().id());
            assertEquals(a.getString("prune.allocation"), p.allocation().id());
            sensitivity += p.allocation() == Allocation.SENSITIVITY ? 1 : 0;
            agp += p.schedule() == Schedule.AGP ? 1 : 0;
        }
        assertTrue(sensitivity > 10 && sensitivity < 50, "both allocations sampled: " + sensitivity);
        assertTrue(agp > 10 && agp < 50, "both schedules sampled: " + agp);
    }
}
