package dev.kompakt.search.pareto;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HypervolumeHistoryTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final List<Objective> MIN_XY = List.of(Objective.minimize("x"), Objective.minimize("y"));

    private static Trial trial(int number, TrialState state, int finishedSecond, double x, double y, double latency) {
        Map<String, Double> m = new HashMap<>();
        m.put("x", x);
        m.put("y", y);
        m.put("latency", latency);
        return new Trial(number, state, new Assignment(Map.of("n", number)), m, state == TrialState.FAILED ? "boom" : null, "w",
                T0, state == TrialState.RUNNING ? null : T0.plusSeconds(finishedSecond));
    }

    private static List<Integer> numbers(List<HypervolumeHistory.Step> steps) {
        return steps.stream().map(HypervolumeHistory.Step::trialNumber).toList();
    }

    private static List<Double> values(List<HypervolumeHistory.Step> steps) {
        return steps.stream().map(HypervolumeHistory.Step::hypervolume).toList();
    }

    @Test
    void oneStepPerCompletedTrialInOrderOfCompletion() {
        List<Constraint> constraints = List.of(new Constraint("latency", 10));
        List<Trial> trials = List.of(
                trial(0, TrialState.COMPLETE, 5, 0.75, 0.25, 1),   // finished third: adds 0.1875 -> 0.3125
                trial(1, TrialState.COMPLETE, 1, 0.25, 0.75, 1),   // finished first: box 0.75 * 0.25 = 0.1875
                trial(2, TrialState.FAILED, 2, 0.0, 0.0, 1),       // not completed: no step
                trial(3, TrialState.COMPLETE, 3, 0.0, 0.0, 50),    // infeasible: flat
                trial(4, TrialState.COMPLETE, 4, 0.5, 0.8, 1),     // dominated by 1: flat
                trial(5, TrialState.RUNNING, 0, 0, 0, 0),
                trial(6, TrialState.COMPLETE, 5, 1.5, 0.0, 1),     // beyond the reference: flat; same time as 0, numbered after
                trial(7, TrialState.COMPLETE, 6, 0.25, 0.25, 1),   // dominates 0 and 1: box 0.5625
                trial(8, TrialState.STOPPED, 7, 0.0, 0.0, 1),      // only COMPLETE trials count
                trial(9, TrialState.COMPLETE, 8, Double.NaN, 0, 1)); // NaN objective: flat
        List<HypervolumeHistory.Step> steps = HypervolumeHistory.of(trials, MIN_XY, constraints, new double[]{1, 1});
        assertEquals(List.of(1, 3, 4, 0, 6, 7, 9), numbers(steps));
        assertEquals(List.of(0.1875, 0.1875, 0.1875, 0.3125, 0.3125, 0.5625, 0.5625), values(steps));
        assertTrue(HypervolumeHistory.of(List.of(), MIN_XY, constraints, new double[]{1, 1}).isEmpty());
    }

    @Test
    void directionsAreFlippedIntoTheMinimisationReference() {
        // maximise x: minimisation vector (-x, y); reference (-0.5, 1) means x must beat 0.5
        List<Objective> objectives = List.of(Objective.maximize("x"), Objective.minimize("y"));
        List<Trial> trials = List.of(trial(0, TrialState.COMPLETE, 1, 0.75, 0.5, 0), trial(1, TrialState.COMPLETE, 2, 0.25, 0.0, 0));
        List<HypervolumeHistory.Step> steps = HypervolumeHistory.of(trials, objectives, List.of(), new double[]{-0.5, 1});
        assertEquals(List.of(0.125, 0.125), values(steps)); // (0.75 - 0.5) * (1 - 0.5); trial 1 has x below 0.5
    }

    @Test
    void agreesWithTheHypervolumeOfEveryPrefix() {
        SplittableRandom random = new SplittableRandom(8);
        List<Objective> objectives = List.of(Objective.minimize("a"), Objective.maximize("b"), Objective.minimize("c"));
        List<Constraint> constraints = List.of(new Constraint("latency", 0.8));
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Map<String, Double> m = new HashMap<>();
            m.put("a", random.nextInt(20) / 16.0);
            m.put("b", random.nextDouble()); // maximised: -b in (-1, 0], inside the reference 0 unless b == 0
            m.put("c", random.nextDouble() * 1.2);
            m.put("latency", random.nextDouble());
            TrialState state = random.nextInt(10) == 0 ? TrialState.FAILED : TrialState.COMPLETE;
            // finishing times out of number order, with ties broken by number
            trials.add(new Trial(i, state, new Assignment(Map.of("n", i)), m, state == TrialState.FAILED ? "boom" : null, "w", T0,
                    T0.plusSeconds(random.nextInt(100))));
        }
        double[] reference = {1, 0, 1};
        List<HypervolumeHistory.Step> steps = HypervolumeHistory.of(trials, objectives, constraints, reference);
        List<Trial> done = new ArrayList<>(trials.stream().filter(Trial::isComplete).toList());
        done.sort(java.util.Comparator.comparing(Trial::finished).thenComparingInt(Trial::number));
        assertEquals(done.stream().map(Trial::number).toList(), numbers(steps));
        List<double[]> feasible = new ArrayList<>();
        double previous = 0;
        for (int i = 0; i < done.size(); i++) {
            Trial t = done.get(i);
            if (t.violation(constraints) == 0) {
                feasible.add(t.minimizationVector(objectives));
            }
            double expected = Hypervolume.of(feasible, reference);
            double actual = steps.get(i).hypervolume();
            assertEquals(expected, actual, 1e-12, "after trial " + t.number());
            assertTrue(actual >= previous, "non-decreasing");
            previous = actual;
        }
        assertTrue(previous > 0.3, "the search found something: " + previous);
    }

    @Test
    void rejectsAReferenceThatDoesNotFitTheObjectives() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HypervolumeHistory.of(List.of(), MIN_XY, List.of(), new double[]{1, 1, 1}));
        assertTrue(e.getMessage().contains("reference has 3 values but there are 2 objectives"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> HypervolumeHistory.of(List.of(), MIN_XY, List.of(), new double[]{1, Double.NaN}));
        assertTrue(e.getMessage().contains("objective 'y'"), e.getMessage());
    }
}
