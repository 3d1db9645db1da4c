package dev.kompakt.strategies.quantization;

/**
 * How the weights of one tensor are quantized: the bit width, one range per output channel or one for the whole
 * tensor, a symmetric grid (levels {@code -q..q}, {@code q = 2^(b-1) - 1}, zero point 0) or an asymmetric one (levels
 * {@code 0..2^b - 1} with a zero point), and the {@link Calibration} that chooses each range. The arithmetic is
 * {@link ChannelQuantization}'s. See Krishnamoorthi 2018, "Quantizing deep convolutional networks for efficient
 * inference: A whitepaper", for the granularity and symmetry choices.
 *
 * <p>Export: the INT8 ONNX exporter stores per-channel symmetric integers re-derived from the fake-quantized weights. A
 * per-channel symmetric scheme with any calibration maps back to the same integers (a clipping range still puts each
 * channel's largest weight on the top level); per-tensor and asymmetric weights would be re-quantized by the export, so
 * the search's candidates use the default scheme.
 *
 * @param bits        2 to 16
 * @param granularity one range per output channel or per tensor
 * @param symmetric   symmetric grid (at most 2^b - 1 values) or asymmetric (at most 2^b)
 * @param calibration how each range is chosen
 */
public record QuantizationScheme(int bits, Granularity granularity, boolean symmetric, Calibration calibration) {
    public enum Granularity { PER_CHANNEL, PER_TENSOR }

    public QuantizationScheme {
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("weight bits must be in [2, 16], got " + bits);
        }
        if (granularity == null || calibration == null) {
            throw new IllegalArgumentException("a quantization scheme needs a granularity and a calibration");
        }
    }

    /** The default: per output channel, symmetric, min-max (nothing clipped). */
    public static QuantizationScheme perChannelSymmetric(int bits) {
        return new QuantizationScheme(bits, Granularity.PER_CHANNEL, true, new MinMaxCalibration());
    }

    /** This scheme with another calibration. */
    public QuantizationScheme withCalibration(Calibration c) {
        return new QuantizationScheme(bits, granularity, symmetric, c);
    }

    public boolean perChannel() {
        return granularity == Granularity.PER_CHANNEL;
    }

    /** The most distinct values one range's grid has: 2^b - 1 symmetric, 2^b asymmetric. */
    public int maxLevels() {
        return symmetric ? (1 << bits) - 1 : 1 << bits;
    }

    /** e.g. "INT4 per-channel symmetric mse". */
    public String describe() {
        return "INT" + bits + (perChannel() ? " per-channel " : " per-tensor ") + (symmetric ? "symmetric " : "asymmetric ") + calibration.name();
    }
}
