package dev.kompakt.strategies.quantization;

/**
 * The clipping range that minimises the squared quantization error of the values themselves: the min-max range
 * scaled by each ratio {@code k / candidates}, {@code k = candidates .. 1}, is quantized and the range with the
 * smallest sum of squared errors wins (ties keep the wider range, so a tensor that clipping cannot help keeps its
 * min-max range). A grid search as in Banner et al. 2019, "Post training 4-bit quantization of convolutional
 * networks for rapid-deployment" (who solve for the MSE-optimal clip analytically under a Laplace or Gaussian
 * prior), and the {@code mse} calibrator of NVIDIA's pytorch-quantization. Cost: {@code candidates} quantizations of
 * the values.
 *
 * @param candidates number of clip ratios tried, at least 1 (1 is min-max)
 */
public record MseCalibration(int candidates) implements Calibration {
    public static final int DEFAULT_CANDIDATES = 100;

    public MseCalibration {
        if (candidates < 1) {
            throw new IllegalArgumentException("MSE calibration needs at least 1 candidate clip ratio, got " + candidates);
        }
    }

    @Override
    public Range range(float[] values, int bits, boolean symmetric) {
        Range full = MinMaxCalibration.of(values, symmetric);
        Range best = full;
        double bestError = ChannelQuantization.Grid.of(full, bits, symmetric).squaredError(values);
        for (int k = candidates - 1; k >= 1; k--) {
            Range r = full.scaled((double) k / candidates);
            double error = ChannelQuantization.Grid.of(r, bits, symmetric).squaredError(values);
            if (error < bestError) {
                best = r;
                bestError = error;
            }
        }
        return best;
    }

    @Override
    public String name() {
        return "mse";
    }
}
