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

    public static EarlyStopper of(ExperimentSpec spec) {
        ExperimentSpec.EarlyStopping e = spec.search().earlyStopping();
        return switch (e.rule()) {
            case "none" -> NeverStop.INSTANCE;
            case "median" -> new MedianStopper(objective(spec, e.metric()), e.warmupEpochs(), e.minTrials());
            case "asha" -> new AshaStopper(objective(spec, e.metric()), e.minEpochs(), e.reductionFactor(), 0);
            case "hyperband" -> new HyperbandStopper(objective(spec, e.metric()), e.minEpochs(),
                    e.maxEpochs() > 0 ? e.maxEpochs() : Math.max(e.minEpochs(), Math.max(spec.budget().fineTuneEpochs(), spec.budget().studentEpochs())),
                    e.reductionFactor());
            case "moasha" -> new MultiObjectiveAshaStopper(e.minEpochs(), e.reductionFactor(), 0);
            default -> throw new IllegalArgumentException("search.earlyStopping.rule: unknown rule '" + e.rule() + "'");
        };
    }

    private static Objective objective(ExperimentSpec spec, String metric) {
        return spec.search().objectives().stream().filter(o -> o.metric().equals(metric)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("search.earlyStopping.metric: '" + metric + "' is not an objective"));
    }
}
