package dev.kompakt.search;

import java.util.List;

/**
 * Proposes the assignment of a new trial. Contract (checked by the shared sampler test suite):
 * the result lies in the space and respects its conditions, and for the same seed, space and history
 * the same trial number gives the same assignment. Implementations may be called from one thread at a time.
 */
@FunctionalInterface
public interface Sampler {

    Assignment sample(Context context);

    /** What a sampler may look at: the space, the objectives, and all trials so far (running ones included). */
    record Context(SearchSpace space, List<Objective> objectives, List<Constraint> constraints, List<Trial> trials,
                   int trialNumber) {
        public Context {
            objectives = List.copyOf(objectives);
            constraints = List.copyOf(constraints);
            trials = List.copyOf(trials);
        }

        public List<Trial> completed() {
            return trials.stream().filter(Trial::isComplete).toList();
        }
    }
}
