package dev.kompakt.cluster;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.strategies.plan.CompressionPlan;

/**
 * One candidate evaluation to run on an executor. Crosses the driver/executor boundary as JSON bytes.
 *
 * @param reportTo where the executor sends an {@link EpochReport} after each epoch (the driver's
 *                 {@link EpochReportServer}), or null when the search does not stop trials early
 */
public record TrialSpec(int trialNumber, CompressionPlan plan, TrainingBudget budget, long seed, String reportTo) {
    public TrialSpec {
        if (trialNumber < 0) {
            throw new IllegalArgumentException("trialNumber must be >= 0, got " + trialNumber);
        }
        java.util.Objects.requireNonNull(plan, "plan");
        java.util.Objects.requireNonNull(budget, "budget");
    }

    /** Without epoch reports. */
    public TrialSpec(int trialNumber, CompressionPlan plan, TrainingBudget budget, long seed) {
        this(trialNumber, plan, budget, seed, null);
    }
}
