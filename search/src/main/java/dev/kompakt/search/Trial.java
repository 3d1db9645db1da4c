package dev.kompakt.search;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable snapshot of one trial (Optuna's FrozenTrial). {@code metrics} holds everything the
 * evaluator measured, objectives and constraints included; {@code error} is the recorded cause of a
 * FAILED trial, null otherwise.
 */
public record Trial(int number, TrialState state, Assignment assignment, Map<String, Double> metrics,
                    String error, String worker, Instant started, Instant finished) {
    public Trial {
        if (number < 0) {
            throw new IllegalArgumentException("trial number must be >= 0, got " + number);
        }
        java.util.Objects.requireNonNull(state, "state");
        java.util.Objects.requireNonNull(assignment, "assignment");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
    }

    public static Trial running(int number, Assignment assignment, Instant started) {
        return new Trial(number, TrialState.RUNNING, assignment, Map.of(), null, null, started, null);
    }

    public Double metric(String name) {
        return metrics.get(name);
    }

    /** Values of the objectives in "smaller is better" form, in the objectives' order. */
    public double[] minimizationVector(List<Objective> objectives) {
        double[] v = new double[objectives.size()];
        for (int i = 0; i < v.length; i++) {
            Objective o = objectives.get(i);
            Double x = metrics.get(o.metric());
            v[i] = o.direction().toMinimization(x == null ? Double.NaN : x);
        }
        return v;
    }

    /** Sum of constraint violations; 0 means feasible. */
    public double violation(List<Constraint> constraints) {
        double total = 0;
        for (Constraint c : constraints) {
            total += c.violation(metrics.get(c.metric()));
        }
        return total;
    }

    public boolean isComplete() {
        return state == TrialState.COMPLETE;
    }

    public double durationSeconds() {
        if (started == null || finished == null) {
            return Double.NaN;
        }
        return java.time.Duration.between(started, finished).toMillis() / 1000.0;
    }
}
