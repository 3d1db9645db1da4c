package dev.kompakt.search.stopping;

import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AshaStopperTest {
    private static final Objective LOSS = Objective.minimize("loss");

    @Test
    void rungsLieAtMinResourceTimesEtaToTheKPlusS() {
        AshaStopper a = new AshaStopper(LOSS, 1, 3, 0);
        assertEquals(List.of(1L, 3L, 9L, 27L), List.of(a.rungStep(0), a.rungStep(1), a.rungStep(2), a.rungStep(3)));
        AshaStopper b = new AshaStopper(LOSS, 2, 2, 1);
        assertEquals(List.of(4L, 8L, 16L), List.of(b.rungStep(0), b.rungStep(1), b.rungStep(2)));
        assertEquals(Long.MAX_VALUE, b.rungStep(40), "beyond any int step");
    }

    /** Trial {@code n} with loss {@code v} at steps 0 and 1 (rung 0 of r = 1). */
    private static Trial atRung0(int n, double v) {
        return Curves.running(n, "loss", v + 1, v);
    }

    @Test
    void synchronousSuccessiveHalvingKeepsExactlyATopThirdAtEachRung() {
        AshaStopper asha = new AshaStopper(LOSS, 1, 3, 0);
        double[] losses = {0.9, 0.2, 0.7, 0.4, 0.8, 0.1, 0.6, 0.3, 0.5};
        List<Trial> rung0 = new ArrayList<>();
        for (int i = 0; i < losses.length; i++) {
            rung0.add(atRung0(i, losses[i]));
        }
        List<Integer> survivors = new ArrayList<>();
        for (Trial t : rung0) {
            if (!asha.shouldStop(Curves.context(t, rung0))) {
                survivors.add(t.number());
            }
        }
        assertEquals(List.of(1, 5, 7), survivors, "9 trials, eta 3: the 3 best (0.1, 0.2, 0.3) go on");

        // the survivors run to rung 1 (step 3); the others stopped at step 1
        List<Trial> all = new ArrayList<>();
        for (Trial t : rung0) {
            double v = losses[t.number()];
            all.add(survivors.contains(t.number())
                    ? Curves.running(t.number(), "loss", v + 1, v, v, v - (t.number() == 7 ? 0.29 : 0.05))
                    : Curves.trial(t.number(), TrialState.STOPPED, "loss", v + 1, v));
        }
        List<Integer> rung1 = new ArrayList<>();
        for (Trial t : all) {
            if (t.state() == TrialState.RUNNING && !asha.shouldStop(Curves.context(t, all))) {
                rung1.add(t.number());
            }
        }
        assertEquals(List.of(7), rung1, "3 trials at rung 1: only the best, trial 7 (0.01 vs 0.05 and 0.15), goes on");
    }

    @Test
    void asynchronousPromotionCountsFollowTheArrivalOrder() {
        AshaStopper asha = new AshaStopper(LOSS, 1, 3, 0);
        double[] losses = {5, 4, 6, 3, 7, 8, 2, 9, 1};
        List<Trial> seen = new ArrayList<>();
        List<Integer> promoted = new ArrayList<>();
        for (int i = 0; i < losses.length; i++) {
            Trial t = atRung0(i, losses[i]);
            boolean stop = asha.shouldStop(Curves.context(t, seen));
            if (!stop) {
                promoted.add(i);
            }
            seen.add(stop ? Curves.trial(i, TrialState.STOPPED, "loss", losses[i] + 1, losses[i]) : t);
        }
        // n=1,2: the best so far goes on; 6 > 4; 3 is best; 7 > 3; n=6 keeps 2 (3, 4): 8 stops; 2 is best;
        // n=8 keeps 2: 9 stops; n=9 keeps 3: 1 is best
        assertEquals(List.of(0, 1, 3, 6, 8), promoted);
    }

    @Test
    void promotionIsFinal() {
        AshaStopper asha = new AshaStopper(LOSS, 1, 3, 0);
        Trial early = Curves.running(0, "loss", 2, 1.0, 0.9);
        List<Trial> better = new ArrayList<>();
        for (int i = 1; i <= 8; i++) {
            better.add(Curves.trial(i, TrialState.COMPLETE, "loss", 1, 0.5, 0.4, 0.3));
        }
        assertFalse(asha.shouldStop(Curves.context(Curves.upTo(early, 2), List.of())), "alone at rung 0 (step 1)");
        assertFalse(asha.shouldStop(Curves.context(early, better)), "step 2 is no rung: the promotion at step 1 stands");
        assertTrue(asha.shouldStop(Curves.context(Curves.upTo(early, 2), better)), "judged at step 1 with these others, it would stop");
    }

    @Test
    void reportsThatSkipRungsAreJudgedAtEveryRungCrossed() {
        AshaStopper asha = new AshaStopper(LOSS, 1, 2, 0); // rungs 1, 2, 4, 8
        // others: at rung 1 all worse than 0.5, at rung 2 all better
        List<Trial> others = List.of(
                Curves.trial(0, TrialState.RUNNING, Curves.at("loss", new int[] {1, 2}, new double[] {0.9, 0.1})),
                Curves.trial(1, TrialState.RUNNING, Curves.at("loss", new int[] {1, 2}, new double[] {0.8, 0.2})));
        Trial skipping = Curves.trial(2, TrialState.RUNNING, Curves.at("loss", new int[] {0, 2}, new double[] {1.0, 0.5}));
        assertTrue(asha.shouldStop(Curves.context(skipping, others)), "passes rung 1 (step 2 value 0.5 vs 0.8, 0.9) but not rung 2");
        Trial good = Curves.trial(2, TrialState.RUNNING, Curves.at("loss", new int[] {0, 2}, new double[] {1.0, 0.05}));
        assertFalse(asha.shouldStop(Curves.context(good, others)));
        // another trial's value at a rung it skipped is its value at the first step beyond it
        Trial judged = Curves.trial(1, TrialState.RUNNING, Curves.at("loss", new int[] {0, 4}, new double[] {9, 0.4}));
        List<Trial> skipper = List.of(Curves.trial(0, TrialState.STOPPED, Curves.at("loss", new int[] {0, 3}, new double[] {9, 0.3})));
        assertTrue(asha.shouldStop(Curves.context(judged, skipper)), "at rung 1 trial 0 counts with its step-3 value 0.3 < 0.4");
        List<Trial> neverReached = List.of(Curves.trial(0, TrialState.STOPPED, Curves.at("loss", new int[] {0}, new double[] {0.3})));
        assertFalse(asha.shouldStop(Curves.context(judged, neverReached)), "a trial that stopped before rung 1 does not count there");
    }

    @Test
    void theMinEarlyStoppingRateSkipsTheFirstRungs() {
        AshaStopper s1 = new AshaStopper(LOSS, 1, 3, 1); // rungs 3, 9, ...
        List<Trial> better = List.of(Curves.running(0, "loss", 0, 0, 0, 0), Curves.running(1, "loss", 0, 0, 0, 0));
        Trial bad = Curves.running(2, "loss", 5, 5, 5, 5);
        for (int s = 1; s <= 3; s++) {
            assertFalse(s1.shouldStop(Curves.context(Curves.upTo(bad, s), better)), "step " + (s - 1) + " is below the first rung");
        }
        assertTrue(s1.shouldStop(Curves.context(bad, better)), "step 3 is the first rung");
        assertTrue(new AshaStopper(LOSS, 1, 3, 0).shouldStop(Curves.context(Curves.upTo(bad, 2), better)), "s = 0 judges at step 1");
    }

    @Test
    void tiesGoOnAndMaximizationIsRespected() {
        AshaStopper asha = new AshaStopper(Objective.maximize("accuracy"), 1, 2, 0);
        List<Trial> others = List.of(Curves.running(0, "accuracy", 0, 0.5), Curves.running(1, "accuracy", 0, 0.7),
                Curves.running(2, "accuracy", 0, 0.9));
        // n = 4, keep 2: the threshold is 0.7
        assertFalse(asha.shouldStop(Curves.context(Curves.running(3, "accuracy", 0, 0.7), others)));
        assertFalse(asha.shouldStop(Curves.context(Curves.running(3, "accuracy", 0, 0.8), others)));
        assertTrue(asha.shouldStop(Curves.context(Curves.running(3, "accuracy", 0, 0.69), others)));
    }

    @Test
    void missingMetricIsNotJudgedNaNIsStoppedFailedTrialsDoNotCount() {
        AshaStopper asha = new AshaStopper(LOSS, 1, 3, 0);
        List<Trial> others = List.of(Curves.running(0, "loss", 0, 0.1), Curves.running(1, "loss", 0, 0.2));
        Trial noLoss = Curves.trial(2, TrialState.RUNNING, Map.of(0, Map.of("loss", 1.0), 1, Map.of("accuracy", 0.1)));
        assertFalse(asha.shouldStop(Curves.context(noLoss, others)), "latest step lacks 'loss'");
        assertTrue(asha.shouldStop(Curves.context(Curves.running(2, "loss", 0, Double.NaN), List.of())), "a diverged trial stops, even alone");
        List<Trial> failed = List.of(Curves.trial(0, TrialState.FAILED, "loss", 0, 0.1));
        assertFalse(asha.shouldStop(Curves.context(Curves.running(1, "loss", 0, 0.5), failed)));
        List<Trial> withoutMetric = List.of(Curves.trial(0, TrialState.RUNNING, Map.of(1, Map.of("accuracy", 0.9))));
        assertFalse(asha.shouldStop(Curves.context(Curves.running(1, "loss", 0, 0.5), withoutMetric)));
        assertFalse(asha.shouldStop(Curves.context(Curves.running(1, "loss"), others)), "nothing reported");
    }

    @Test
    void decisionsAreDeterministicAndIndependentOfTrialOrder() {
        AshaStopper asha = new AshaStopper(LOSS, 1, 3, 0);
        SplittableRandom random = new SplittableRandom(5);
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            trials.add(Curves.running(i, "loss", 1, random.nextDouble()));
        }
        List<Boolean> decisions = new ArrayList<>();
        int kept = 0;
        for (Trial t : trials) {
            boolean stop = asha.shouldStop(Curves.context(t, trials));
            decisions.add(stop);
            kept += stop ? 0 : 1;
            List<Trial> shuffled = new ArrayList<>(trials);
            java.util.Collections.shuffle(shuffled, new java.util.Random(t.number()));
            assertEquals(stop, asha.shouldStop(new EarlyStopper.Context(t, shuffled, List.of(), List.of())));
        }
        assertEquals(10, kept, "30 trials known at the rung: exactly 10 go on");
        List<Boolean> again = trials.stream().map(t -> new AshaStopper(LOSS, 1, 3, 0).shouldStop(Curves.context(t, trials))).toList();
        assertEquals(decisions, again);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new AshaStopper(LOSS, 0, 3, 0));
        IllegalArgumentException eta = assertThrows(IllegalArgumentException.class, () -> new AshaStopper(LOSS, 1, 1, 0));
        assertTrue(eta.getMessage().contains("reduction factor"), eta.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new AshaStopper(LOSS, 1, 3, -1));
        assertThrows(NullPointerException.class, () -> new AshaStopper(null, 1, 3, 0));
    }
}
