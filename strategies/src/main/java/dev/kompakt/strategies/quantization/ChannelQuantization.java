package dev.kompakt.strategies.quantization;

/**
 * Uniform quantization of a weight tensor given in C order, one range per output channel or one for the whole
 * tensor. Each group (channel or tensor) gets a {@link Grid} from the range its {@link Calibration} chooses:
 * symmetric, {@code scale = t / (2^(b-1) - 1)} for the range [-t, t], zero point 0, levels in
 * {@code [-(2^(b-1) - 1), 2^(b-1) - 1]}; asymmetric, {@code scale = (hi - lo) / (2^b - 1)},
 * {@code zeroPoint = round(-lo / scale)}, levels in {@code [0, 2^b - 1]}; then
 * {@code level = clamp(round(w / scale) + zeroPoint)} and {@code value = (level - zeroPoint) * scale}. Zero is always
 * a level (every range contains 0), so pruned weights stay zero. The default scheme (per channel, symmetric, min-max)
 * is {@code scale_c = max|w_c| / (2^(b-1) - 1)}.
 *
 * <p>The one place this arithmetic lives: {@link WeightQuantizer} fake-quantizes with it, the calibrations measure
 * candidate ranges with {@link Grid}, and the ONNX exporter stores its levels, so an exported integer model holds
 * exactly the values whose accuracy was measured.
 *
 * @param levels     integer levels, C order
 * @param scales     one scale per output channel, or one for the tensor (1 for an all-zero group)
 * @param zeroPoints one zero point per scale (all 0 when symmetric)
 * @param stride     distance in elements between neighbouring channels (the tensor's length when per tensor)
 */
public record ChannelQuantization(int[] levels, float[] scales, int[] zeroPoints, long stride) {

    /** A symmetric quantization (every zero point 0). */
    public ChannelQuantization(int[] levels, float[] scales, long stride) {
        this(levels, scales, new int[scales.length], stride);
    }

    /** The default scheme: per channel, symmetric, min-max. */
    public static ChannelQuantization of(float[] weights, long[] shape, int channelAxis, int bits) {
        return of(weights, shape, channelAxis, QuantizationScheme.perChannelSymmetric(bits));
    }

    public static ChannelQuantization of(float[] weights, long[] shape, int channelAxis, QuantizationScheme scheme) {
        int groups = scheme.perChannel() ? (int) shape[channelAxis] : 1;
        long stride = scheme.perChannel() ? stride(shape, channelAxis) : Math.max(1, weights.length);
        float[][] values = groups(weights, groups, stride);
        Grid[] grids = new Grid[groups];
        float[] scales = new float[groups];
        int[] zeroPoints = new int[groups];
        for (int g = 0; g < groups; g++) {
            grids[g] = Grid.of(scheme.calibration().range(values[g], scheme.bits(), scheme.symmetric()), scheme.bits(), scheme.symmetric());
            scales[g] = grids[g].scale();
            zeroPoints[g] = grids[g].zeroPoint();
        }
        int[] levels = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            levels[i] = grids[(int) ((i / stride) % groups)].level(weights[i]);
        }
        return new ChannelQuantization(levels, scales, zeroPoints, stride);
    }

    /** Each level's value, {@code (level - zeroPoint) * scale} of its group, C order. */
    public float[] dequantized() {
        float[] w = new float[levels.length];
        for (int i = 0; i < w.length; i++) {
            int g = (int) ((i / stride) % scales.length);
            w[i] = (levels[i] - zeroPoints[g]) * scales[g];
        }
        return w;
    }

    /** Distance in elements between neighbours along {@code axis} of a C-order array of this shape. */
    public static long stride(long[] shape, int axis) {
        long s = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            s *= shape[d];
        }
        return s;
    }

    /** The values of each of {@code groups} groups (element i belongs to group (i / stride) % groups), in C order. */
    static float[][] groups(float[] weights, int groups, long stride) {
        int[] sizes = new int[groups];
        for (int i = 0; i < weights.length; i++) {
            sizes[(int) ((i / stride) % groups)]++;
        }
        float[][] out = new float[groups][];
        for (int g = 0; g < groups; g++) {
            out[g] = new float[sizes[g]];
        }
        int[] fill = new int[groups];
        for (int i = 0; i < weights.length; i++) {
            int g = (int) ((i / stride) % groups);
            out[g][fill[g]++] = weights[i];
        }
        return out;
    }

    /**
     * The integer grid of one group: {@code level = clamp(round(w / scale) + zeroPoint, minLevel, maxLevel)},
     * {@code value = (level - zeroPoint) * scale}.
     */
    public record Grid(float scale, int zeroPoint, int minLevel, int maxLevel) {

        /** The grid of {@code bits} bits over a calibrated range (see the class comment). */
        public static Grid of(Calibration.Range range, int bits, boolean symmetric) {
            if (symmetric) {
                int qmax = (1 << (bits - 1)) - 1;
                float t = Math.max(-range.min(), range.max());
                return new Grid(t == 0 ? 1f : t / qmax, 0, -qmax, qmax);
            }
            int top = (1 << bits) - 1;
            float scale = (range.max() - range.min()) / top;
            if (scale == 0) {
                return new Grid(1f, 0, 0, top);
            }
            int zeroPoint = Math.max(0, Math.min(top, Math.round(-range.min() / scale)));
            return new Grid(scale, zeroPoint, 0, top);
        }

        public int level(float w) {
            // in long: round() saturates at the int range, and adding the zero point must not wrap
            return (int) Math.max(minLevel, Math.min(maxLevel, (long) Math.round(w / scale) + zeroPoint));
        }

        public float value(int level) {
            return (level - zeroPoint) * scale;
        }

        /** Sum over the values of (value(level(w)) - w)^2. */
        public double squaredError(float[] values) {
            double sum = 0;
            for (float w : values) {
                double e = value(level(w)) - w;
                sum += e * e;
            }
            return sum;
        }
    }
}
