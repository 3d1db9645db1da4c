package dev.kompakt.strategies.distillation;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.strategies.LegacySpaces;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.distillation.DistillationStrategy.Kind;
import dev.kompakt.strategies.distillation.DistillationStrategy.Plan;
import dev.kompakt.strategies.distillation.DistillationStrategy.Range;
import dev.kompakt.strategies.plan.Strategies;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.kompakt.strategies.PlanTesting.assertRejects;
import static dev.kompakt.strategies.PlanTesting.assignment;
import static dev.kompakt.strategies.PlanTesting.map;
import static dev.kompakt.strategies.PlanTesting.names;
import static dev.kompakt.strategies.PlanTesting.study;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The distillation strategy: on/off, temperature, alpha and kind. */
class DistillationStrategyTest {
    private static final DistillationStrategy DISTILL = Strategies.DISTILLATION;
    private static final Range RANGE = new Range(1.0, 8.0, 0.1, 0.9);
    private static final List<Kind> ALL_KINDS = List.of(Kind.RESPONSE, Kind.FEATURE, Kind.RELATION);

    @Test
    void kindsHaveTheirIdsAndParseErrorsListThem() {
        assertEquals(List.of("response", "feature", "relation"), Option.ids(Kind.class));
        assertEquals(Kind.RELATION, Option.parse(Kind.class, "relation"));
        assertRejects("unknown distillation kind 'attention' (known: response, feature, relation)", () -> Option.parse(Kind.class, "attention"));
    }

    @Test
    void spaceHasEnabledThenItsHyperparametersWhenEnabled() {
        assertEquals("distill.", DISTILL.prefix());
        SearchSpace s = DISTILL.space(RANGE);
        assertEquals(List.of("distill.enabled", "distill.temperature", "distill.alpha"), names(s));
        assertEquals(List.of(DistillationStrategy.ENABLED, DistillationStrategy.TEMPERATURE, DistillationStrategy.ALPHA), names(s));
        assertEquals(List.of(false, true), ((Parameter.Categorical) s.parameter("distill.enabled")).choices());
        assertEquals(Optional.empty(), s.parameter("distill.enabled").activeIf());
        Optional<Parameter.Condition> on = Optional.of(new Parameter.Condition("distill.enabled", List.of(true)));
        Parameter.FloatParam t = (Parameter.FloatParam) s.parameter("distill.temperature");
        assertEquals(1.0, t.low());
        assertEquals(8.0, t.high());
        assertFalse(t.log());
        assertEquals(on, t.activeIf());
        Parameter.FloatParam a = (Parameter.FloatParam) s.parameter("distill.alpha");
        assertEquals(0.1, a.low());
        assertEquals(0.9, a.high());
        assertFalse(a.log());
        assertEquals(on, a.activeIf());

        assertTrue(s.contains(new Assignment(map("distill.enabled", false))));
        assertFalse(s.contains(new Assignment(map("distill.enabled", false, "distill.temperature", 2.0, "distill.alpha", 0.5))));
        assertTrue(s.contains(new Assignment(map("distill.enabled", true, "distill.temperature", 2.0, "distill.alpha", 0.5))));
        assertFalse(s.contains(new Assignment(map("distill.enabled", true, "distill.temperature", 9.0, "distill.alpha", 0.5))),
                "temperature above the range");
    }

