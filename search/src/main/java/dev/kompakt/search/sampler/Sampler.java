package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Trial;

import java.util.List;

/**
 * Proposes the assignment of a new trial. Contract (checked by the shared sampler test suite):
 * the result lies in the space and respects its conditions, and for the same seed, space and history
 * the same trial number gives the same assignment. Implementations may be called from one thread at a time.
 */
@FunctionalInterface
public interface Sampler {

    Assignment sample(Context context);

    /**
     * What a sampler may look at: the space, the objectives, all trials of this study so far (running ones
     * included), and {@code prior}: finished trials of an earlier run given for a warm start ({@link WarmStart}).
     * Prior trials inform the model; they are not part of this study and are never re-run.
     */
    record Context(SearchSpace space, List<Objective> objectives, List<Constraint> constraints, List<Trial> trials,
                   int trialNumber, List<Trial> prior) {
        public Context {
            objectives = List.copyOf(objectives);
            constraints = List.copyOf(constraints);
            trials = List.copyOf(trials);
            prior = List.copyOf(prior);
        }

        public Context(SearchSpace space, List<Objective> objectives, List<Constraint> constraints, List<Trial> trials,
                       int trialNumber) {
            this(space, objectives, constraints, trials, trialNumber, List.of());
        }

        /** The same context with these prior trials. */
        public Context withPrior(List<Trial> priorTrials) {
            return new Context(space, objectives, constraints, trials, trialNumber, priorTrials);
        }

        /** Prior trials, then this study's trials, oldest first. */
        public List<Trial> history() {
            if (prior.isEmpty()) {
                return trials;
            }
            List<Trial> all = new java.util.ArrayList<>(prior.size() + trials.size());
            all.addAll(prior);
            all.addAll(trials);
            return all;
        }

        /** COMPLETE trials of the history (prior ones first). */
        public List<Trial> completed() {
            return history().stream().filter(Trial::isComplete).toList();
        }
    }
}
