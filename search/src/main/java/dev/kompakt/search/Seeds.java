package dev.kompakt.search;

import java.util.SplittableRandom;

/** Derives independent, reproducible random streams from a study seed. */
public final class Seeds {
    private Seeds() {
    }

    /** A stream that depends only on the study seed and the trial number. */
    public static SplittableRandom forTrial(long seed, int trialNumber) {
        return new SplittableRandom(mix(seed * 0x9E3779B97F4A7C15L + trialNumber));
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated outputs. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
