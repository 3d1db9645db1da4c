package dev.kompakt.cluster;

import java.util.Map;

/**
 * What an executor reports for one trial: metrics when it completed, or the cause when it failed, and
 * where it ran. Crosses the executor/driver boundary as JSON bytes.
 */
public record TrialOutcome(int trialNumber, boolean ok, Map<String, Double> metrics, String error, String worker, double seconds) {
    public TrialOutcome {
        metrics = metrics == null ? Map.of() : Map.copyOf(metrics);
        if (!ok && (error == null || error.isBlank())) {
            throw new IllegalArgumentException("a failed outcome must record its cause");
        }
    }
}
