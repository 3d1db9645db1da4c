package dev.kompakt.strategies.pruning;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.strategies.LegacySpaces;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.plan.Strategies;
import dev.kompakt.strategies.pruning.StudentStrategy.Criterion;
import dev.kompakt.strategies.pruning.StudentStrategy.Init;
import dev.kompakt.strategies.pruning.StudentStrategy.Plan;
import dev.kompakt.strategies.pruning.StudentStrategy.Range;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static dev.kompakt.strategies.PlanTesting.assertRejects;
import static dev.kompakt.strategies.PlanTesting.assignment;
import static dev.kompakt.strategies.PlanTesting.map;
import static dev.kompakt.strategies.PlanTesting.names;
import static dev.kompakt.strategies.PlanTesting.study;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The student strategy's options, range, space and plan. */
class StudentStrategyTest {
    private static final StudentStrategy STUDENT = Strategies.STUDENT;
    private static final Range RANGE = new Range(List.of(0.5, 0.75, 1.0), List.of(Init.INHERIT, Init.SCRATCH), List.of());

    @Test
    void optionsHaveTheirIdsAndParseCaseInsensitively() {
        assertEquals(List.of("inherit", "scratch"), Option.ids(Init.class));
        assertEquals(List.of("l1", "l2", "taylor", "random", "bn_scale"), Option.ids(Criterion.class));
        assertEquals(ImportanceCriterion.NAMES, Option.ids(Criterion.class), "every criterion the operator knows, and only those");
        for (Criterion c : Criterion.values()) {
            assertDoesNotThrow(() -> ImportanceCriterion.named(c.id(), 1L), c.id());
        }
        assertEquals(Init.SCRATCH, Option.parse(Init.class, "scratch"));
        assertEquals(Init.INHERIT, Option.parse(Init.class, "INHERIT"));
        assertEquals(Criterion.BN_SCALE, Option.parse(Criterion.class, "bn_scale"));
        assertEquals(List.of("inherit", "scratch"), Option.choices(List.of(Init.INHERIT, Init.SCRATCH)));
        assertRejects("unknown student init 'random' (known: inherit, scratch)", () -> Option.parse(Init.class, "random"));
        assertRejects("unknown student criterion 'l3' (known: l1, l2, taylor, random, bn_scale)", () -> Option.parse(Criterion.class, "l3"));
    }

    @Test
    void spaceHasWidthThenInitForNarrowerWidthsThenCriterionForInherit() {
        assertEquals("student.", STUDENT.prefix());
        SearchSpace s = STUDENT.space(RANGE);
        assertEquals(List.of("student.width", "student.init", "student.criterion"), names(s));
        assertEquals(List.of(StudentStrategy.WIDTH, StudentStrategy.INIT, StudentStrategy.CRITERION), names(s));
        assertEquals(List.of("width", "init", "criterion"), names(STUDENT.fragment(RANGE)), "the fragment is unprefixed");

        Parameter.Categorical width = (Parameter.Categorical) s.parameter("student.width");
        assertEquals(List.of(0.5, 0.75, 1.0), width.choices());
        assertEquals(Optional.empty(), width.activeIf());
        Parameter.Categorical init = (Parameter.Categorical) s.parameter("student.init");
        assertEquals(List.of("inherit", "scratch"), init.choices());
        // the condition is prefixed and lists exactly the narrower widths
        assertEquals(Optional.of(new Parameter.Condition("student.width", List.of(0.5, 0.75))), init.activeIf());
        // the criterion only matters for students that inherit channels
        Parameter.Categorical criterion = (Parameter.Categorical) s.parameter("student.criterion");
        assertEquals(List.of("l1"), criterion.choices(), "default criteria");
        assertEquals(Optional.of(new Parameter.Condition("student.init", List.of("inherit"))), criterion.activeIf());

        // only scratch: no criterion to choose
        assertEquals(List.of("student.width", "student.init"),
                names(STUDENT.space(new Range(List.of(0.5, 1.0), List.of(Init.SCRATCH), List.of()))));
    }

