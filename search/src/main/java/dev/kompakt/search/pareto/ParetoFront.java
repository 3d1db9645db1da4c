package dev.kompakt.search.pareto;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The non-dominated, feasible completed trials of a study. */
public final class ParetoFront {
    private ParetoFront() {
    }

    /**
     * The completed trials that satisfy every constraint and that no other such trial dominates, sorted by
     * the first objective (best first). Trials with a NaN objective are never on the front.
     */
    public static List<Trial> of(List<Trial> trials, List<Objective> objectives, List<Constraint> constraints) {
        List<Trial> candidates = new ArrayList<>();
        for (Trial t : trials) {
            if (t.isComplete() && t.violation(constraints) == 0 && !hasNaN(t.minimizationVector(objectives))) {
                candidates.add(t);
            }
        }
        double[][] points = candidates.stream().map(t -> t.minimizationVector(objectives)).toArray(double[][]::new);
        int[] rank = NonDominatedSorting.ranks(points);
        List<Trial> front = new ArrayList<>();
        for (int i = 0; i < rank.length; i++) {
            if (rank[i] == 0) {
                front.add(candidates.get(i));
            }
        }
        front.sort(Comparator.comparingDouble((Trial t) -> t.minimizationVector(objectives)[0]).thenComparingInt(Trial::number));
        return front;
    }

    public static boolean hasNaN(double[] v) {
        for (double x : v) {
            if (Double.isNaN(x)) {
                return true;
            }
        }
        return false;
    }
}
