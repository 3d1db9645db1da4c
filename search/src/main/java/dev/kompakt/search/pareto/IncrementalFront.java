package dev.kompakt.search.pareto;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;

import java.util.ArrayList;
import java.util.List;

/**
 * The members of {@link ParetoFront#of} kept up to date one trial at a time: adding a trial costs one dominance check
 * against each current member, not a sort of every trial, so a driver that tells thousands of results keeps its front
 * in O(front) per result. Holds the same trials as {@code ParetoFront.of} over everything added (in insertion order).
 * Not thread-safe.
 */
public final class IncrementalFront {
    private final List<Objective> objectives;
    private final List<Constraint> constraints;
    private final List<Trial> members = new ArrayList<>();
    private final List<double[]> points = new ArrayList<>();

    public IncrementalFront(List<Objective> objectives, List<Constraint> constraints) {
        this.objectives = List.copyOf(objectives);
        this.constraints = List.copyOf(constraints);
    }

    /** Adds a finished trial; only complete, feasible trials without NaN objectives can be on the front. */
    public void add(Trial t) {
        if (!t.isComplete() || t.violation(constraints) != 0) {
            return;
        }
        double[] p = t.minimizationVector(objectives);
        if (ParetoFront.hasNaN(p)) {
            return;
        }
        for (double[] q : points) {
            if (Dominance.dominates(q, p)) {
                return;
            }
        }
        for (int i = points.size() - 1; i >= 0; i--) {
            if (Dominance.dominates(p, points.get(i))) {
                points.remove(i);
                members.remove(i);
            }
        }
        members.add(t);
        points.add(p);
    }

    public int size() {
        return members.size();
    }

    public List<Trial> members() {
        return List.copyOf(members);
    }
}
