package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Seeds;

import java.util.SplittableRandom;

/** Independent uniform sampling in each parameter's unit coordinate (log-uniform for log parameters). */
public final class RandomSampler implements Sampler {
    private final long seed;

    public RandomSampler(long seed) {
        this.seed = seed;
    }

    @Override
    public Assignment sample(Context context) {
        SplittableRandom random = Seeds.forTrial(seed, context.trialNumber());
        return context.space().fromUnit(p -> random.nextDouble());
    }
}
