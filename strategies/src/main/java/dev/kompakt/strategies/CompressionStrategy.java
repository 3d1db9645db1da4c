package dev.kompakt.strategies;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.SearchSpace;

/**
 * One compression strategy (student width, pruning, regularisation, quantization, distillation, ...): the parameters it
 * adds to the search space, how it reads its part of a trial's assignment into its own typed plan record, and what it
 * does to a candidate while the candidate is built.
 *
 * <p>A candidate is built in three phases, each strategy's hook called in the order of
 * {@link dev.kompakt.strategies.plan.Strategies#ALL}: {@link #configure} (what network to start from and with which
 * loss), {@link #beforeTraining} (masks, quantizers, targets and hooks of the one training loop), the training itself
 * (run by the evaluator, see {@link CandidateBuild}), and {@link #afterTraining} (post-training operators). Strategies
 * are stateless: whatever one needs across phases it recomputes from its plan or keeps in the build.
 *
 * @param <R> its range: what the spec lets the search choose from
 * @param <P> its plan: what one candidate does (an immutable record with an identity value)
 */
public interface CompressionStrategy<R, P> {
    /** The prefix of its parameters in the search space, with the dot: e.g. {@code prune.}. */
    String prefix();

    /** Its parameters for {@code range}, named without {@link #prefix()}. */
    SearchSpace fragment(R range);

    /** Its parameters for {@code range}, named with {@link #prefix()}. */
    default SearchSpace space(R range) {
        return SearchSpace.merge(java.util.Map.of(prefix(), fragment(range)));
    }

    /** Its part of {@code assignment} (parameters named with the prefix); absent parameters take their identity values. */
    P decode(Assignment assignment);

    /** The plan that leaves a candidate as it is. */
    P identity();

    /** Chooses the starting network or the training loss. */
    default void configure(P plan, CandidateBuild build) {
    }

    /** Sets up what the training loop applies (masks, fake quantizer, regularisation, targets, rounds). */
    default void beforeTraining(P plan, CandidateBuild build) {
    }

    /** Applies post-training operators to {@link CandidateBuild#network()}. */
    default void afterTraining(P plan, CandidateBuild build) {
    }
}
