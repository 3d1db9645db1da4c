package dev.kompakt.evaluator.onnx;

import dev.kompakt.evaluator.cost.LayerCost;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.ArrayRealVector;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;

import java.util.List;
import java.util.Set;

/**
 * Predicts batch-1 ONNX Runtime latency on this host from a network's per-layer costs, with coefficients
 * fitted to measurements made here (nn-Meter's idea at kernel-class granularity). Latency in microseconds =
 * per-call overhead + a dispatch cost per kernel + an extra cost per integer convolution (its layout transposes)
 * and per integer dense layer (its quantize, cast and rescale steps) + a cost per MAC for float and integer convolutions and dense layers + a cost per byte of
 * weights as the runtime holds them (4 for float, 1 for integer layers) and per byte beyond an effective cache
 * size fitted with the coefficients (those come from L3 or memory on every call) + a cost per pooling output. Which layers run on integer kernels is decided by {@link GraphOnnxExporter#integerLayers}.
 * Fitted by non-negative least squares (every term is a cost) on relative error, so small and large networks
 * weigh the same.
 * Sparsity does not enter: ONNX Runtime's CPU kernels are dense.
 */
public record HostLatencyModel(double[] coefficients, long l2Bytes) {
    /** Feature order of the coefficient vector. */
    public static final List<String> FEATURES = List.of("call", "kernels", "int8 conv kernels", "int8 dense kernels", "float conv MACs",
            "int8 conv MACs", "float dense MACs", "int8 dense MACs", "weight bytes", "weight bytes beyond L2", "pool outputs");

    /** One measured network: its layer costs, the layers that ran on integer kernels, and the measured p50 in ms. */
    public record Sample(List<LayerCost> layers, Set<Integer> integerLayers, double measuredMs) {
    }

    public double predictMs(List<LayerCost> layers, Set<Integer> integerLayers) {
        double[] x = features(layers, integerLayers, l2Bytes);
        double us = 0;
        for (int i = 0; i < x.length; i++) {
            us += coefficients[i] * x[i];
        }
        return us / 1000.0;
    }

    /**
     * Fits the coefficients and the effective cache size: the threshold beyond which weight bytes cost extra is
     * searched from 256 KiB up to twice the L2 size in 64 KiB steps, keeping the one with the smallest squared
     * relative error on the samples (the hardware L2 is shared with activations and code, so the knee comes earlier).
     */
    public static HostLatencyModel fit(List<Sample> samples) {
        HostLatencyModel best = null;
        double bestError = Double.POSITIVE_INFINITY;
        for (long threshold = 256L << 10; threshold <= 2 * l2CacheBytes(); threshold += 64L << 10) {
            HostLatencyModel m = fit(samples, threshold);
            double error = 0;
            for (Sample s : samples) {
                double r = m.predictMs(s.layers(), s.integerLayers()) / s.measuredMs() - 1;
                error += r * r;
            }
            if (error < bestError) {
                bestError = error;
                best = m;
            }
        }
        return best;
    }

