package dev.kompakt.search;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an evaluation reports back to {@link Study#tell}: a finished state, metrics, and the cause of a failure. */
public record TrialResult(TrialState state, Map<String, Double> metrics, String error, String worker) {
    public TrialResult {
        if (state == null || state == TrialState.RUNNING) {
            throw new IllegalArgumentException("a trial result needs a finished state, got " + state);
        }
        if ((state == TrialState.FAILED || state == TrialState.INTERRUPTED) && (error == null || error.isBlank())) {
            throw new IllegalArgumentException("a " + state + " result must record its cause");
        }
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics == null ? Map.of() : metrics));
    }

    public static TrialResult complete(Map<String, Double> metrics, String worker) {
        return new TrialResult(TrialState.COMPLETE, metrics, null, worker);
    }

    /**
     * An early-stopped trial (see {@link dev.kompakt.search.stopping.EarlyStopper}): not a failure, and not a candidate for the Pareto front.
     * {@code metrics} are the values the trial reported last, e.g. {@code study.trial(n).orElseThrow().lastReported()}.
     */
    public static TrialResult stopped(Map<String, Double> metrics, String worker) {
        return new TrialResult(TrialState.STOPPED, metrics, null, worker);
    }

    public static TrialResult failed(String error, String worker) {
        return new TrialResult(TrialState.FAILED, Map.of(), error, worker);
    }

    /**
     * The infrastructure could not run the trial ({@code cause}: what Spark said); not a result of the candidate, so a
     * resumed search runs it again.
     */
    public static TrialResult interrupted(String cause) {
        return new TrialResult(TrialState.INTERRUPTED, Map.of(), cause, null);
    }

    /** Describes a throwable with its chain of causes, for the journal. */
    public static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- caused by ");
            }
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage());
            if (c.getCause() == c) {
                break;
            }
        }
        return sb.toString();
    }
}
