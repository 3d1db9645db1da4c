package dev.kompakt.strategies.pruning;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.CompressionStrategy;
import dev.kompakt.strategies.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Sparsity-inducing regularisation while the candidate trains, as a proximal step after every optimiser step
 * ({@link Regularization}): {@code l1} (element-wise soft-thresholding) or {@code group_lasso} (whole output channels,
 * Wen et al. 2016), with a strength lambda sampled on a log scale. Its parameters share the pruning prefix, as they did
 * before regularisation was its own strategy: {@code prune.regularization} and {@code prune.regularization_strength}
 * (active when not {@code none}); a range of [none] leaves both out of the space.
 */
public final class RegularizationStrategy implements CompressionStrategy<RegularizationStrategy.Range, RegularizationStrategy.Plan> {
    public static final String KIND = "prune.regularization";
    public static final String STRENGTH = "prune.regularization_strength";
    /**
     * Default strength range, lambda in [0.01, 30]: a proximal step shrinks by lambda times the learning rate, so over a
     * training of S steps at learning rate lr the total shrinkage is at most lambda * S * lr. Group lasso's threshold acts
     * on a whole channel's norm, so it needs a larger lambda than L1: in the evaluator's RegularizedTrainingTest
     * (LeNet-300-100 at width 0.25, 26 Adam steps at 3e-3) L1 at 0.1 left 7% of the weights at zero, and group lasso
     * first zeroed whole units at 18. The range covers both.
     */
    public static final double DEFAULT_MIN_STRENGTH = 0.01;
    public static final double DEFAULT_MAX_STRENGTH = 30.0;

    /** The penalties. */
    public enum Kind implements Option {
        NONE(Regularization.NONE), L1(Regularization.L1), GROUP_LASSO(Regularization.GROUP_LASSO);

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /** The penalties to choose from and the range of their strength. */
    public record Range(List<Kind> kinds, double minStrength, double maxStrength) {
        public Range {
            kinds = kinds == null || kinds.isEmpty() ? List.of(Kind.NONE) : List.copyOf(kinds);
            if (!(minStrength > 0 && minStrength <= maxStrength) || Double.isInfinite(maxStrength)) {
                throw new IllegalArgumentException("regularization strength range must have 0 < min <= max, got [" + minStrength + ", "
                        + maxStrength + "]");
            }
        }

        /** The penalties with the default strength range. */
        public Range(List<Kind> kinds) {
            this(kinds, DEFAULT_MIN_STRENGTH, DEFAULT_MAX_STRENGTH);
        }
    }

    /**
     * @param kind     the penalty
     * @param strength its lambda (&gt; 0) when not {@code none}, else 0
     */
    public record Plan(Kind kind, double strength) {
        public Plan {
            kind = kind == null ? Kind.NONE : kind;
            if (kind == Kind.NONE ? strength != 0 : !(strength > 0) || Double.isInfinite(strength)) {
                throw new IllegalArgumentException("regularization strength must be " + (kind == Kind.NONE
                        ? "0 without regularization" : "finite and > 0 for " + kind.id()) + ", got " + strength);
            }
        }

        /** The operator training applies ({@link Regularization#none()} for {@code none}). */
        public Regularization regularizer() {
            return Regularization.named(kind.id(), strength);
        }
    }

    @Override
    public String prefix() {
        return "prune.";
    }

    @Override
    public SearchSpace fragment(Range range) {
        List<Parameter> params = new ArrayList<>();
        if (!range.kinds().equals(List.of(Kind.NONE))) {
            params.add(new Parameter.Categorical("regularization", new ArrayList<>(Option.choices(range.kinds()))));
            List<Object> penalised = range.kinds().stream().filter(k -> k != Kind.NONE).map(k -> (Object) k.id()).toList();
            params.add(new Parameter.FloatParam("regularization_strength", range.minStrength(), range.maxStrength(), true, 0.0,
                    Optional.of(new Parameter.Condition("regularization", penalised))));
        }
        return new SearchSpace(params);
    }

    @Override
    public Plan decode(Assignment a) {
        Kind kind = a.has(KIND) ? Option.parse(Kind.class, a.getString(KIND)) : Kind.NONE;
        double strength = kind != Kind.NONE && a.has(STRENGTH) ? a.getDouble(STRENGTH) : 0.0;
        return new Plan(kind, strength);
    }

    @Override
    public Plan identity() {
        return new Plan(Kind.NONE, 0.0);
    }

    @Override
    public void beforeTraining(Plan plan, CandidateBuild build) {
        build.regularization(plan.regularizer());
    }
}
