package dev.kompakt.search.stopping;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.pareto.Hypervolume;
import dev.kompakt.search.pareto.NonDominatedSorting;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Multi-objective asynchronous successive halving: {@link AshaStopper}'s rungs and its "best 1/eta go on" rule,
 * with "best" meaning Pareto-best over all the study's objectives, after Schmucker et al. 2021 ("Multi-objective
 * Asynchronous Successive Halving", arXiv:2106.12639), who rank the trials at a rung by non-dominated sorting
 * and a tie-break within the last admitted front. A trial that is best in one objective and poor in another is
 * non-dominated, so it is not stopped merely for being poor at one thing.
 *
 * <p>At a rung with {@code n} trials (the judged one included), {@code keep = max(1, floor(n / eta))} go on: whole
 * non-dominated fronts in rank order (Deb's constrained domination when the study has constraints, see
 * {@link NonDominatedSorting}), and from the front that does not fit entirely, the members with the largest
 * exclusive hypervolume contribution {@code HV(front) - HV(front without p)}, ties going on. The reference point
 * is the worst value of each objective among the rung's trials plus a margin of a tenth of the range (1 when all
 * values are equal), so the extreme points of a front contribute too. Contributions are computed naively, one
 * hypervolume per member, which is fine for the tens of trials a rung holds.
 *
 * <p>Values are those reported at the rung (see {@link Rungs}). A trial whose latest step lacks an objective is
 * not judged; others lacking one at a rung do not count there. A NaN objective value ranks worst. A constraint
 * whose metric a trial did not report at that step counts as satisfied (it may be measured only at the end);
 * a NaN one as infinitely violated. FAILED trials do not count.
 */
public final class MultiObjectiveAshaStopper implements EarlyStopper {
    private final Rungs rungs;
    private final java.util.function.Predicate<Constraint> judged;
    private final TieBreak tieBreak;

    /** How the front that does not fit entirely at a rung is cut. */
    public enum TieBreak {
        /** the members with the largest exclusive hypervolume contribution (favours knee points) */
        HYPERVOLUME,
        /** NSGA-II's crowding distance, extremes first (keeps each objective's best) */
        CROWDING,
        /** no cut: every non-dominated trial at a rung goes on, however many (only dominated ones are stopped) */
        NONDOMINATED
    }

    /** Rungs at {@code minResource * reductionFactor^(k + minEarlyStoppingRate)}, as in {@link AshaStopper}; every constraint judged. */
    public MultiObjectiveAshaStopper(int minResource, int reductionFactor, int minEarlyStoppingRate) {
        this(minResource, reductionFactor, minEarlyStoppingRate, c -> true);
    }

    /**
     * As {@link #MultiObjectiveAshaStopper(int, int, int)}, ranking by only the constraints that {@code judged} accepts: a
     * constraint on a value that training still changes (an accuracy bound) is not predictive at an early rung. In a
     * quickstart search with 6 to 8 epochs per trial, 34 of the 66 trials stopped at epoch 1 broke the accuracy-drop bound
     * there, while 58 of 60 trials trained to the end met it: judged early, the bound stopped mostly the most compressed
     * candidates, which then were missing from the front.
     */
    public MultiObjectiveAshaStopper(int minResource, int reductionFactor, int minEarlyStoppingRate,
                                     java.util.function.Predicate<Constraint> judged) {
        this(minResource, reductionFactor, minEarlyStoppingRate, judged, TieBreak.HYPERVOLUME);
    }

    /** As the constructor above, cutting the last admitted front by {@code tieBreak}. */
    public MultiObjectiveAshaStopper(int minResource, int reductionFactor, int minEarlyStoppingRate,
                                     java.util.function.Predicate<Constraint> judged, TieBreak tieBreak) {
        this.rungs = new Rungs(minResource, reductionFactor, minEarlyStoppingRate);
        this.judged = java.util.Objects.requireNonNull(judged, "judged");
        this.tieBreak = java.util.Objects.requireNonNull(tieBreak, "tieBreak");
    }

