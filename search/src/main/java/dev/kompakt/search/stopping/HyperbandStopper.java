package dev.kompakt.search.stopping;

import dev.kompakt.search.Objective;
import dev.kompakt.search.Seeds;
import dev.kompakt.search.Trial;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Hyperband (Li et al. 2018, "Hyperband: A Novel Bandit-Based Approach to Hyperparameter Optimization", JMLR
 * 18(185)) in its asynchronous form, as Optuna's {@code HyperbandPruner}: several {@link AshaStopper} brackets
 * that differ in their min early-stopping rate {@code s = 0 .. B-1}, with {@code B = floor(log_eta(maxResource /
 * minResource)) + 1}. Bracket 0 stops trials from the first rung on (many cheap trials); the last bracket judges
 * a trial only near {@code maxResource} (few trials, each given a fair chance). Hyperband hedges over how
 * aggressive to be, since how early a learning curve predicts the final value differs from problem to problem.
 *
 * <p>Each trial belongs to one bracket, chosen from its number alone by a hash weighted by the bracket's budget
 * {@code ceil(B / (s' + 1)) * eta^s'} with {@code s' = B - 1 - s} (Optuna's allocation): deterministic, so a
 * replayed study assigns the same brackets, and independent of what the sampler proposed. A trial competes only
 * with the trials of its own bracket.
 */
public final class HyperbandStopper implements EarlyStopper {
    private final Objective objective;
    private final int maxResource;
    private final List<AshaStopper> brackets;
    private final long[] budgets;
    private final long totalBudget;

    /**
     * @param objective       the metric judged and its direction
     * @param minResource     the step of the first rung of bracket 0 (>= 1)
     * @param maxResource     the number of steps a trial that is never stopped runs (>= minResource)
     * @param reductionFactor {@code eta} (>= 2)
     */
    public HyperbandStopper(Objective objective, int minResource, int maxResource, int reductionFactor) {
        this.objective = Objects.requireNonNull(objective, "objective");
        new Rungs(minResource, reductionFactor, 0); // validates
        if (maxResource < minResource) {
            throw new IllegalArgumentException("max resource " + maxResource + " is below min resource " + minResource);
        }
        this.maxResource = maxResource;
        int count = 1;
        for (long r = (long) minResource * reductionFactor; r <= maxResource; r *= reductionFactor) {
            count++;
        }
        List<AshaStopper> list = new ArrayList<>();
        budgets = new long[count];
        long total = 0;
        for (int i = 0; i < count; i++) {
            list.add(new AshaStopper(objective, minResource, reductionFactor, i));
            int rest = count - 1 - i;
            long budget = (count + rest) / (rest + 1); // ceil(count / (rest + 1))
            for (int j = 0; j < rest; j++) {
                budget *= reductionFactor;
            }
            budgets[i] = budget;
            total += budget;
        }
        this.brackets = List.copyOf(list);
        this.totalBudget = total;
    }

    /** The bracket (index into {@link #brackets()}) that trial {@code number} belongs to. */
    public int bracketOf(int number) {
        long h = Math.floorMod(Seeds.mix(0x9E3779B97F4A7C15L * (number + 1L)), totalBudget);
        for (int i = 0; i < budgets.length; i++) {
            if (h < budgets[i]) {
                return i;
            }
            h -= budgets[i];
        }
        throw new AssertionError("hash beyond the total budget");
    }

    @Override
    public boolean shouldStop(Context context) {
        int bracket = bracketOf(context.trial().number());
        List<Trial> sameBracket = context.trials().stream().filter(t -> bracketOf(t.number()) == bracket).toList();
        return brackets.get(bracket).shouldStop(context.withTrials(sameBracket));
    }

    /** The brackets, by min early-stopping rate 0, 1, ... */
    public List<AshaStopper> brackets() {
        return brackets;
    }

    /** Each bracket's share of the trials, as a weight. */
    public long budget(int bracket) {
        return budgets[bracket];
    }

    public Objective objective() {
        return objective;
    }

    public int maxResource() {
        return maxResource;
    }

    @Override
    public String toString() {
        return "HyperbandStopper[" + objective + ", minResource=" + brackets.get(0).minResource() + ", maxResource=" + maxResource
                + ", reductionFactor=" + brackets.get(0).reductionFactor() + ", brackets=" + brackets.size() + "]";
    }
}
