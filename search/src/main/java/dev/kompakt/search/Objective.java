package dev.kompakt.search;

import java.util.Objects;

/**
 * One objective of a study: the name of a metric the evaluator reports, and its direction.
 * Objectives form an ordered list; dominance is computed over that list.
 */
public record Objective(String metric, Direction direction) {
    public Objective {
        Objects.requireNonNull(direction, "direction");
        if (metric == null || metric.isBlank()) {
            throw new IllegalArgumentException("objective metric must be a non-empty name");
        }
    }

    public static Objective minimize(String metric) {
        return new Objective(metric, Direction.MINIMIZE);
    }

    public static Objective maximize(String metric) {
        return new Objective(metric, Direction.MAXIMIZE);
    }
}
