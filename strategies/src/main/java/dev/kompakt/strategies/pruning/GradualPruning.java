package dev.kompakt.strategies.pruning;

/**
 * Zhu and Gupta's automated gradual pruning schedule ("To prune, or not to prune", 2017): over {@code steps}
 * pruning steps the sparsity rises from {@code initial} to {@code target} as
 * {@code s_t = target + (initial - target) * (1 - t / steps)^3}, pruning fast while many redundant weights
 * remain and slowly near the target, with fine-tuning between steps.
 */
public record GradualPruning(double initial, double target, int steps) {
    public GradualPruning {
        if (!(initial >= 0 && initial <= target && target < 1)) {
            throw new IllegalArgumentException("gradual pruning needs 0 <= initial <= target < 1, got " + initial + ", " + target);
        }
        if (steps < 1) {
            throw new IllegalArgumentException("gradual pruning needs at least 1 step, got " + steps);
        }
    }

    /** The sparsity after step {@code t} (1-based); step {@code steps} reaches the target exactly. */
    public double sparsityAt(int t) {
        if (t < 1 || t > steps) {
            throw new IllegalArgumentException("step must be in [1, " + steps + "], got " + t);
        }
        double remaining = 1.0 - (double) t / steps;
        return target + (initial - target) * remaining * remaining * remaining;
    }
}
