package dev.kompakt.search.pareto;

/**
 * Pareto dominance on minimisation vectors, and Deb's constrained dominance. A partial order:
 * deliberately not a {@link java.util.Comparator}, since most pairs are incomparable.
 */
public final class Dominance {
    private Dominance() {
    }

    /** True when {@code a} is no worse than {@code b} in every objective and better in at least one. */
    public static boolean dominates(double[] a, double[] b) {
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            if (a[i] < b[i]) {
                better = true;
            }
        }
        return better;
    }

    /**
     * Deb's constrained domination (Deb et al. 2002, §VI): a feasible point dominates an infeasible one;
     * of two infeasible points the one with the smaller total violation dominates; two feasible points
     * compare by Pareto dominance.
     */
    public static boolean constrainedDominates(double[] a, double violationA, double[] b, double violationB) {
        if (violationA == 0 && violationB > 0) {
            return true;
        }
        if (violationA > 0 && violationB > 0) {
            return violationA < violationB;
        }
        if (violationA > 0) {
            return false;
        }
        return dominates(a, b);
    }
}
