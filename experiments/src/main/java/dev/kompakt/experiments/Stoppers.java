package dev.kompakt.experiments;

import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.search.Objective;
import dev.kompakt.search.stopping.AshaStopper;
import dev.kompakt.search.stopping.EarlyStopper;
import dev.kompakt.search.stopping.HyperbandStopper;
import dev.kompakt.search.stopping.MedianStopper;
import dev.kompakt.search.stopping.MultiObjectiveAshaStopper;
import dev.kompakt.search.stopping.NeverStop;

/** The study's {@link EarlyStopper} from a spec's {@code search.earlyStopping} (validated by the spec loader). */
public final class Stoppers {
    private Stoppers() {
    }

    /**
     * Epoch-report metrics that the remaining epochs still change; MO-ASHA does not judge constraints on them at its rungs
     * (see {@link MultiObjectiveAshaStopper#MultiObjectiveAshaStopper(int, int, int, java.util.function.Predicate)}). The
     * cost model's metrics are those of the finished candidate's structure already, so constraints on them are judged.
     */
    static final java.util.Set<String> CHANGED_BY_TRAINING = java.util.Set.of("accuracy", "accuracy_drop");

    public static EarlyStopper of(ExperimentSpec spec) {
        ExperimentSpec.EarlyStopping e = spec.search().earlyStopping();
        return switch (e.rule()) {
            case "none" -> NeverStop.INSTANCE;
            case "median" -> new MedianStopper(objective(spec, e.metric()), e.warmupEpochs(), e.minTrials());
            case "asha" -> new AshaStopper(objective(spec, e.metric()), e.minEpochs(), e.reductionFactor(), 0);
            case "hyperband" -> new HyperbandStopper(objective(spec, e.metric()), e.minEpochs(),
                    e.maxEpochs() > 0 ? e.maxEpochs() : Math.max(e.minEpochs(), Math.max(spec.budget().fineTuneEpochs(), spec.budget().studentEpochs())),
                    e.reductionFactor());
            // every trial non-dominated at a rung goes on: on the quickstart problem (seed 1, experiments/results/early-stopping.md)
            // this reached 85% of the full-fidelity run's hypervolume in half its time, against 83% cutting the front by
            // crowding distance and 70% by hypervolume contribution (which favoured knee points over the most accurate ones)
            case "moasha" -> new MultiObjectiveAshaStopper(e.minEpochs(), e.reductionFactor(), 0, c -> !CHANGED_BY_TRAINING.contains(c.metric()),
                    MultiObjectiveAshaStopper.TieBreak.NONDOMINATED);
            default -> throw new IllegalArgumentException("search.earlyStopping.rule: unknown rule '" + e.rule() + "'");
        };
    }

    private static Objective objective(ExperimentSpec spec, String metric) {
        return spec.search().objectives().stream().filter(o -> o.metric().equals(metric)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("search.earlyStopping.metric: '" + metric + "' is not an objective"));
    }
}
