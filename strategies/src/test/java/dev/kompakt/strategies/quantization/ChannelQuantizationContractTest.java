package dev.kompakt.strategies.quantization;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every quantization scheme keeps, for each calibration, granularity, symmetry and bit width: at most
 * 2^b - 1 (symmetric) or 2^b (asymmetric) distinct values per channel (per tensor when per-tensor), every value on its
 * group's grid, zeros kept, values inside the calibrated range rounded to the nearest level, and the same result twice.
 */
class ChannelQuantizationContractTest {
    static final List<Calibration> CALIBRATIONS = List.of(new MinMaxCalibration(), new PercentileCalibration(99.0), new MseCalibration(50),
            new EntropyCalibration(EntropyCalibration.DEFAULT_BINS));
    static final long[] SHAPE = {6, 3, 5, 5};

    static Stream<Arguments> schemes() {
        List<Arguments> list = new ArrayList<>();
        for (Calibration c : CALIBRATIONS) {
            for (QuantizationScheme.Granularity g : QuantizationScheme.Granularity.values()) {
                for (boolean symmetric : new boolean[] {true, false}) {
                    for (int bits : new int[] {2, 3, 4, 8, 16}) {
                        list.add(Arguments.of(new QuantizationScheme(bits, g, symmetric, c)));
                    }
                }
            }
        }
        return list.stream();
    }

