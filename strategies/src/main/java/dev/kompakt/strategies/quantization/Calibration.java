package dev.kompakt.strategies.quantization;

import java.util.Locale;

/**
 * Chooses the range of real values that a group of weights (one output channel, or a whole tensor) maps onto its
 * integer grid. A range narrower than the values clips the outliers to the grid's end and in exchange rounds the
 * bulk of the values more finely; each implementation is one way of making that trade:
 * <ul>
 *   <li>{@link MinMaxCalibration}: the full range, nothing clipped (the default);</li>
 *   <li>{@link PercentileCalibration}: a high percentile of the values;</li>
 *   <li>{@link MseCalibration}: the clipping range that minimises the mean squared quantization error;</li>
 *   <li>{@link EntropyCalibration}: the threshold that minimises the KL divergence between the histogram of the values
 *       and its quantized form (Migacz 2017, TensorRT).</li>
 * </ul>
 * Implementations are stateless and deterministic: the same values give the same range.
 */
public interface Calibration {

    /**
     * A range [min, max] with {@code min <= 0 <= max}, so that zero (a pruned weight) is always representable.
     * Symmetric calibration returns {@code min = -max}.
     */
    record Range(float min, float max) {
        public Range {
            if (!(min <= 0 && max >= 0) || !Float.isFinite(min) || !Float.isFinite(max)) {
                throw new IllegalArgumentException("a quantization range must be finite and contain 0, got [" + min + ", " + max + "]");
            }
        }

        public static Range symmetric(float limit) {
            return new Range(limit == 0 ? 0f : -limit, limit);
        }

        /** Both ends multiplied by {@code ratio} (in (0, 1]). */
        public Range scaled(double ratio) {
            return new Range((float) (min * ratio), (float) (max * ratio));
        }
    }

    /**
     * The range of {@code values} to map onto a grid of {@code bits} bits: symmetric (levels -q..q, q = 2^(b-1) - 1)
     * or asymmetric (levels 0..2^b - 1 with a zero point).
     */
    Range range(float[] values, int bits, boolean symmetric);

    /** The short name used in specs and result tables: minmax, percentile, mse or kl. */
    String name();

    /** A calibration by its name, with default settings: minmax, percentile (99.99), mse, kl. */
    static Calibration named(String name) {
        switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "minmax":
            case "min-max":
                return new MinMaxCalibration();
            case "percentile":
                return new PercentileCalibration(PercentileCalibration.DEFAULT_PERCENTILE);
            case "mse":
                return new MseCalibration(MseCalibration.DEFAULT_CANDIDATES);
            case "kl":
            case "entropy":
                return new EntropyCalibration(EntropyCalibration.DEFAULT_BINS);
            default:
                throw new IllegalArgumentException("unknown calibration '" + name + "' (known: minmax, percentile, mse, kl)");
        }
    }
}
