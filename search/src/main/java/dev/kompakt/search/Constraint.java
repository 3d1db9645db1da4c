package dev.kompakt.search;

/**
 * An upper bound on a reported metric: a trial is feasible when {@code metric <= max}.
 * A lower bound is expressed on a negated metric by the caller (e.g. {@code accuracy_drop <= 0.015}).
 */
public record Constraint(String metric, double max) {
    public Constraint {
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("constraint metric must be a non-empty name");
        }
        if (Double.isNaN(max)) {
            throw new IllegalArgumentException("constraint '" + metric + "' has a NaN bound");
        }
    }

    /** How far a value lies beyond the bound; 0 when satisfied. A missing or NaN value is infinitely violated. */
    public double violation(Double value) {
        if (value == null || value.isNaN()) {
            return Double.POSITIVE_INFINITY;
        }
        return Math.max(0.0, value - max);
    }
}
