package dev.kompakt.search;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Immutable snapshot of one trial (Optuna's FrozenTrial). {@code metrics} holds everything the
 * evaluator measured, objectives and constraints included; {@code error} is the recorded cause of a
 * FAILED trial, null otherwise. {@code intermediateValues} holds the metrics the trial reported while it ran,
 * by fidelity step (e.g. epoch), in step order; early stoppers judge a trial by them (see
 * {@link dev.kompakt.search.stopping.EarlyStopper}).
 */
public record Trial(int number, TrialState state, Assignment assignment, Map<String, Double> metrics,
                    String error, String worker, Instant started, Instant finished,
                    SortedMap<Integer, Map<String, Double>> intermediateValues) {
    public Trial {
        if (number < 0) {
            throw new IllegalArgumentException("trial number must be >= 0, got " + number);
        }
        java.util.Objects.requireNonNull(state, "state");
        java.util.Objects.requireNonNull(assignment, "assignment");
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
        intermediateValues = copyIntermediate(number, intermediateValues);
    }

    /** A trial without intermediate values: the shape every trial had before early stopping existed. */
    public Trial(int number, TrialState state, Assignment assignment, Map<String, Double> metrics,
                 String error, String worker, Instant started, Instant finished) {
        this(number, state, assignment, metrics, error, worker, started, finished, null);
    }

    public static Trial running(int number, Assignment assignment, Instant started) {
        return new Trial(number, TrialState.RUNNING, assignment, Map.of(), null, null, started, null);
    }

    private static SortedMap<Integer, Map<String, Double>> copyIntermediate(int number, Map<Integer, Map<String, Double>> values) {
        TreeMap<Integer, Map<String, Double>> copy = new TreeMap<>();
        if (values != null) {
            values.forEach((step, v) -> {
                if (step == null || step < 0) {
                    throw new IllegalArgumentException("trial " + number + ": intermediate step must be >= 0, got " + step);
                }
                copy.put(step, Collections.unmodifiableMap(new LinkedHashMap<>(v == null ? Map.of() : v)));
            });
        }
        return Collections.unmodifiableSortedMap(copy);
    }

    /** This trial with one more reported step; the caller checks that the step comes after the last one. */
    public Trial withIntermediate(int step, Map<String, Double> values) {
        TreeMap<Integer, Map<String, Double>> more = new TreeMap<>(intermediateValues);
        more.put(step, values);
        return new Trial(number, state, assignment, metrics, error, worker, started, finished, more);
    }

    public Double metric(String name) {
        return metrics.get(name);
    }

    /** The last fidelity step this trial reported, if any. */
    public OptionalInt lastStep() {
        return intermediateValues.isEmpty() ? OptionalInt.empty() : OptionalInt.of(intermediateValues.lastKey());
    }

    /** The values reported at the last step; empty when nothing was reported. */
    public Map<String, Double> lastReported() {
        return intermediateValues.isEmpty() ? Map.of() : intermediateValues.get(intermediateValues.lastKey());
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
