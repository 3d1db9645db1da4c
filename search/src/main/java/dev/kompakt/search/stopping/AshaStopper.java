package dev.kompakt.search.stopping;

import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Asynchronous successive halving, ASHA (Li et al. 2020, "A System for Massively Parallel Hyperparameter
 * Tuning", MLSys), as an early-stopping rule like Optuna's {@code SuccessiveHalvingPruner}. Rungs lie at steps
 * {@code r * eta^(k + s)} for {@code k = 0, 1, ...} (min resource {@code r}, reduction factor {@code eta}, min
 * early-stopping rate {@code s}). When a trial crosses a rung, it goes on only if its value of one metric is
 * among the best {@code max(1, floor(n / eta))} of the {@code n} trials that have reached that rung so far (it
 * included; ties go on). Promotions are final; see {@link Rungs} for what "crossing" and a rung value mean.
 *
 * <p>Asynchronous: a trial is judged against the trials that reached the rung before it, so the first trials
 * to arrive are let through generously (with fewer than {@code eta} at a rung, only the best so far goes on),
 * and about {@code 1/eta} of the trials survive each rung in the long run. Synchronous successive halving
 * (Jamieson and Talwalkar 2016) is the same rule applied once all {@code n} trials of a rung are known: then
 * exactly {@code floor(n / eta)} go on (at least one).
 *
 * <p>Other trials count whatever their state except FAILED. A NaN value ranks worst, so a diverged trial stops;
 * a trial whose latest step lacks the metric is not judged; others without the metric at a rung do not count.
 */
public final class AshaStopper implements EarlyStopper {
    private final Objective objective;
    private final Rungs rungs;

    /**
     * @param objective            the metric judged and its direction
     * @param minResource          {@code r}: the step of the first rung when {@code s = 0} (>= 1)
     * @param reductionFactor      {@code eta}: 1/eta of the trials go on at each rung (>= 2)
     * @param minEarlyStoppingRate {@code s}: skips the first {@code s} rungs (>= 0); Hyperband varies it
     */
    public AshaStopper(Objective objective, int minResource, int reductionFactor, int minEarlyStoppingRate) {
        this.objective = Objects.requireNonNull(objective, "objective");
        this.rungs = new Rungs(minResource, reductionFactor, minEarlyStoppingRate);
    }

    @Override
    public boolean shouldStop(Context context) {
        Trial trial = context.trial();
        Double mine = trial.lastReported().get(objective.metric());
        if (mine == null) {
            return false;
        }
        for (int rung : rungs.crossedBy(trial)) {
            List<Double> values = new ArrayList<>();
            for (Trial other : context.trials()) {
                Map<String, Double> atRung = Rungs.competes(other, trial) ? Rungs.valuesAt(other, rung) : null;
                Double v = atRung == null ? null : atRung.get(objective.metric());
                if (v != null) {
                    values.add(Rungs.toMinimization(objective.direction(), v));
                }
            }
            double x = Rungs.toMinimization(objective.direction(), mine);
            values.add(x);
            Collections.sort(values);
            int keep = Math.max(1, values.size() / rungs.reductionFactor());
            if (mine.isNaN() || x > values.get(keep - 1)) {
                return true;
            }
        }
        return false;
    }

    /** The step of rung {@code k} ({@code Long.MAX_VALUE} beyond any int step). */
    public long rungStep(int k) {
        return rungs.step(k);
    }

    public Objective objective() {
        return objective;
    }

    public int minResource() {
        return rungs.minResource();
    }

    public int reductionFactor() {
        return rungs.reductionFactor();
    }

    public int minEarlyStoppingRate() {
        return rungs.minEarlyStoppingRate();
    }

    @Override
    public String toString() {
        return "AshaStopper[" + objective + ", minResource=" + minResource() + ", reductionFactor=" + reductionFactor()
                + ", minEarlyStoppingRate=" + minEarlyStoppingRate() + "]";
    }
}
