package dev.kompakt.search.stopping;

import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The median stopping rule of Google Vizier (Golovin et al. 2017, "Google Vizier: A Service for Black-Box
 * Optimization", KDD), in the form of Optuna's {@code MedianPruner}: a trial stops at step {@code s} when its
 * best value of one metric so far is strictly worse than the median of the values other trials reported at step
 * {@code s}. It needs no schedule and is robust, but judges one metric only: name the one that matters most
 * (e.g. validation accuracy) — for several objectives see {@link MultiObjectiveAshaStopper}.
 *
 * <p>Details. No trial stops before {@code warmupSteps} (early epochs are noisy), nor while fewer than
 * {@code minTrials} other trials have a value at the same step (a median of one or two curves says little).
 * Other trials count whatever their state, except FAILED ones; trials that report on different step grids meet
 * only at common steps. NaN values of other trials are ignored; a trial whose every value so far is NaN (it
 * diverged) stops. A trial whose latest step lacks the metric is not judged.
 */
public final class MedianStopper implements EarlyStopper {
    private final Objective objective;
    private final int warmupSteps;
    private final int minTrials;

    /**
     * @param objective   the metric judged and its direction
     * @param warmupSteps trials are not stopped at steps below this
     * @param minTrials   at least this many other trials must have a value at the step (>= 1)
     */
    public MedianStopper(Objective objective, int warmupSteps, int minTrials) {
        this.objective = Objects.requireNonNull(objective, "objective");
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warm-up steps must be >= 0, got " + warmupSteps);
        }
        if (minTrials < 1) {
            throw new IllegalArgumentException("the median needs at least one other trial, got minTrials = " + minTrials);
        }
        this.warmupSteps = warmupSteps;
        this.minTrials = minTrials;
    }

    @Override
    public boolean shouldStop(Context context) {
        Trial trial = context.trial();
        if (trial.lastStep().isEmpty()) {
            return false;
        }
        int step = trial.lastStep().getAsInt();
        String metric = objective.metric();
        if (step < warmupSteps || trial.lastReported().get(metric) == null) {
            return false;
        }
        double best = Double.NaN;
        for (Map<String, Double> values : trial.intermediateValues().values()) {
            Double v = values.get(metric);
            if (v != null && !v.isNaN()) {
                double x = objective.direction().toMinimization(v);
                best = Double.isNaN(best) ? x : Math.min(best, x);
            }
        }
        if (Double.isNaN(best)) {
            return true; // every value so far is NaN: the run diverged
        }
        List<Double> others = new ArrayList<>();
        for (Trial other : context.trials()) {
            if (!Rungs.competes(other, trial)) {
                continue;
            }
            Map<String, Double> values = other.intermediateValues().get(step);
            Double v = values == null ? null : values.get(metric);
            if (v != null && !v.isNaN()) {
                others.add(objective.direction().toMinimization(v));
            }
        }
        if (others.size() < minTrials) {
            return false;
        }
        return best > median(others);
    }

    /** The median, the mean of the two middle values for an even count. */
    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    public Objective objective() {
        return objective;
    }

    public int warmupSteps() {
        return warmupSteps;
    }

    public int minTrials() {
        return minTrials;
    }

    @Override
    public String toString() {
        return "MedianStopper[" + objective + ", warmupSteps=" + warmupSteps + ", minTrials=" + minTrials + "]";
    }
}