    @Test
    void spacesEqualTheOnesOfEarlierVersions() {
        assertEquals(LegacySpaces.student(List.of(0.5, 0.75, 1.0), List.of("inherit", "scratch"), List.of("l1")), STUDENT.fragment(RANGE));
        assertEquals(LegacySpaces.student(List.of(0.5), List.of("inherit"), List.of("l1")), STUDENT.fragment(new Range(List.of(0.5))));
        assertEquals(LegacySpaces.student(List.of(1.0), List.of("inherit"), List.of("l1")), STUDENT.fragment(new Range(List.of(1.0))));
        assertEquals(LegacySpaces.student(List.of(0.25, 0.5, 1.0), List.of("scratch", "inherit"), List.of("taylor", "bn_scale", "random")),
                STUDENT.fragment(new Range(List.of(0.25, 0.5, 1.0), List.of(Init.SCRATCH, Init.INHERIT),
                        List.of(Criterion.TAYLOR, Criterion.BN_SCALE, Criterion.RANDOM))));
        assertEquals(LegacySpaces.student(List.of(0.5, 0.75), List.of("scratch"), List.of("l2")),
                STUDENT.fragment(new Range(List.of(0.5, 0.75), List.of(Init.SCRATCH), List.of(Criterion.L2))));
        assertEquals(LegacySpaces.of(LegacySpaces.student(List.of(0.5, 0.75, 1.0), List.of("inherit", "scratch"), List.of("l1")), null, null,
                null), STUDENT.space(RANGE));
    }

    @Test
    void initIsActiveOnlyForNarrowerWidths() {
        SearchSpace s = STUDENT.space(RANGE);
        assertTrue(s.contains(new Assignment(map("student.width", 1.0))));
        assertFalse(s.contains(new Assignment(map("student.width", 1.0, "student.init", "inherit"))), "width 1.0 must not carry an init");
        assertTrue(s.contains(new Assignment(map("student.width", 0.5, "student.init", "scratch"))));
        assertTrue(s.contains(new Assignment(map("student.width", 0.5, "student.init", "inherit", "student.criterion", "l1"))));
        assertFalse(s.contains(new Assignment(map("student.width", 0.5, "student.init", "inherit"))), "inherit needs a criterion");
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
        assertEquals(List.of("student.width"), names(STUDENT.space(new Range(List.of(1.0)))));
        assertEquals(List.of("student.width"), names(STUDENT.space(new Range(List.of(1.0), List.of(Init.SCRATCH), List.of(Criterion.L2)))));
    }

    @Test
    void rangeDefaultsAndValidation() {
        // the single-argument constructor, null and empty lists default init to inherit and criteria to l1
        for (Range r : List.of(new Range(List.of(0.5)), new Range(List.of(0.5), null, null), new Range(List.of(0.5), List.of(), List.of()))) {
            assertEquals(List.of(Init.INHERIT), r.init());
            assertEquals(List.of(Criterion.L1), r.criteria());
        }
        assertEquals(new Range(List.of(0.5)), new Range(List.of(0.5), List.of(Init.INHERIT), List.of(Criterion.L1)));
        assertDoesNotThrow(() -> new Range(List.of(0.01, 1.0)));
        assertRejects("student width must be in (0, 1] (a student narrows the baseline), got 1.5", () -> new Range(List.of(0.5, 1.5)));
        assertRejects("student width must be in (0, 1] (a student narrows the baseline), got 0.0", () -> new Range(List.of(0.0)));
        assertRejects("student width must be in (0, 1] (a student narrows the baseline), got NaN", () -> new Range(List.of(Double.NaN)));
    }

