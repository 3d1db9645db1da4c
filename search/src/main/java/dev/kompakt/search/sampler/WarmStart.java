package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Trial;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Warm start: gives a sampler the finished trials of an earlier run as history, so a new study starts from
 * what is already known instead of from scratch. Only trials that can inform this study are kept: COMPLETE,
 * every objective reported and finite, and an assignment that lies in this study's space (an earlier run over
 * a different space contributes only its compatible trials). Prior trials are never re-run and are not part of
 * the new study's results.
 */
public final class WarmStart implements Sampler {
    private final Sampler delegate;
    private final List<Trial> prior;

    private WarmStart(Sampler delegate, List<Trial> prior) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.prior = List.copyOf(prior);
    }

    /** Wraps {@code sampler}; {@code priorTrials} are filtered with {@link #usable}. */
    public static WarmStart of(Sampler sampler, List<Trial> priorTrials, SearchSpace space, List<Objective> objectives) {
        return new WarmStart(sampler, usable(priorTrials, space, objectives));
    }

    /** The prior trials that can inform a study over {@code space} with these objectives, in their order. */
    public static List<Trial> usable(List<Trial> priorTrials, SearchSpace space, List<Objective> objectives) {
        List<Trial> kept = new ArrayList<>();
        for (Trial t : priorTrials) {
            if (!t.isComplete() || !space.contains(t.assignment())) {
                continue;
            }
            boolean finite = true;
            for (double v : t.minimizationVector(objectives)) {
                finite &= Double.isFinite(v);
            }
            if (finite) {
                kept.add(t);
            }
        }
        return kept;
    }

    public List<Trial> prior() {
        return prior;
    }

    public Sampler delegate() {
        return delegate;
    }

    @Override
    public Assignment sample(Context context) {
        return delegate.sample(context.withPrior(prior));
    }
}
