package dev.kompakt.cluster;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.strategies.plan.CompressionPlan;

/** One candidate evaluation to run on an executor. Crosses the driver/executor boundary as JSON bytes. */
public record TrialSpec(int trialNumber, CompressionPlan plan, TrainingBudget budget, long seed) {
    public TrialSpec {
        if (trialNumber < 0) {
            throw new IllegalArgumentException("trialNumber must be >= 0, got " + trialNumber);
        }
        java.util.Objects.requireNonNull(plan, "plan");
        java.util.Objects.requireNonNull(budget, "budget");
    }
}
