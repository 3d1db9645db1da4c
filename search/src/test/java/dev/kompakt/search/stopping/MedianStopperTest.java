package dev.kompakt.search.stopping;

import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MedianStopperTest {
    private static final int STEPS = 10;

    /** loss(t) = base + 1 / (t + 1): a decreasing learning curve whose level is set by {@code base}. */
    private static double[] curve(double base) {
        double[] v = new double[STEPS];
        for (int t = 0; t < STEPS; t++) {
            v[t] = base + 1.0 / (t + 1);
        }
        return v;
    }

    /** Five finished trials with bases 0.1 .. 0.5: the median at every step is the curve of base 0.3. */
    private static List<Trial> history() {
        List<Trial> trials = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            trials.add(Curves.trial(i, TrialState.COMPLETE, "loss", curve(0.1 * (i + 1))));
        }
        return trials;
    }

    /** The first step at which the stopper stops a trial following {@code values}, or -1. */
    private static int stopStep(EarlyStopper stopper, List<Trial> others, double[] values) {
        Trial full = Curves.running(99, "loss", values);
        for (int s = 1; s <= values.length; s++) {
            if (stopper.shouldStop(Curves.context(Curves.upTo(full, s), others))) {
                return s - 1;
            }
        }
        return -1;
    }

    @Test
    void badCurvesStopAndGoodCurvesContinue() {
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 0, 1);
        List<Trial> history = history();
        assertEquals(-1, stopStep(stopper, history, curve(0.15)));
        assertEquals(-1, stopStep(stopper, history, curve(0.3)), "equal to the median is not worse");
        assertEquals(0, stopStep(stopper, history, curve(0.31)));
        assertEquals(0, stopStep(stopper, history, curve(0.9)));
    }

    @Test
    void warmupStepsAreNeverStopped() {
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 4, 1);
        assertEquals(4, stopStep(stopper, history(), curve(0.9)));
    }

    @Test
    void theBestValueSoFarIsJudgedNotTheLatest() {
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 0, 1);
        double[] median = curve(0.3);
        // good early, then much worse than the median: its best so far (step 0) stays below the median at each step
        double[] v = {median[0] - 0.8, 5, 5, 5, 5};
        assertEquals(-1, stopStep(stopper, history(), v));
        double[] x = {median[2] + 0.01, median[2] + 0.01, median[2] + 0.01};
        assertEquals(2, stopStep(stopper, history(), x), "stopped once the median drops below its best");
    }

    @Test
    void tooFewOtherTrialsAtTheStepMeansNoDecision() {
        MedianStopper needsThree = new MedianStopper(Objective.minimize("loss"), 0, 3);
        List<Trial> two = history().subList(0, 2);
        assertEquals(-1, stopStep(needsThree, two, curve(0.9)));
        // three others, but only two of them reached step 5
        List<Trial> others = new ArrayList<>(two);
        others.add(Curves.trial(2, TrialState.STOPPED, "loss", 0.2, 0.2, 0.2, 0.2, 0.2));
        Trial judged = Curves.running(3, "loss", curve(0.9));
        assertTrue(needsThree.shouldStop(Curves.context(Curves.upTo(judged, 5), others)), "step 4: three trials");
        assertFalse(needsThree.shouldStop(Curves.context(Curves.upTo(judged, 6), others)), "step 5: two trials");
    }

    @Test
    void evenCountTakesTheMeanOfTheMiddleValues() {
        assertEquals(2.5, MedianStopper.median(List.of(4.0, 1.0, 3.0, 2.0)));
        assertEquals(3.0, MedianStopper.median(List.of(5.0, 1.0, 3.0)));
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 0, 1);
        List<Trial> others = List.of(Curves.running(0, "loss", 1), Curves.running(1, "loss", 2), Curves.running(2, "loss", 3),
                Curves.running(3, "loss", 4));
        assertTrue(stopper.shouldStop(Curves.context(Curves.running(4, "loss", 2.6), others)));
        assertFalse(stopper.shouldStop(Curves.context(Curves.running(4, "loss", 2.4), others)));
    }

    @Test
    void maximizedMetricsStopWhenBelowTheMedian() {
        MedianStopper stopper = new MedianStopper(Objective.maximize("accuracy"), 0, 1);
        List<Trial> others = List.of(Curves.running(0, "accuracy", 0.5, 0.6), Curves.running(1, "accuracy", 0.7, 0.8),
                Curves.running(2, "accuracy", 0.3, 0.4));
        assertTrue(stopper.shouldStop(Curves.context(Curves.running(3, "accuracy", 0.4, 0.55), others)));
        assertFalse(stopper.shouldStop(Curves.context(Curves.running(3, "accuracy", 0.4, 0.65), others)));
        assertFalse(stopper.shouldStop(Curves.context(Curves.running(3, "accuracy", 0.62, 0.58), others)), "best so far 0.62 > 0.6");
    }

    @Test
    void aMissingMetricCannotBeJudged() {
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 0, 1);
        Trial judged = Curves.trial(5, TrialState.RUNNING, Map.of(0, Map.of("loss", 9.0), 1, Map.of("accuracy", 0.1)));
        assertFalse(stopper.shouldStop(Curves.context(judged, history())), "latest step lacks 'loss'");
        assertFalse(stopper.shouldStop(Curves.context(Curves.running(5, "loss"), history())), "nothing reported");
        // others without the metric at the step do not count
        List<Trial> others = List.of(Curves.trial(0, TrialState.COMPLETE, Map.of(0, Map.of("accuracy", 0.9))));
        assertFalse(new MedianStopper(Objective.minimize("loss"), 0, 1).shouldStop(Curves.context(Curves.running(1, "loss", 9.0), others)));
    }

    @Test
    void divergedTrialsStopAndNaNOthersAreIgnored() {
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 0, 1);
        assertTrue(stopper.shouldStop(Curves.context(Curves.running(5, "loss", Double.NaN, Double.NaN), history())));
        assertFalse(stopper.shouldStop(Curves.context(Curves.running(5, "loss", 0.1, Double.NaN), history())),
                "an earlier finite best still counts");
        List<Trial> others = List.of(Curves.running(0, "loss", Double.NaN), Curves.running(1, "loss", Double.NaN),
                Curves.running(2, "loss", 1.0));
        assertFalse(stopper.shouldStop(Curves.context(Curves.running(3, "loss", 0.9), others)), "median of {1.0}, not of NaNs");
        assertTrue(stopper.shouldStop(Curves.context(Curves.running(3, "loss", 1.1), others)));
        assertFalse(new MedianStopper(Objective.minimize("loss"), 0, 2).shouldStop(Curves.context(Curves.running(3, "loss", 1.1), others)),
                "NaN values do not count towards minTrials");
    }

    @Test
    void failedTrialsDoNotCount() {
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 0, 1);
        List<Trial> others = List.of(Curves.trial(0, TrialState.FAILED, "loss", 0.0), Curves.trial(1, TrialState.FAILED, "loss", 0.0),
                Curves.trial(2, TrialState.STOPPED, "loss", 2.0));
        assertFalse(stopper.shouldStop(Curves.context(Curves.running(3, "loss", 1.0), others)));
        assertTrue(stopper.shouldStop(Curves.context(Curves.running(3, "loss", 3.0), others)));
    }

    @Test
    void sameTrialsGiveTheSameAnswerInAnyOrder() {
        MedianStopper stopper = new MedianStopper(Objective.minimize("loss"), 0, 1);
        List<Trial> history = history();
        Trial judged = Curves.upTo(Curves.running(5, "loss", curve(0.35)), 3);
        boolean first = stopper.shouldStop(Curves.context(judged, history));
        List<Trial> reversed = new ArrayList<>(history);
        reversed.add(judged);
        java.util.Collections.reverse(reversed);
        assertEquals(first, stopper.shouldStop(new EarlyStopper.Context(judged, reversed, List.of(), List.of())));
        assertTrue(first);
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new MedianStopper(Objective.minimize("loss"), -1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MedianStopper(Objective.minimize("loss"), 0, 0));
        assertTrue(e.getMessage().contains("minTrials"), e.getMessage());
        assertThrows(NullPointerException.class, () -> new MedianStopper(null, 0, 1));
    }
}