    /** A conv-shaped tensor [6, 3, 5, 5]: Laplace channels of different widths and offsets, a third of them zero. */
    static float[] weights() {
        Random r = new Random(3);
        float[] w = new float[(int) (SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3])];
        int per = w.length / (int) SHAPE[0];
        for (int i = 0; i < w.length; i++) {
            int c = i / per;
            w[i] = i % 3 == 0 ? 0f : (float) ((c + 1) * 0.05 * laplace(r) + (c % 2 == 0 ? 0 : 0.02 * c));
        }
        return w;
    }

    static double laplace(Random r) {
        double u = r.nextDouble() - 0.5;
        return -Math.signum(u) * Math.log(1 - 2 * Math.abs(u));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void levelsGridZerosAndRounding(QuantizationScheme scheme) {
        float[] w = weights();
        ChannelQuantization q = ChannelQuantization.of(w, SHAPE, 0, scheme);
        int groups = scheme.perChannel() ? (int) SHAPE[0] : 1;
        assertEquals(groups, q.scales().length);
        assertEquals(groups, q.zeroPoints().length);
        float[] v = q.dequantized();
        int per = w.length / groups;
        int top = scheme.symmetric() ? (1 << (scheme.bits() - 1)) - 1 : (1 << scheme.bits()) - 1;
        int bottom = scheme.symmetric() ? -top : 0;
        for (int g = 0; g < groups; g++) {
            float s = q.scales()[g];
            int zp = q.zeroPoints()[g];
            assertTrue(s > 0, "scale " + s);
            if (scheme.symmetric()) {
                assertEquals(0, zp, "symmetric grids have zero point 0");
            }
            assertTrue(zp >= bottom && zp <= top, "zero point " + zp + " is a level");
            Set<Float> distinct = new HashSet<>();
            for (int i = g * per; i < (g + 1) * per; i++) {
                int level = q.levels()[i];
                assertTrue(level >= bottom && level <= top, scheme + ": level " + level);
                assertEquals((level - zp) * s, v[i], 0f, "value = (level - zero point) * scale");
                distinct.add(v[i] == 0f ? 0f : v[i]);
                if (w[i] == 0f) {
                    assertEquals(0f, v[i], 0f, "a zero stays zero");
                }
                // inside the grid's range, rounding is to the nearest level
                float lo = (bottom - zp) * s;
                float hi = (top - zp) * s;
                if (w[i] >= lo && w[i] <= hi) {
                    assertTrue(Math.abs(v[i] - w[i]) <= s * 0.5f * (1 + 1e-5f) + Math.ulp(w[i]), scheme + ": error " + Math.abs(v[i] - w[i]) + ", scale " + s);
                }
            }
            assertTrue(distinct.size() <= scheme.maxLevels(), scheme + ": " + distinct.size() + " values in group " + g);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemes")
    void sameWeightsGiveTheSameQuantization(QuantizationScheme scheme) {
        ChannelQuantization a = ChannelQuantization.of(weights(), SHAPE, 0, scheme);
        ChannelQuantization b = ChannelQuantization.of(weights(), SHAPE, 0, scheme);
        assertArrayEquals(a.levels(), b.levels());
        assertArrayEquals(a.scales(), b.scales());
        assertArrayEquals(a.zeroPoints(), b.zeroPoints());
    }

    @Test
    void defaultSchemeIsPerChannelSymmetricMinMax() {
        float[] w = weights();
        ChannelQuantization legacy = ChannelQuantization.of(w, SHAPE, 0, 4);
        ChannelQuantization explicit = ChannelQuantization.of(w, SHAPE, 0,
                new QuantizationScheme(4, QuantizationScheme.Granularity.PER_CHANNEL, true, new MinMaxCalibration()));
        assertArrayEquals(legacy.levels(), explicit.levels());
        assertArrayEquals(legacy.scales(), explicit.scales());
        int per = w.length / (int) SHAPE[0];
        for (int c = 0; c < SHAPE[0]; c++) {
            float max = 0;
            for (int i = c * per; i < (c + 1) * per; i++) {
                max = Math.max(max, Math.abs(w[i]));
            }
            assertEquals(max / 7, legacy.scales()[c], 0f, "scale_c = max|w_c| / (2^(b-1) - 1)");
        }
    }

    @Test
    void symmetricPerChannelWeightsKeepTheirValuesWhenRequantizedWithTheDefault() {
        // the INT8 ONNX export re-derives per-channel symmetric min-max integers from fake-quantized weights: a clipping
        // calibration still puts each channel's largest weight on the top level, so the re-derived grid is the same grid
        float[] w = weights();
        for (Calibration c : CALIBRATIONS) {
            for (int bits : new int[] {3, 4, 8}) {
                float[] once = ChannelQuantization.of(w, SHAPE, 0, QuantizationScheme.perChannelSymmetric(bits).withCalibration(c)).dequantized();
                float[] twice = ChannelQuantization.of(once, SHAPE, 0, bits).dequantized();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(once[i], twice[i], 4 * Math.ulp(once[i]), c.name() + " " + bits + " bits, element " + i);
                }
            }
        }
    }

    @Test
    void asymmetricGridUsesEveryLevelOnNonNegativeValues() {
        // values spread over [0, 1): min-max asymmetric puts the zero point at level 0 and uses all 16 levels,
        // where the symmetric grid has only its 8 non-negative levels for them
        Random r = new Random(1);
        float[] w = new float[2000];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat();
        }
        long[] shape = {w.length};
        ChannelQuantization asym = ChannelQuantization.of(w, shape, 0,
                new QuantizationScheme(4, QuantizationScheme.Granularity.PER_TENSOR, false, new MinMaxCalibration()));
        ChannelQuantization sym = ChannelQuantization.of(w, shape, 0,
                new QuantizationScheme(4, QuantizationScheme.Granularity.PER_TENSOR, true, new MinMaxCalibration()));
        assertEquals(0, asym.zeroPoints()[0]);
        assertEquals(16, distinct(asym.levels()), "all 2^4 levels used");
        assertEquals(8, distinct(sym.levels()), "levels 0..7 only");
        assertTrue(squaredError(w, asym.dequantized()) < squaredError(w, sym.dequantized()) / 3, "half the step, a quarter of the error");
    }

    @Test
    void asymmetricZeroPointMapsZeroExactly() {
        // range [-1, 3] at 4 bits: scale 4/15, zero point round(1 / (4/15)) = round(3.75) = 4
        float[] w = {-1f, 3f, 0f, 0.5f, -0.4f};
        ChannelQuantization q = ChannelQuantization.of(w, new long[] {5}, 0,
                new QuantizationScheme(4, QuantizationScheme.Granularity.PER_TENSOR, false, new MinMaxCalibration()));
        assertEquals(4f / 15, q.scales()[0], 1e-7f);
        assertEquals(4, q.zeroPoints()[0]);
        // -1 -> round(-3.75) + 4 = 0; 3 -> round(11.25) + 4 = 15; 0 -> 4; 0.5 -> round(1.875) + 4 = 6; -0.4 -> round(-1.5) + 4 = 3
        assertArrayEquals(new int[] {0, 15, 4, 6, 3}, q.levels());
        float s = 4f / 15;
        assertArrayEquals(new float[] {-4 * s, 11 * s, 0f, 2 * s, -s}, q.dequantized(), 1e-6f);
    }

    @Test
    void perTensorSharesOneScale() {
        // dense [in = 2, out = 2], channels are columns: max |w| 0.5 and 2; per tensor, one scale 2 / 3 at 3 bits
        float[] w = {0.5f, 2f, -0.25f, 1.1f};
        ChannelQuantization q = ChannelQuantization.of(w, new long[] {2, 2}, 1,
                new QuantizationScheme(3, QuantizationScheme.Granularity.PER_TENSOR, true, new MinMaxCalibration()));
        assertArrayEquals(new float[] {2f / 3}, q.scales());
        // 0.5 / (2/3) = 0.75 -> 1; 2 -> 3; -0.25 -> -0.375 -> 0; 1.1 -> 1.65 -> 2
        assertArrayEquals(new int[] {1, 3, 0, 2}, q.levels());
    }

    @Test
    void clippingCalibrationsBeatMinMaxOnAHeavyTailedTensor() {
        // Laplace samples plus one outlier: min-max spends the 4-bit grid on the outlier, the others clip it
        Random r = new Random(11);
        float[] w = new float[20001];
        for (int i = 0; i < w.length - 1; i++) {
            w[i] = (float) laplace(r);
        }
        w[w.length - 1] = 60f;
        long[] shape = {w.length};
        for (boolean symmetric : new boolean[] {true, false}) {
            QuantizationScheme minMax = new QuantizationScheme(4, QuantizationScheme.Granularity.PER_TENSOR, symmetric, new MinMaxCalibration());
            double reference = squaredError(w, ChannelQuantization.of(w, shape, 0, minMax).dequantized());
            for (Calibration c : List.of(Calibration.named("percentile"), Calibration.named("mse"), Calibration.named("kl"))) {
                ChannelQuantization q = ChannelQuantization.of(w, shape, 0, minMax.withCalibration(c));
                double error = squaredError(w, q.dequantized());
                assertTrue(error < 0.5 * reference, c.name() + (symmetric ? " symmetric" : " asymmetric") + ": MSE " + error / w.length
                        + " vs min-max " + reference / w.length);
                assertTrue(q.scales()[0] < ChannelQuantization.of(w, shape, 0, minMax).scales()[0], c.name() + " clips the range");
            }
        }
    }

    @Test
    void mseCalibrationIsNeverWorseThanMinMax() {
        Random r = new Random(5);
        for (int trial = 0; trial < 20; trial++) {
            float[] w = new float[50 + r.nextInt(500)];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (trial % 2 == 0 ? r.nextGaussian() : laplace(r));
            }
            for (boolean symmetric : new boolean[] {true, false}) {
                for (int bits : new int[] {2, 4, 8}) {
                    Calibration.Range full = new MinMaxCalibration().range(w, bits, symmetric);
                    Calibration.Range best = new MseCalibration(100).range(w, bits, symmetric);
                    assertTrue(ChannelQuantization.Grid.of(best, bits, symmetric).squaredError(w)
                            <= ChannelQuantization.Grid.of(full, bits, symmetric).squaredError(w));
                }
            }
        }
    }

    @Test
    void calibrationRanges() {
        float[] w = {-4f, -1f, 0f, 1f, 2f};
        assertEquals(new Calibration.Range(-4f, 4f), new MinMaxCalibration().range(w, 4, true));
        assertEquals(new Calibration.Range(-4f, 2f), new MinMaxCalibration().range(w, 4, false));
        assertEquals(new Calibration.Range(0f, 3f), new MinMaxCalibration().range(new float[] {1f, 3f}, 4, false), "ranges contain 0");
        // |w| sorted: 0 1 1 2 4; 75th percentile: rank 3 -> 2; 87.5th: rank 3.5 -> 3
        assertEquals(new Calibration.Range(-2f, 2f), new PercentileCalibration(75).range(w, 4, true));
        assertEquals(new Calibration.Range(-3f, 3f), new PercentileCalibration(87.5).range(w, 4, true));
        // per side: 12.5th percentile of w (rank 0.5): -2.5; 87.5th (rank 3.5): 1.5
        assertEquals(new Calibration.Range(-2.5f, 1.5f), new PercentileCalibration(87.5).range(w, 4, false));
        assertEquals(new MinMaxCalibration().range(w, 4, true), new PercentileCalibration(100).range(w, 4, true));
        assertEquals(new MinMaxCalibration().range(w, 4, false), new MseCalibration(1).range(w, 4, false), "one candidate is min-max");
        // too few values for a histogram finer than the 8-bit grid: KL keeps min-max
        assertEquals(new MinMaxCalibration().range(w, 8, true), new EntropyCalibration(2048).range(w, 8, true));
        assertEquals(new Calibration.Range(0f, 0f), new MseCalibration(10).range(new float[] {0f, 0f}, 4, true), "all-zero stays empty");
    }

    @Test
    void entropyCalibrationKeepsTheRangeOfUniformValues() {
        // nothing to gain from clipping a uniform distribution: the KL threshold stays near the maximum
        Random r = new Random(2);
        float[] w = new float[50000];
        for (int i = 0; i < w.length; i++) {
            w[i] = r.nextFloat() * 2 - 1;
        }
        float t = new EntropyCalibration(2048).range(w, 4, true).max();
        assertTrue(t > 0.9f, "threshold " + t);
    }

    @Test
    void namedCalibrations() {
        assertEquals(new MinMaxCalibration(), Calibration.named("minmax"));
        assertEquals(new PercentileCalibration(99.99), Calibration.named("Percentile"));
        assertEquals(new MseCalibration(100), Calibration.named("mse"));
        assertEquals(new EntropyCalibration(2048), Calibration.named("kl"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Calibration.named("histogram"));
        assertTrue(e.getMessage().contains("'histogram'") && e.getMessage().contains("kl"));
        assertThrows(IllegalArgumentException.class, () -> new PercentileCalibration(50));
        assertThrows(IllegalArgumentException.class, () -> new MseCalibration(0));
        assertThrows(IllegalArgumentException.class, () -> new EntropyCalibration(1));
        assertThrows(IllegalArgumentException.class, () -> new Calibration.Range(0.5f, 1f));
        IllegalArgumentException bits = assertThrows(IllegalArgumentException.class,
                () -> new QuantizationScheme(17, QuantizationScheme.Granularity.PER_CHANNEL, true, new MinMaxCalibration()));
        assertEquals("weight bits must be in [2, 16], got 17", bits.getMessage());
        assertEquals("INT4 per-tensor asymmetric mse",
                new QuantizationScheme(4, QuantizationScheme.Granularity.PER_TENSOR, false, new MseCalibration(100)).describe());
    }

    static int distinct(int[] levels) {
        Set<Integer> s = new HashSet<>();
        for (int l : levels) {
            s.add(l);
        }
        return s.size();
    }

    static double squaredError(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (a[i] - b[i]) * (double) (a[i] - b[i]);
        }
        return sum;
    }
}
