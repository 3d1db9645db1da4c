package dev.kompakt.strategies.quantization;

/**
 * The full range of the values, nothing clipped: symmetric {@code [-max|w|, max|w|]}, asymmetric
 * {@code [min(w, 0), max(w, 0)]}. The default calibration, and the starting range of the clipping ones.
 */
public record MinMaxCalibration() implements Calibration {

    @Override
    public Range range(float[] values, int bits, boolean symmetric) {
        return of(values, symmetric);
    }

    @Override
    public String name() {
        return "minmax";
    }

    /** The min-max range of {@code values}. */
    public static Range of(float[] values, boolean symmetric) {
        float lo = 0;
        float hi = 0;
        float maxAbs = 0;
        for (float v : values) {
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        return symmetric ? Range.symmetric(maxAbs) : new Range(lo, hi);
    }
}
