package dev.kompakt.strategies.quantization;

/**
 * KL-divergence ("entropy") calibration as in TensorRT (Migacz 2017, "8-bit Inference with TensorRT", GTC): build a
 * histogram of |w| over [0, max|w|]; for each candidate threshold of {@code i} bins, the reference distribution P is
 * the first {@code i} bins with every value beyond them added to the last one, and the candidate Q is those
 * {@code i} bins merged into as many groups as the grid has non-negative levels ({@code 2^(b-1)}) and expanded back,
 * each group's count spread evenly over the bins where P is non-zero. The threshold {@code (i + 0.5)} bin widths with
 * the smallest KL(P || Q) wins (the first on ties, as in TensorRT's argmin).
 *
 * <p>Asymmetric ranges calibrate each side on its own, with the number of levels that side has on the min-max grid
 * (an extension: TensorRT's calibration is symmetric).
 *
 * <p>The histogram has {@code bins} bins (TensorRT: 2048) but at most one per {@value #VALUES_PER_BIN} values, and never
 * fewer than the grid's levels: TensorRT calibrates activations over many thousands of values, while one output
 * channel of a weight tensor has tens to hundreds, and over a sparse histogram P and Q agree almost everywhere, so the
 * divergence stops measuring rounding error. A group too small for even one candidate below the maximum keeps the
 * min-max range. Cost: O(bins^2) per side.
 *
 * @param bins the largest histogram size, at least 2
 */
public record EntropyCalibration(int bins) implements Calibration {
    public static final int DEFAULT_BINS = 2048;
    /** Values per histogram bin, on average, below which the histogram gets fewer bins. */
    static final int VALUES_PER_BIN = 16;

    public EntropyCalibration {
        if (bins < 2) {
            throw new IllegalArgumentException("entropy calibration needs at least 2 histogram bins, got " + bins);
        }
    }

    @Override
    public Range range(float[] values, int bits, boolean symmetric) {
        Range full = MinMaxCalibration.of(values, symmetric);
        if (symmetric) {
            return Range.symmetric(threshold(values, 1, full.max(), (1 << (bits - 1)) - 1));
        }
        ChannelQuantization.Grid grid = ChannelQuantization.Grid.of(full, bits, false);
        int below = grid.zeroPoint();
        int above = grid.maxLevel() - grid.zeroPoint();
        return new Range(-threshold(values, -1, -full.min(), below), threshold(values, 1, full.max(), above));
    }

    @Override
    public String name() {
        return "kl";
    }

    /**
     * The KL-optimal threshold for the magnitudes of the values on one side ({@code sign} 1: positive values, -1:
     * negative values) on a grid with {@code levels} non-zero levels on that side; {@code max} is the largest magnitude.
     */
    private float threshold(float[] values, int sign, float max, int levels) {
        if (max == 0 || levels < 1) {
            return max;
        }
        int n = 0;
        for (float v : values) {
            if (v * sign > 0) {
                n++;
            }
        }
        int quantBins = levels + 1;
        int b = Math.min(bins, Math.max(quantBins, n / VALUES_PER_BIN));
        if (b <= quantBins) {
            return max;
        }
        long[] hist = new long[b];
        for (float v : values) {
            if (v * sign > 0) {
                hist[Math.min(b - 1, (int) ((double) Math.abs(v) / max * b))]++;
            }
        }
        double width = (double) max / b;
        long[] suffix = new long[b + 1];
        for (int k = b - 1; k >= 0; k--) {
            suffix[k] = suffix[k + 1] + hist[k];
        }
        int best = b;
        double bestKl = Double.POSITIVE_INFINITY;
        for (int i = quantBins; i <= b; i++) {
            double kl = divergence(hist, i, quantBins, suffix[i], n);
            if (kl < bestKl) {
                bestKl = kl;
                best = i;
            }
        }
        return (float) Math.min(max, (best + 0.5) * width);
    }

    /** KL(P || Q) for a threshold of {@code i} bins merged into {@code quantBins} groups; {@code total} values in all. */
    static double divergence(long[] hist, int i, int quantBins, long outliers, long total) {
        double[] p = new double[i];
        for (int k = 0; k < i; k++) {
            p[k] = hist[k];
        }
        p[i - 1] += outliers;
        double[] q = new double[i];
        double qTotal = 0;
        int merged = i / quantBins;
        for (int j = 0; j < quantBins; j++) {
            int start = j * merged;
            int stop = j == quantBins - 1 ? i : start + merged;
            double sum = 0;
            int nonzero = 0;
            for (int k = start; k < stop; k++) {
                sum += hist[k];
                if (p[k] != 0) {
                    nonzero++;
                }
            }
            for (int k = start; k < stop; k++) {
                q[k] = p[k] != 0 ? sum / nonzero : 0;
            }
            qTotal += sum;
        }
        if (qTotal == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int k = 0; k < i; k++) {
            if (p[k] > 0) {
                double pk = p[k] / total;
                double qk = Math.max(q[k] / qTotal, 1e-12);
                kl += pk * Math.log(pk / qk);
            }
        }
        return kl;
    }
}
