package dev.kompakt.search.stopping;

import dev.kompakt.search.Direction;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The rung geometry of asynchronous successive halving (Li et al. 2020), shared by {@link AshaStopper} and
 * {@link MultiObjectiveAshaStopper}: rung {@code k} lies at step {@code minResource * reductionFactor^(k +
 * minEarlyStoppingRate)}. A trial is judged at a rung when it crosses it, that is when its latest step is its
 * first reported step at or beyond the rung; its value at the rung is what it reported at that step. Judging
 * only at crossings makes promotions final, as in ASHA: a trial that went on past a rung is never stopped
 * later because of it, however many better trials reach that rung afterwards.
 */
record Rungs(int minResource, int reductionFactor, int minEarlyStoppingRate) {
    Rungs {
        if (minResource < 1) {
            throw new IllegalArgumentException("min resource must be >= 1 step, got " + minResource);
        }
        if (reductionFactor < 2) {
            throw new IllegalArgumentException("reduction factor must be >= 2, got " + reductionFactor);
        }
        if (minEarlyStoppingRate < 0) {
            throw new IllegalArgumentException("min early-stopping rate must be >= 0, got " + minEarlyStoppingRate);
        }
    }

    /** The step of rung {@code k}, or {@code Long.MAX_VALUE} when it lies beyond any int step. */
    long step(int k) {
        long s = minResource;
        for (int i = 0; i < k + minEarlyStoppingRate; i++) {
            s *= reductionFactor;
            if (s > Integer.MAX_VALUE) {
                return Long.MAX_VALUE;
            }
        }
        return s;
    }

    /** The rung steps the trial crossed with its latest report, lowest first; usually none, at most a few. */
    List<Integer> crossedBy(Trial trial) {
        List<Integer> crossed = new ArrayList<>();
        if (trial.lastStep().isEmpty()) {
            return crossed;
        }
        int last = trial.lastStep().getAsInt();
        SortedMap<Integer, Map<String, Double>> before = trial.intermediateValues().headMap(last);
        int previous = before.isEmpty() ? -1 : before.lastKey();
        for (int k = 0; step(k) <= last; k++) {
            if (step(k) > previous) {
                crossed.add((int) step(k));
            }
        }
        return crossed;
    }

    /** What a trial reported at its first step at or beyond {@code rungStep}, or null when it has not reached it. */
    static Map<String, Double> valuesAt(Trial trial, int rungStep) {
        SortedMap<Integer, Map<String, Double>> reached = trial.intermediateValues().tailMap(rungStep);
        return reached.isEmpty() ? null : reached.get(reached.firstKey());
    }

    /**
     * Whether a trial's curve counts when others are judged: every trial but a FAILED one (whose values may be
     * the symptom of its failure) and the judged trial itself (which the caller adds).
     */
    static boolean competes(Trial other, Trial judged) {
        return other.number() != judged.number() && other.state() != TrialState.FAILED;
    }

    /** A value in "smaller is better" form, NaN (a diverged run) as the worst possible value. */
    static double toMinimization(Direction direction, double value) {
        return Double.isNaN(value) ? Double.POSITIVE_INFINITY : direction.toMinimization(value);
    }
}
