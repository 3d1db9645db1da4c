package dev.kompakt.search.stopping;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;

import java.util.List;
import java.util.Objects;

/**
 * Decides whether a running trial should stop early, judging the intermediate values it reported at its latest
 * fidelity step (e.g. epoch) against the other trials' learning curves. "Early stopping" rather than Optuna's
 * "pruning", because in this project pruning means removing weights. A stopped trial is told to the study as
 * {@link TrialState#STOPPED}: not a failure, and not on the Pareto front.
 *
 * <p>Contract: a trial that reported nothing yet, or whose latest step lacks a metric the stopper needs, is not
 * stopped (there is nothing to judge it by). The answer depends only on the context, so for the same trials it
 * is the same: a replayed study makes the same decisions. Implementations are immutable and thread-safe.
 */
@FunctionalInterface
public interface EarlyStopper {

    boolean shouldStop(Context context);

    /**
     * What a stopper may look at: the trial to judge, every trial of the study (the judged one and running ones
     * included), and the study's objectives and constraints.
     */
    record Context(Trial trial, List<Trial> trials, List<Objective> objectives, List<Constraint> constraints) {
        public Context {
            Objects.requireNonNull(trial, "trial");
            trials = List.copyOf(trials);
            objectives = List.copyOf(objectives);
            constraints = List.copyOf(constraints);
        }

        /** The same question about the same trial, asked of a subset of the study's trials (e.g. one Hyperband bracket). */
        public Context withTrials(List<Trial> subset) {
            return new Context(trial, subset, objectives, constraints);
        }
    }
}