    @Override
    public boolean shouldStop(Context context) {
        Trial trial = context.trial();
        if (!hasAll(trial.lastReported(), context.objectives())) {
            return false;
        }
        for (int rung : rungs.crossedBy(trial)) {
            List<double[]> points = new ArrayList<>();
            List<Double> violations = new ArrayList<>();
            for (Trial other : context.trials()) {
                Map<String, Double> atRung = Rungs.competes(other, trial) ? Rungs.valuesAt(other, rung) : null;
                if (atRung != null && hasAll(atRung, context.objectives())) {
                    points.add(vector(atRung, context.objectives()));
                    violations.add(violation(atRung, context.constraints()));
                }
            }
            points.add(vector(trial.lastReported(), context.objectives()));
            violations.add(violation(trial.lastReported(), context.constraints()));
            int keep = Math.max(1, points.size() / rungs.reductionFactor());
            if (!admitted(points, violations.stream().mapToDouble(Double::doubleValue).toArray(), points.size() - 1, keep, tieBreak)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether point {@code judged} is among the {@code keep} best: whole fronts first (with {@link TieBreak#NONDOMINATED}
     * the first front whatever its size), then within the front that does not fit by {@code tieBreak}: exclusive
     * hypervolume contribution or crowding distance (ties admitted).
     */
    static boolean admitted(List<double[]> points, double[] violations, int judged, int keep, TieBreak tieBreak) {
        int[] rank = NonDominatedSorting.ranks(points.toArray(new double[0][]), violations);
        int better = 0;
        List<double[]> front = new ArrayList<>();
        List<Integer> members = new ArrayList<>();
        for (int i = 0; i < rank.length; i++) {
            if (rank[i] < rank[judged]) {
                better++;
            } else if (rank[i] == rank[judged]) {
                front.add(points.get(i));
                members.add(i);
            }
        }
        if (better + front.size() <= keep || (tieBreak == TieBreak.NONDOMINATED && rank[judged] == 0)) {
            return true;
        }
        if (better >= keep) {
            return false;
        }
        if (tieBreak == TieBreak.CROWDING || tieBreak == TieBreak.NONDOMINATED) {
            double[] crowding = NonDominatedSorting.crowdingDistance(points.toArray(new double[0][]), members);
            double mine = crowding[members.indexOf(judged)];
            double[] sorted = crowding.clone();
            java.util.Arrays.sort(sorted);
            return mine >= sorted[sorted.length - (keep - better)];
        }
        double[] reference = reference(points);
        double whole = Hypervolume.of(front, reference);
        double[] contribution = new double[front.size()];
        double mine = 0;
        for (int i = 0; i < front.size(); i++) {
            List<double[]> without = new ArrayList<>(front);
            without.remove(i);
            contribution[i] = whole - Hypervolume.of(without, reference);
            if (front.get(i) == points.get(judged)) {
                mine = contribution[i];
            }
        }
        java.util.Arrays.sort(contribution);
        double threshold = contribution[contribution.length - (keep - better)]; // the (keep - better)-th largest
        return mine >= threshold;
    }

    /** The rung's worst finite value in each objective plus a tenth of its range (or 1 when the range is 0). */
    static double[] reference(List<double[]> points) {
        int m = points.get(0).length;
        double[] reference = new double[m];
        for (int k = 0; k < m; k++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (double[] p : points) {
                if (Double.isFinite(p[k])) {
                    lo = Math.min(lo, p[k]);
                    hi = Math.max(hi, p[k]);
                }
            }
            if (hi == Double.NEGATIVE_INFINITY) {
                reference[k] = 1.0; // no finite value: nobody contributes in this objective
            } else {
                reference[k] = hi + (hi > lo ? 0.1 * (hi - lo) : 1.0);
            }
        }
        return reference;
    }

    private static boolean hasAll(Map<String, Double> values, List<Objective> objectives) {
        return objectives.stream().allMatch(o -> values.get(o.metric()) != null);
    }

    private static double[] vector(Map<String, Double> values, List<Objective> objectives) {
        double[] v = new double[objectives.size()];
        for (int i = 0; i < v.length; i++) {
            Objective o = objectives.get(i);
            v[i] = Rungs.toMinimization(o.direction(), values.get(o.metric()));
        }
        return v;
    }

    private double violation(Map<String, Double> values, List<Constraint> constraints) {
        double total = 0;
        for (Constraint c : constraints) {
            if (!judged.test(c)) {
                continue;
            }
            Double v = values.get(c.metric());
            total += v == null ? 0.0 : c.violation(v);
        }
        return total;
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

    /** The step of rung {@code k} ({@code Long.MAX_VALUE} beyond any int step). */
    public long rungStep(int k) {
        return rungs.step(k);
    }

    @Override
    public String toString() {
        return "MultiObjectiveAshaStopper[minResource=" + minResource() + ", reductionFactor=" + reductionFactor()
                + ", minEarlyStoppingRate=" + minEarlyStoppingRate() + "]";
    }
}
