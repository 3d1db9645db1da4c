package dev.kompakt.evaluator.data;

import java.util.Arrays;
import java.util.Locale;

/**
 * Per-channel normalisation: a mean and a standard deviation per channel. Images map a pixel {@code x} (0..255) to
 * {@code (x/255 - mean) / std}, so {@link #none} (mean 0, std 1) is exactly today's {@code x/255} scaling; tables map
 * a value to {@code (x - mean) / std}. Arithmetic is in {@code float} so the default is bit-identical to
 * {@code Tensors.toDataSet}. The arrays are copied in and out.
 */
public record Normalization(float[] mean, float[] std) {
    public Normalization {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("normalisation needs one mean and one std per channel, got " + mean.length
                    + " means and " + std.length + " stds");
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !Float.isFinite(std[c]) || std[c] <= 0) {
                throw new IllegalArgumentException("normalisation of channel " + c + " needs a finite mean and a finite std > 0, got mean "
                        + mean[c] + " std " + std[c]);
            }
        }
        mean = mean.clone();
        std = std.clone();
    }

    /** Mean 0 and std 1 for each channel: pixels scaled to [0, 1], table values unchanged. */
    public static Normalization none(int channels) {
        float[] mean = new float[channels];
        float[] std = new float[channels];
        Arrays.fill(std, 1f);
        return new Normalization(mean, std);
    }

    /**
     * The per-channel mean and (population) standard deviation of the samples at {@code indices}, after the
     * {@code /255} pixel scaling for images; read one sample at a time. A constant channel gets std 1.
     */
    public static Normalization fit(Dataset data, int[] indices) {
        if (indices.length == 0) {
            throw new IllegalArgumentException(data.name() + ": cannot fit a normalisation on no samples");
        }
        DataShape shape = data.shape();
        int channels = shape.channels();
        int pixels = shape.pixels();
        float[] x = new float[shape.features()];
        long[] n = new long[channels];
        double[] mean = new double[channels];
        double[] m2 = new double[channels];
        for (int i : indices) {
            data.features(i, x, 0);
            for (int c = 0; c < channels; c++) {
                for (int p = c * pixels, end = p + pixels; p < end; p++) {
                    double v = shape.tabular() ? x[p] : x[p] / 255f;
                    n[c]++;
                    double delta = v - mean[c];
                    mean[c] += delta / n[c];
                    m2[c] += delta * (v - mean[c]);
                }
            }
        }
        float[] mu = new float[channels];
        float[] sigma = new float[channels];
        for (int c = 0; c < channels; c++) {
            mu[c] = (float) mean[c];
            float s = (float) Math.sqrt(m2[c] / n[c]);
            sigma[c] = s > 0 && Float.isFinite(s) ? s : 1f;
        }
        return new Normalization(mu, sigma);
    }

    public int channels() {
        return mean.length;
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public float[] std() {
        return std.clone();
    }

    /** Whether this is {@link #none}: mean 0 and std 1 everywhere. */
    public boolean isNone() {
        return equals(none(channels()));
    }

    /** Normalises, in place, one sample of raw CHW features of {@code shape} in {@code x} from {@code offset}. */
    public void apply(DataShape shape, float[] x, int offset) {
        if (shape.channels() != mean.length) {
            throw new IllegalArgumentException("normalisation has " + mean.length + " channels but the shape " + shape + " has "
                    + shape.channels());
        }
        int pixels = shape.pixels();
        for (int c = 0; c < mean.length; c++) {
            float mu = mean[c];
            float sigma = std[c];
            int from = offset + c * pixels;
            int to = from + pixels;
            if (shape.tabular()) {
                for (int p = from; p < to; p++) {
                    x[p] = (x[p] - mu) / sigma;
                }
            } else {
                for (int p = from; p < to; p++) {
                    x[p] = (x[p] / 255f - mu) / sigma;
                }
            }
        }
    }

    /** A short form for provenance, e.g. {@code mean [0.4914, 0.4822] std [0.2470, 0.2435]}. */
    public String describe() {
        return "mean " + format(mean) + " std " + format(std);
    }

    private static String format(float[] values) {
        StringBuilder s = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            s.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4f", values[i]));
        }
        return s.append(']').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization other && Arrays.equals(mean, other.mean) && Arrays.equals(std, other.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Normalization[" + describe() + "]";
    }
}
