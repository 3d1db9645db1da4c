package dev.kompakt.strategies;

/**
 * Symmetric per-output-channel quantization of a weight tensor given in C order: for each channel c,
 * {@code scale_c = max|w_c| / (2^(b-1) - 1)} and {@code level = clamp(round(w / scale_c), -qmax, qmax)}. The one
 * place this arithmetic lives: {@link WeightQuantizer} fake-quantizes with it and the ONNX exporter stores its
 * levels, so an exported integer model holds exactly the values whose accuracy was measured.
 *
 * @param levels integer levels, C order, within [-qmax, qmax]
 * @param scales one scale per output channel (1 for an all-zero channel)
 * @param stride distance in elements between neighbouring channels
 */
public record ChannelQuantization(int[] levels, float[] scales, long stride) {

    public static ChannelQuantization of(float[] weights, long[] shape, int channelAxis, int bits) {
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("weight bits must be in [2, 16], got " + bits);
        }
        int qmax = (1 << (bits - 1)) - 1;
        int channels = (int) shape[channelAxis];
        long stride = stride(shape, channelAxis);
        float[] maxAbs = new float[channels];
        for (int i = 0; i < weights.length; i++) {
            int c = (int) ((i / stride) % channels);
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(weights[i]));
        }
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = maxAbs[c] == 0 ? 1f : maxAbs[c] / qmax;
        }
        int[] levels = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            float s = scales[(int) ((i / stride) % channels)];
            levels[i] = (int) Math.max(-qmax, Math.min(qmax, Math.round(weights[i] / s)));
        }
        return new ChannelQuantization(levels, scales, stride);
    }

    /** Each level times its channel's scale, C order. */
    public float[] dequantized() {
        float[] w = new float[levels.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = levels[i] * scales[(int) ((i / stride) % scales.length)];
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
}
