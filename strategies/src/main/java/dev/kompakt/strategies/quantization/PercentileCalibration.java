package dev.kompakt.strategies.quantization;

import java.util.Arrays;

/**
 * Clips at a high percentile of the values instead of their extreme: symmetric, the {@code p}-th percentile of
 * |w|; asymmetric, each side on its own, the {@code (100 - p)}-th percentile of w below and the {@code p}-th above.
 * Percentiles interpolate linearly between the closest ranks (numpy's default), so with fewer than about
 * {@code 100 / (100 - p)} values the range is the min-max range. As in NVIDIA's pytorch-quantization
 * ({@code percentile} calibrator, 99.99 by default) and Wu et al. 2020, "Integer Quantization for Deep Learning
 * Inference: Principles and Empirical Evaluation".
 *
 * @param percentile in (50, 100]; 100 is min-max
 */
public record PercentileCalibration(double percentile) implements Calibration {
    public static final double DEFAULT_PERCENTILE = 99.99;

    public PercentileCalibration {
        if (!(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("calibration percentile must be in (50, 100], got " + percentile);
        }
    }

    @Override
    public Range range(float[] values, int bits, boolean symmetric) {
        if (values.length == 0) {
            return Range.symmetric(0);
        }
        if (symmetric) {
            float[] abs = new float[values.length];
            for (int i = 0; i < abs.length; i++) {
                abs[i] = Math.abs(values[i]);
            }
            Arrays.sort(abs);
            return Range.symmetric(at(abs, percentile));
        }
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        return new Range(Math.min(0, at(sorted, 100 - percentile)), Math.max(0, at(sorted, percentile)));
    }

    @Override
    public String name() {
        return "percentile";
    }

    /** The p-th percentile of sorted values, linear between closest ranks. */
    static float at(float[] sorted, double p) {
        double rank = p / 100 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(sorted.length - 1, lo + 1);
        double f = rank - lo;
        return (float) (sorted[lo] + f * (sorted[hi] - sorted[lo]));
    }
}
