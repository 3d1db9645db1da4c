package dev.kompakt.bench.samplers;

import java.util.Arrays;

/** Median and quartiles by linear interpolation between order statistics (Hyndman and Fan's type 7, NumPy's default). */
public final class Quantiles {
    private Quantiles() {
    }

    public static double of(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        double position = q * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(sorted.length - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }

    public static double median(double[] values) {
        return of(values, 0.5);
    }
}