    /** The L2 cache of CPU 0 from sysfs; 1 MiB when unreadable. Bounds the search for the effective cache size. */
    public static long l2CacheBytes() {
        try {
            for (int i = 0; i < 8; i++) {
                java.nio.file.Path dir = java.nio.file.Path.of("/sys/devices/system/cpu/cpu0/cache/index" + i);
                if (java.nio.file.Files.readString(dir.resolve("level")).trim().equals("2")) {
                    String size = java.nio.file.Files.readString(dir.resolve("size")).trim();
                    long n = Long.parseLong(size.replaceAll("[^0-9]", ""));
                    return size.endsWith("M") ? n << 20 : size.endsWith("K") ? n << 10 : n;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // fall through to the default
        }
        return 1L << 20;
    }

    public static HostLatencyModel fit(List<Sample> samples, long l2Bytes) {
        int k = FEATURES.size();
        if (samples.size() < k) {
            throw new IllegalArgumentException("need at least " + k + " samples to fit the host latency model, got " + samples.size());
        }
        double[] scale = new double[k];
        for (Sample s : samples) {
            double[] x = features(s.layers(), s.integerLayers(), l2Bytes);
            for (int j = 0; j < k; j++) {
                scale[j] = Math.max(scale[j], Math.abs(x[j]));
            }
        }
        // rows weighted by 1/measured (relative error); columns scaled to [0, 1]
        RealMatrix a = new Array2DRowRealMatrix(samples.size(), k);
        RealVector b = new ArrayRealVector(samples.size(), 1.0);
        for (int i = 0; i < samples.size(); i++) {
            double[] x = features(samples.get(i).layers(), samples.get(i).integerLayers(), l2Bytes);
            double y = samples.get(i).measuredMs() * 1000.0;
            for (int j = 0; j < k; j++) {
                a.setEntry(i, j, scale[j] == 0 ? 0 : x[j] / scale[j] / y);
            }
        }
        RealVector solution = nonNegativeLeastSquares(a, b);
        double[] c = new double[k];
        for (int j = 0; j < k; j++) {
            c[j] = scale[j] == 0 ? 0 : solution.getEntry(j) / scale[j];
        }
        return new HostLatencyModel(c, l2Bytes);
    }

    /**
     * Lawson and Hanson's active-set algorithm (Solving Least Squares Problems, 1974, ch. 23): minimises |Ax - b|
     * subject to x >= 0. Exact for the small, dense systems here.
     */
    static RealVector nonNegativeLeastSquares(RealMatrix a, RealVector b) {
        int n = a.getColumnDimension();
        boolean[] passive = new boolean[n];
        RealVector x = new ArrayRealVector(n);
        for (int iteration = 0; iteration < 30 * n; iteration++) {
            RealVector w = a.transpose().operate(b.subtract(a.operate(x)));
            int best = -1;
            for (int j = 0; j < n; j++) {
                if (!passive[j] && w.getEntry(j) > 1e-12 && (best < 0 || w.getEntry(j) > w.getEntry(best))) {
                    best = j;
                }
            }
            if (best < 0) {
                return x;
            }
            passive[best] = true;
            while (true) {
                RealVector z = solvePassive(a, b, passive);
                boolean feasible = true;
                for (int j = 0; j < n; j++) {
                    feasible &= !passive[j] || z.getEntry(j) > 0;
                }
                if (feasible) {
                    x = z;
                    break;
                }
                double alpha = Double.POSITIVE_INFINITY;
                for (int j = 0; j < n; j++) {
                    if (passive[j] && z.getEntry(j) <= 0) {
                        alpha = Math.min(alpha, x.getEntry(j) / (x.getEntry(j) - z.getEntry(j)));
                    }
                }
                x = x.add(z.subtract(x).mapMultiply(alpha));
                for (int j = 0; j < n; j++) {
                    if (passive[j] && x.getEntry(j) <= 1e-15) {
                        passive[j] = false;
                        x.setEntry(j, 0);
                    }
                }
            }
        }
        return x;
    }

    /** Unconstrained least squares on the passive columns (others fixed at 0), with a tiny ridge for collinear columns. */
    private static RealVector solvePassive(RealMatrix a, RealVector b, boolean[] passive) {
        int n = a.getColumnDimension();
        RealMatrix normal = a.transpose().multiply(a);
        RealVector rhs = a.transpose().operate(b);
        for (int j = 0; j < n; j++) {
            if (!passive[j]) {
                for (int i = 0; i < n; i++) {
                    normal.setEntry(i, j, 0);
                    normal.setEntry(j, i, 0);
                }
                normal.setEntry(j, j, 1);
                rhs.setEntry(j, 0);
            } else {
                normal.addToEntry(j, j, 1e-9);
            }
        }
        return new CholeskyDecomposition(normal).getSolver().solve(rhs);
    }

    static double[] features(List<LayerCost> layers, Set<Integer> integerLayers, long l2Bytes) {
        double[] x = new double[FEATURES.size()];
        x[0] = 1;
        for (LayerCost c : layers) {
            boolean integer = integerLayers.contains(c.index());
            switch (c.kind()) {
                case "conv", "depthwise" -> {
                    x[1] += 1;
                    x[2] += integer ? 1 : 0;
                    x[integer ? 5 : 4] += c.macs();
                    x[8] += c.weights() * (integer ? 1 : 4);
                }
                case "dense" -> {
                    x[1] += 1;
                    x[3] += integer ? 1 : 0;
                    x[integer ? 7 : 6] += c.macs();
                    x[8] += c.weights() * (integer ? 1 : 4);
                }
                case "pool" -> {
                    x[1] += 1;
                    x[10] += c.outputElements();
                }
                default -> {
                }
            }
        }
        x[9] = Math.max(0, x[8] - l2Bytes);
        return x;
    }
}