    @Test
    void kindIsInTheSpaceOnlyWhenMoreThanResponseIsAsked() {
        assertEquals(List.of(Kind.RESPONSE), RANGE.kinds(), "the 4-argument range is response KD");
        assertEquals(List.of(Kind.RESPONSE), new Range(1, 8, 0, 1, null).kinds());
        assertEquals(RANGE, new Range(1.0, 8.0, 0.1, 0.9, List.of()));
        assertEquals(DISTILL.space(RANGE), DISTILL.space(new Range(1, 8, 0.1, 0.9, List.of(Kind.RESPONSE))),
                "[response] is the space searched before kinds existed");
        SearchSpace s = DISTILL.space(new Range(1, 8, 0.1, 0.9, ALL_KINDS));
        assertEquals(List.of("distill.enabled", "distill.temperature", "distill.alpha", "distill.kind"), names(s));
        assertEquals(List.of("response", "feature", "relation"), ((Parameter.Categorical) s.parameter(DistillationStrategy.KIND)).choices());
        assertEquals(Optional.of(new Parameter.Condition("distill.enabled", List.of(true))), s.parameter(DistillationStrategy.KIND).activeIf());
        assertFalse(s.contains(new Assignment(map("distill.enabled", false, "distill.kind", "feature"))), "inactive when off");
        assertTrue(s.contains(new Assignment(map("distill.enabled", true, "distill.temperature", 2.0, "distill.alpha", 0.5,
                "distill.kind", "relation"))));
        // a single non-default kind is still recorded, so the plan decodes to it
        SearchSpace onlyFeature = DISTILL.space(new Range(1, 8, 0.1, 0.9, List.of(Kind.FEATURE)));
        assertEquals(List.of("feature"), ((Parameter.Categorical) onlyFeature.parameter(DistillationStrategy.KIND)).choices());

        Study study = study("k", s, 5);
        Map<Kind, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < 120; i++) {
            Assignment a = study.ask().assignment();
            Plan p = DISTILL.decode(a);
            if (p.enabled()) {
                assertEquals(a.getString(DistillationStrategy.KIND), p.kind().id());
                seen.merge(p.kind(), 1, Integer::sum);
            }
        }
        assertEquals(3, seen.size(), "every kind is sampled: " + seen);
    }

    @Test
    void spacesEqualTheOnesOfEarlierVersions() {
        assertEquals(LegacySpaces.distillation(1.0, 8.0, 0.1, 0.9, List.of("response")), DISTILL.fragment(RANGE));
        assertEquals(LegacySpaces.distillation(1, 8, 0, 1, List.of("response", "feature", "relation")),
                DISTILL.fragment(new Range(1, 8, 0, 1, ALL_KINDS)));
        assertEquals(LegacySpaces.distillation(2, 4, 0.5, 0.5, List.of("relation")), DISTILL.fragment(new Range(2, 4, 0.5, 0.5, List.of(Kind.RELATION))));
        assertEquals(LegacySpaces.of(null, null, null, LegacySpaces.distillation(1, 8, 0.1, 0.9, List.of("feature", "response"))),
                DISTILL.space(new Range(1, 8, 0.1, 0.9, List.of(Kind.FEATURE, Kind.RESPONSE))));
    }

    @Test
    void decodesEveryFieldIncludingJournalStrings() {
        assertEquals(new Plan(true, 4.0, 0.25, Kind.RESPONSE), DISTILL.decode(assignment("distill.enabled", true, "distill.temperature", 4.0,
                "distill.alpha", 0.25)));
        assertEquals(new Plan(true, 3.0, 0.4, Kind.FEATURE), DISTILL.decode(assignment("distill.enabled", "true", "distill.temperature", "3.0",
                "distill.alpha", "0.4", "distill.kind", "feature")));
        assertFalse(DISTILL.decode(assignment("distill.enabled", "false")).enabled());
        for (Kind kind : ALL_KINDS) {
            Plan p = DISTILL.decode(assignment("distill.enabled", true, "distill.temperature", 3.0, "distill.alpha", 0.4,
                    "distill.kind", kind.id()));
            assertEquals(Plan.of(kind, 3.0, 0.4), p);
            assertEquals(new Plan(true, 3.0, 0.4, kind), p);
        }
        assertEquals(Kind.RESPONSE, DISTILL.decode(assignment("distill.enabled", true)).kind(),
                "assignments recorded before the kind existed decode to response KD");
        assertRejects("unknown distillation kind 'attention' (known: response, feature, relation)",
                () -> DISTILL.decode(assignment("distill.enabled", true, "distill.kind", "attention")));
        assertRejects("distillation temperature must be >= 1, got 0.5",
                () -> DISTILL.decode(assignment("distill.enabled", true, "distill.temperature", 0.5)));
        // other strategies' parameters are not its own
        assertFalse(DISTILL.decode(assignment("student.width", 0.5, "prune.sparsity", 0.3)).enabled());
    }

    @Test
    void absentParametersTakeIdentityValues() {
        Plan identity = DISTILL.identity();
        assertEquals(new Plan(false, 1.0, 0.0, Kind.RESPONSE), identity);
        assertNull(identity.loss(), "softmax cross-entropy");
        Plan empty = DISTILL.decode(assignment());
        assertFalse(empty.enabled());
        assertEquals(identity.temperature(), empty.temperature());
        assertEquals(identity.kind(), empty.kind());
        assertEquals(identity, empty, "off decodes to the identity");
        assertEquals(identity, DISTILL.decode(assignment("distill.enabled", false, "distill.alpha", 0.7)), "whatever else is there");
        assertNull(empty.loss());
        // enabled without its hyperparameters (not from the space): temperature 1, alpha 0.5
        assertEquals(new Plan(true, 1.0, 0.5, Kind.RESPONSE), DISTILL.decode(assignment("distill.enabled", true)));
        // null (a plan serialised before the field existed) is response KD
        assertEquals(Kind.RESPONSE, new Plan(true, 2.0, 0.5, null).kind());
    }

    @Test
    void planValidationNamesTheValueWhenEnabled() {
        assertRejects("distillation temperature must be >= 1, got 0.5", () -> new Plan(true, 0.5, 0.5, Kind.RESPONSE));
        assertRejects("distillation temperature must be >= 1, got NaN", () -> new Plan(true, Double.NaN, 0.5, Kind.RESPONSE));
        assertRejects("distillation alpha must be in [0, 1], got 1.5", () -> Plan.of(Kind.RESPONSE, 2, 1.5));
        assertRejects("distillation alpha must be in [0, 1], got -0.5", () -> Plan.of(Kind.FEATURE, 2, -0.5));
        // edges that are valid
        assertDoesNotThrow(() -> Plan.of(Kind.RESPONSE, 1.0, 0.0));
        assertDoesNotThrow(() -> Plan.of(Kind.RELATION, 1.0, 1.0));
        // off: its hyperparameters are ignored even when out of range
        assertDoesNotThrow(() -> new Plan(false, 0.0, 7.0, Kind.RESPONSE));
    }

    @Test
    void lossFollowsTheKind() {
        assertInstanceOf(DistillationLoss.class, Plan.of(Kind.RESPONSE, 4.0, 0.5).loss());
        assertInstanceOf(DistillationLoss.class, Plan.of(Kind.FEATURE, 4.0, 0.5).loss(), "FitNets trains with response KD after the hints");
        assertInstanceOf(RelationalDistillationLoss.class, Plan.of(Kind.RELATION, 4.0, 0.5).loss());
        assertNull(new Plan(false, 4.0, 0.5, Kind.RELATION).loss());
    }

    @Test
    void everySampledAssignmentDecodesToAMatchingPlan() {
        Study study = study("d", DISTILL.space(RANGE), 17);
        int distilled = 0;
        for (int i = 0; i < 100; i++) {
            Assignment a = study.ask().assignment();
            Plan p = DISTILL.decode(a);
            assertEquals(a.getBoolean("distill.enabled"), p.enabled());
            assertEquals(Kind.RESPONSE, p.kind());
            if (p.enabled()) {
                distilled++;
                assertEquals(a.getDouble("distill.temperature"), p.temperature());
                assertEquals(a.getDouble("distill.alpha"), p.alpha());
            }
        }
        assertTrue(distilled > 25 && distilled < 75, "sampler covers both: " + distilled);
    }
}
