package dev.kompakt.search.pareto;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.sampler.RandomSampler;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParetoFrontTest {
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size"));
    private static final List<Constraint> CONSTRAINTS = List.of(new Constraint("latency", 10.0));
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private static Trial trial(int number, TrialState state, Double accuracy, Double size, Double latency) {
        Map<String, Double> m = new HashMap<>();
        if (accuracy != null) {
            m.put("accuracy", accuracy);
        }
        if (size != null) {
            m.put("size", size);
        }
        if (latency != null) {
            m.put("latency", latency);
        }
        return new Trial(number, state, new Assignment(Map.of("x", number)), m,
                state == TrialState.FAILED ? "boom" : null, "w", T0, state == TrialState.RUNNING ? null : T0.plusSeconds(1));
    }

    private static List<Integer> numbers(List<Trial> trials) {
        return trials.stream().map(Trial::number).toList();
    }

    @Test
    void keepsOnlyFeasibleCompleteNonDominatedTrialsSortedByFirstObjective() {
        List<Trial> trials = List.of(
                trial(0, TrialState.COMPLETE, 0.80, 5.0, 5.0),     // front
                trial(1, TrialState.COMPLETE, 0.90, 10.0, 5.0),    // front (best accuracy among feasible)
                trial(2, TrialState.COMPLETE, 0.85, 12.0, 5.0),    // dominated by 1 (lower accuracy, bigger)
                trial(3, TrialState.COMPLETE, 0.95, 1.0, 20.0),    // dominates everything but violates latency <= 10
                trial(4, TrialState.FAILED, 0.99, 0.5, 1.0),       // failed: never on the front
                trial(5, TrialState.COMPLETE, Double.NaN, 0.1, 1.0), // NaN objective
                trial(6, TrialState.RUNNING, null, null, null),
                trial(7, TrialState.STOPPED, 0.99, 0.1, 1.0),      // only COMPLETE trials count
                trial(8, TrialState.COMPLETE, 0.99, 0.1, null),    // constraint metric missing: infeasible
                trial(9, TrialState.COMPLETE, 0.70, 2.0, 10.0),    // front; latency exactly on the bound is feasible
                trial(10, TrialState.COMPLETE, 0.70, 2.0, 9.0),    // duplicate objectives of 9: both on the front
                trial(11, TrialState.COMPLETE, 0.60, 2.0, 1.0),    // dominated by 9
                trial(12, TrialState.COMPLETE, 0.99, null, 1.0)    // missing objective -> NaN -> excluded
        );
        List<Trial> front = ParetoFront.of(trials, OBJECTIVES, CONSTRAINTS);
        // sorted by -accuracy (minimisation form of the first objective), then by number
        assertEquals(List.of(1, 0, 9, 10), numbers(front));
    }

    @Test
    void directionsMatter() {
        List<Trial> trials = List.of(
                trial(0, TrialState.COMPLETE, 0.9, 10.0, 0.0),
                trial(1, TrialState.COMPLETE, 0.8, 20.0, 0.0));
        // maximize accuracy, minimize size: trial 0 dominates
        assertEquals(List.of(0), numbers(ParetoFront.of(trials, OBJECTIVES, List.of())));
        // minimize accuracy, minimize size: incomparable, sorted by accuracy ascending
        assertEquals(List.of(1, 0), numbers(ParetoFront.of(trials,
                List.of(Objective.minimize("accuracy"), Objective.minimize("size")), List.of())));
        // minimize accuracy, maximize size: trial 1 dominates
        assertEquals(List.of(1), numbers(ParetoFront.of(trials,
                List.of(Objective.minimize("accuracy"), Objective.maximize("size")), List.of())));
    }

    @Test
    void withoutFeasibleTrialsTheFrontIsEmpty() {
        List<Trial> trials = List.of(trial(0, TrialState.COMPLETE, 0.9, 1.0, 11.0), trial(1, TrialState.FAILED, 0.9, 1.0, 1.0));
        assertTrue(ParetoFront.of(trials, OBJECTIVES, CONSTRAINTS).isEmpty());
        assertTrue(ParetoFront.of(List.of(), OBJECTIVES, CONSTRAINTS).isEmpty());
    }

    @Test
    void studyParetoFrontUsesTheStudysObjectivesAndConstraints() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParam("x", 0, 1)));
        Study study = new Study("s", space, OBJECTIVES, CONSTRAINTS, new RandomSampler(1));
        double[][] results = {{0.9, 10, 5}, {0.8, 5, 5}, {0.95, 1, 50}, {0.85, 12, 5}};
        for (double[] r : results) {
            int n = study.ask().number();
            study.tell(n, TrialResult.complete(Map.of("accuracy", r[0], "size", r[1], "latency", r[2]), "w"));
        }
        int nan = study.ask().number();
        study.tell(nan, TrialResult.complete(Map.of("accuracy", Double.NaN, "size", 0.0, "latency", 0.0), "w"));
        assertEquals(TrialState.FAILED, study.trial(nan).orElseThrow().state());
        assertEquals(List.of(0, 1), numbers(study.paretoFront()));
    }
}
