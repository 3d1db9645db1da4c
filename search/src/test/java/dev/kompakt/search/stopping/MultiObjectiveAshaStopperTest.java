package dev.kompakt.search.stopping;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MultiObjectiveAshaStopperTest {
    private static final List<Objective> ACC_SIZE = List.of(Objective.maximize("accuracy"), Objective.minimize("size"));
    private static final List<Objective> F1_F2 = List.of(Objective.minimize("f1"), Objective.minimize("f2"));

    /** A running trial that reported {@code values} at steps 0 and 1 (rung 0 when r = 1). */
    private static Trial atRung0(int number, Map<String, Double> values) {
        TreeMap<Integer, Map<String, Double>> steps = new TreeMap<>();
        steps.put(0, Map.of());
        steps.put(1, values);
        return Curves.trial(number, TrialState.RUNNING, steps);
    }

    private static Map<String, Double> acc(double accuracy, double size) {
        return Map.of("accuracy", accuracy, "size", size);
    }

    private static Map<String, Double> f(double f1, double f2) {
        return Map.of("f1", f1, "f2", f2);
    }

    /** The trials that go on when each is judged with all of them known (synchronous successive halving). */
    private static List<Integer> survivors(EarlyStopper stopper, List<Trial> trials, List<Objective> objectives, List<Constraint> constraints) {
        List<Integer> kept = new ArrayList<>();
        for (Trial t : trials) {
            if (!stopper.shouldStop(Curves.context(t, trials, objectives, constraints))) {
                kept.add(t.number());
            }
        }
        return kept;
    }

    @Test
    void aTrialBestInOneObjectiveAndWorstInTheOtherGoesOn() {
        List<Map<String, Double>> values = List.of(
                acc(0.95, 10.0),                    // 0: most accurate, largest
                acc(0.50, 1.0),                     // 1: smallest, least accurate
                acc(0.80, 4.0),                     // 2: balanced
                acc(0.70, 5.0), acc(0.60, 6.0), acc(0.75, 8.0), acc(0.55, 9.0), acc(0.65, 7.0), acc(0.70, 6.0)); // dominated by 2
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < values.size(); i++) {
            trials.add(atRung0(i, values.get(i)));
        }
        assertEquals(List.of(0, 1, 2), survivors(new MultiObjectiveAshaStopper(1, 3, 0), trials, ACC_SIZE, List.of()),
                "9 trials, eta 3: the non-dominated front of 3 goes on");
        assertTrue(new AshaStopper(Objective.minimize("size"), 1, 3, 0).shouldStop(Curves.context(trials.get(0), trials)),
                "single-objective ASHA on size would have stopped the most accurate trial");
    }

    @Test
    void theFrontThatDoesNotFitIsCutByHypervolumeContribution() {
        // front a, b, c, d; e and f dominated. Reference (5.5, 5.5); exclusive contributions a 0.5, b 6, c 2, d 0.5
        List<Trial> trials = List.of(atRung0(0, f(0, 5)), atRung0(1, f(1, 2)), atRung0(2, f(3, 1)), atRung0(3, f(5, 0)),
                atRung0(4, f(4, 4)), atRung0(5, f(5, 5)));
        assertArrayEquals(new double[] {5.5, 5.5}, MultiObjectiveAshaStopper.reference(
                trials.stream().map(t -> new double[] {t.lastReported().get("f1"), t.lastReported().get("f2")}).toList()));
        assertEquals(List.of(1, 2), survivors(new MultiObjectiveAshaStopper(1, 3, 0), trials, F1_F2, List.of()));
        assertEquals(List.of(0, 1, 2, 3), survivors(new MultiObjectiveAshaStopper(1, 2, 0), trials, F1_F2, List.of()),
                "eta 2 keeps 3 of 6; the extremes tie at 0.5 and ties go on");
    }

    @Test
    void theOtherCutsKeepTheExtremesOrTheWholeFirstFront() {
        // the same rung: front a (0, 5), b (1, 2), c (3, 1), d (5, 0); e, f dominated
        List<Trial> trials = List.of(atRung0(0, f(0, 5)), atRung0(1, f(1, 2)), atRung0(2, f(3, 1)), atRung0(3, f(5, 0)),
                atRung0(4, f(4, 4)), atRung0(5, f(5, 5)));
        var crowding = new MultiObjectiveAshaStopper(1, 3, 0, c -> true, MultiObjectiveAshaStopper.TieBreak.CROWDING);
        assertEquals(List.of(0, 3), survivors(crowding, trials, F1_F2, List.of()), "keep 2 of 6: each objective's best (infinite crowding)");
        var nondominated = new MultiObjectiveAshaStopper(1, 3, 0, c -> true, MultiObjectiveAshaStopper.TieBreak.NONDOMINATED);
        assertEquals(List.of(0, 1, 2, 3), survivors(nondominated, trials, F1_F2, List.of()), "every non-dominated trial goes on, only e and f stop");
    }

    @Test
    void wholeFrontsAreAdmittedInRankOrder() {
        // fronts {0, 1}, {2, 3}, {4}, ...; keep 3 of 9 with eta 3: front 0 whole, then one of front 1. Reference (8.8, 8.8):
        // within front 1, trial 2 contributes (3.5 - 1) * (8.8 - 3) = 14.5, trial 3 (8.8 - 3.5) * (3 - 1) = 10.6
        List<Trial> trials = List.of(atRung0(0, f(0, 2)), atRung0(1, f(2, 0)), atRung0(2, f(1, 3)), atRung0(3, f(3.5, 1)),
                atRung0(4, f(4, 4)), atRung0(5, f(5, 5)), atRung0(6, f(6, 6)), atRung0(7, f(7, 7)), atRung0(8, f(8, 8)));
        assertEquals(List.of(0, 1, 2), survivors(new MultiObjectiveAshaStopper(1, 3, 0), trials, F1_F2, List.of()));
    }

    @Test
    void constraintsRankFeasibleTrialsFirstAndUnreportedConstraintsCountAsSatisfied() {
        List<Constraint> latency = List.of(new Constraint("latency", 5));
        Map<String, Double> fastButInfeasible = new HashMap<>(f(0, 0));
        fastButInfeasible.put("latency", 10.0);
        Map<String, Double> b = new HashMap<>(f(1, 1));
        b.put("latency", 1.0);
        Map<String, Double> c = new HashMap<>(f(2, 2));
        c.put("latency", 1.0);
        List<Trial> trials = List.of(atRung0(0, fastButInfeasible), atRung0(1, b), atRung0(2, c));
        MultiObjectiveAshaStopper mo = new MultiObjectiveAshaStopper(1, 3, 0);
        assertEquals(List.of(1), survivors(mo, trials, F1_F2, latency));
        assertEquals(List.of(0), survivors(mo, trials, F1_F2, List.of()), "without the constraint trial 0 dominates");
        List<Trial> unmeasured = List.of(atRung0(0, f(0, 0)), atRung0(1, b), atRung0(2, c));
        assertEquals(List.of(0), survivors(mo, unmeasured, F1_F2, latency), "latency not reported at the step: not judged by it");
        MultiObjectiveAshaStopper notLatency = new MultiObjectiveAshaStopper(1, 3, 0, k -> !k.metric().equals("latency"));
        assertEquals(List.of(0), survivors(notLatency, trials, F1_F2, latency), "a constraint left out of the rungs is not judged there");
    }

    @Test
    void missingObjectivesCannotBeJudgedAndNaNCountsAsWorst() {
        MultiObjectiveAshaStopper mo = new MultiObjectiveAshaStopper(1, 3, 0);
        List<Trial> better = List.of(atRung0(0, acc(0.9, 1.0)), atRung0(1, acc(0.9, 1.0)));
        Trial onlyAccuracy = atRung0(2, Map.of("accuracy", 0.1));
        assertFalse(mo.shouldStop(Curves.context(onlyAccuracy, better, ACC_SIZE, List.of())), "size not reported at the latest step");
        assertTrue(mo.shouldStop(Curves.context(atRung0(2, acc(0.1, 9.0)), better, ACC_SIZE, List.of())));
        List<Trial> incomplete = List.of(atRung0(0, Map.of("accuracy", 0.99)), atRung0(1, Map.of("size", 0.01)));
        assertFalse(mo.shouldStop(Curves.context(atRung0(2, acc(0.1, 9.0)), incomplete, ACC_SIZE, List.of())),
                "others without every objective at the rung do not count: it is alone");
        List<Trial> one = List.of(atRung0(0, acc(0.5, 2.0)));
        assertTrue(mo.shouldStop(Curves.context(atRung0(1, acc(Double.NaN, 1.0)), one, ACC_SIZE, List.of())),
                "a NaN accuracy is the worst accuracy; it contributes no hypervolume");
        assertFalse(mo.shouldStop(Curves.context(atRung0(1, acc(0.5, 1.0)), one, ACC_SIZE, List.of())));
        assertFalse(mo.shouldStop(Curves.context(Curves.running(1, "accuracy"), one, ACC_SIZE, List.of())), "nothing reported");
    }

    @Test
    void onlyRungCrossingsAreJudgedAndFailedTrialsDoNotCount() {
        MultiObjectiveAshaStopper mo = new MultiObjectiveAshaStopper(1, 3, 0);
        List<Trial> better = List.of(atRung0(0, f(0, 0)), atRung0(1, f(0, 0)));
        TreeMap<Integer, Map<String, Double>> steps = new TreeMap<>(Map.of(0, f(9, 9), 1, f(1, 1), 2, f(9, 9)));
        Trial passedRung0 = Curves.trial(2, TrialState.RUNNING, steps);
        assertFalse(mo.shouldStop(Curves.context(passedRung0, better, F1_F2, List.of())), "step 2 is not a rung");
        assertTrue(mo.shouldStop(Curves.context(Curves.upTo(passedRung0, 2), better, F1_F2, List.of())));
        List<Trial> failed = List.of(Curves.trial(0, TrialState.FAILED, Map.of(1, f(0, 0))));
        assertFalse(mo.shouldStop(Curves.context(atRung0(1, f(5, 5)), failed, F1_F2, List.of())));
    }

    @Test
    void withOneObjectiveItDecidesLikeAsha() {
        SplittableRandom random = new SplittableRandom(11);
        List<Objective> loss = List.of(Objective.minimize("loss"));
        for (int round = 0; round < 20; round++) {
            int n = 2 + random.nextInt(15);
            List<Trial> trials = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                trials.add(Curves.running(i, "loss", 1, Math.round(random.nextDouble() * 5) / 5.0)); // ties on purpose
            }
            for (int eta = 2; eta <= 4; eta++) {
                assertEquals(survivors(new AshaStopper(loss.get(0), 1, eta, 0), trials, loss, List.of()),
                        survivors(new MultiObjectiveAshaStopper(1, eta, 0), trials, loss, List.of()), "round " + round + ", eta " + eta);
            }
        }
    }

    @Test
    void exactlyATopThirdGoesOnInGeneralPosition() {
        SplittableRandom random = new SplittableRandom(3);
        List<Objective> three = List.of(Objective.minimize("a"), Objective.maximize("b"), Objective.minimize("c"));
        for (int round = 0; round < 10; round++) {
            List<Trial> trials = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                Map<String, Double> v = Map.of("a", random.nextDouble(), "b", random.nextDouble(), "c", random.nextDouble());
                trials.add(atRung0(i, v));
            }
            List<Integer> kept = survivors(new MultiObjectiveAshaStopper(1, 3, 0), trials, three, List.of());
            assertEquals(4, kept.size(), "round " + round + ": " + kept);
            List<Trial> reversed = new ArrayList<>(trials);
            java.util.Collections.reverse(reversed);
            for (Trial t : trials) {
                assertEquals(kept.contains(t.number()), !new MultiObjectiveAshaStopper(1, 3, 0).shouldStop(
                        new EarlyStopper.Context(t, reversed, three, List.of())), "order of the trials does not matter");
            }
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MultiObjectiveAshaStopper(0, 3, 0));
        assertThrows(IllegalArgumentException.class, () -> new MultiObjectiveAshaStopper(1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new MultiObjectiveAshaStopper(1, 3, -1));
        assertEquals(9L, new MultiObjectiveAshaStopper(1, 3, 2).rungStep(0));
    }
}