    @Test
    void decodesEveryFieldIncludingJournalStrings() {
        assertEquals(new Plan(0.5, Init.SCRATCH, Criterion.L1), STUDENT.decode(assignment("student.width", 0.5, "student.init", "scratch")));
        assertEquals(new Plan(0.5, Init.INHERIT, Criterion.TAYLOR),
                STUDENT.decode(assignment("student.width", 0.5, "student.init", "inherit", "student.criterion", "taylor")));
        // network slimming is a criterion a plan may name
        assertEquals(Criterion.BN_SCALE, STUDENT.decode(assignment("student.width", 0.5, "student.init", "inherit",
                "student.criterion", "bn_scale")).criterion());
        // a journal replay may hand back values as strings
        Plan p = STUDENT.decode(assignment("student.width", "0.75", "student.init", "inherit"));
        assertEquals(0.75, p.width());
        assertEquals(Init.INHERIT, p.init());
        assertTrue(p.isStudent());
        assertEquals(Init.SCRATCH, STUDENT.decode(assignment("student.width", "0.25", "student.init", "scratch")).init());
        // parameters of other strategies are not its own
        assertEquals(STUDENT.identity(), STUDENT.decode(assignment("prune.sparsity", 0.5, "quant.weight_bits", 4, "distill.enabled", true)));
        assertRejects("unknown student init 'random' (known: inherit, scratch)",
                () -> STUDENT.decode(assignment("student.width", 0.5, "student.init", "random")));
        assertRejects("unknown student criterion 'l3' (known: l1, l2, taylor, random, bn_scale)",
                () -> STUDENT.decode(assignment("student.width", 0.5, "student.init", "inherit", "student.criterion", "l3")));
    }

    @Test
    void absentParametersTakeIdentityValues() {
        Plan identity = STUDENT.identity();
        assertEquals(new Plan(1.0, Init.INHERIT, Criterion.L1), identity);
        assertFalse(identity.isStudent());
        assertEquals(identity, STUDENT.decode(assignment()));
        // width 1.0 has no init parameter: inherit (= keep the baseline's weights)
        assertEquals(identity, STUDENT.decode(assignment("student.width", 1.0)));
        assertEquals(Init.INHERIT, STUDENT.decode(assignment("student.width", 0.5)).init());
        // null (a JSON plan written before the fields existed) takes the defaults
        assertEquals(new Plan(0.5, Init.INHERIT, Criterion.L1), new Plan(0.5, null, null));
    }

    @Test
    void planValidationNamesTheValue() {
        assertRejects("student width multiplier must be in (0, 4], got 0.0", () -> new Plan(0.0, Init.INHERIT, Criterion.L1));
        assertRejects("student width multiplier must be in (0, 4], got 4.5", () -> new Plan(4.5, Init.INHERIT, Criterion.L1));
        assertRejects("student width multiplier must be in (0, 4], got -0.5", () -> new Plan(-0.5, Init.INHERIT, Criterion.L1));
        assertRejects("student width multiplier must be in (0, 4], got NaN", () -> new Plan(Double.NaN, Init.INHERIT, Criterion.L1));
        assertRejects("student width multiplier must be in (0, 4], got 0.0", () -> STUDENT.decode(assignment("student.width", 0.0)));
        // edges that are valid (plans of earlier versions had widths up to 4; wider ones are refused when built)
        assertDoesNotThrow(() -> new Plan(4.0, Init.SCRATCH, Criterion.L1));
        assertDoesNotThrow(() -> new Plan(0.01, Init.SCRATCH, Criterion.L1));
        assertTrue(new Plan(2.0, Init.INHERIT, Criterion.L1).isStudent());
    }

    @Test
    void everySampledAssignmentDecodesToAMatchingPlan() {
        Range range = new Range(List.of(0.5, 0.75, 1.0), List.of(Init.INHERIT, Init.SCRATCH), List.of(Criterion.L1, Criterion.TAYLOR));
        Study study = study("student", STUDENT.space(range), 17);
        int students = 0;
        int scratch = 0;
        for (int i = 0; i < 100; i++) {
            Assignment a = study.ask().assignment();
            Plan p = STUDENT.decode(a);
            assertEquals(a.getDouble("student.width"), p.width());
            assertEquals(!a.has("student.init") || a.getString("student.init").equals("inherit"), p.init() == Init.INHERIT);
            assertEquals(a.has("student.criterion") ? a.getString("student.criterion") : "l1", p.criterion().id());
            students += p.isStudent() ? 1 : 0;
            scratch += p.init() == Init.SCRATCH ? 1 : 0;
        }
        assertTrue(students > 40 && scratch > 10, students + " students, " + scratch + " from scratch");
    }
}
