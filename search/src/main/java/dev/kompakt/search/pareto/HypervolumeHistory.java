package dev.kompakt.search.pareto;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * How a study's hypervolume grew: after each COMPLETE trial, in order of completion, the hypervolume of the front
 * of the feasible COMPLETE trials finished so far. The usual convergence curve of a multi-objective search
 * (e.g. Optuna's plot_hypervolume_history).
 *
 * <p>Incremental: the current front is kept, and a trial that no front point weakly dominates adds its exclusive
 * hypervolume against the front (its box minus the hypervolume of its limit set, see {@link Hypervolume}) before
 * the points it dominates leave the front. Dominated, infeasible or out-of-reference trials cost one dominance
 * scan of the front. The curve is non-decreasing by construction; it agrees with {@link Hypervolume#of} on the
 * same trials up to rounding.
 */
public final class HypervolumeHistory {
    private HypervolumeHistory() {
    }

    /** The hypervolume after trial {@code trialNumber} completed. */
    public record Step(int trialNumber, double hypervolume) {
    }

    /**
     * @param reference the reference point in minimisation form (as {@link Trial#minimizationVector} gives), one
     *                  value per objective; a trial counts only where it is strictly better in every objective
     */
    public static List<Step> of(List<Trial> trials, List<Objective> objectives, List<Constraint> constraints, double[] reference) {
        Objects.requireNonNull(trials, "trials");
        Objects.requireNonNull(constraints, "constraints");
        Objects.requireNonNull(reference, "reference");
        if (objectives.isEmpty()) {
            throw new IllegalArgumentException("a hypervolume history needs at least one objective");
        }
        if (reference.length != objectives.size()) {
            throw new IllegalArgumentException("reference has " + reference.length + " values but there are " + objectives.size() + " objectives");
        }
        for (int k = 0; k < reference.length; k++) {
            if (Double.isNaN(reference[k])) {
                throw new IllegalArgumentException("reference value " + k + " (objective '" + objectives.get(k).metric() + "') is NaN");
            }
        }
        List<Trial> completed = new ArrayList<>();
        for (Trial t : trials) {
            if (t.isComplete()) {
                completed.add(t);
            }
        }
        completed.sort(Comparator.comparing(Trial::finished, Comparator.nullsLast(Comparator.<Instant>naturalOrder()))
                .thenComparingInt(Trial::number));

        List<double[]> front = new ArrayList<>();
        double hypervolume = 0;
        List<Step> steps = new ArrayList<>(completed.size());
        for (Trial t : completed) {
            double[] v = t.minimizationVector(objectives);
            if (t.violation(constraints) == 0 && strictlyInside(v, reference) && !weaklyDominatedBy(front, v)) {
                hypervolume += Hypervolume.exclusive(v, front, reference);
                front.removeIf(q -> Dominance.dominates(v, q));
                front.add(v);
            }
            steps.add(new Step(t.number(), hypervolume));
        }
        return steps;
    }

    /** Better than the reference in every objective; false for a NaN objective. */
    private static boolean strictlyInside(double[] v, double[] reference) {
        for (int k = 0; k < v.length; k++) {
            if (!(v[k] < reference[k])) {
                return false;
            }
        }
        return true;
    }

    private static boolean weaklyDominatedBy(List<double[]> front, double[] v) {
        for (double[] q : front) {
            int k = 0;
            while (k < v.length && q[k] <= v[k]) {
                k++;
            }
            if (k == v.length) {
                return true;
            }
        }
        return false;
    }
}
