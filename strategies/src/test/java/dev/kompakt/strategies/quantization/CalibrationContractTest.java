package dev.kompakt.strategies.quantization;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract every {@link Calibration} keeps: the range contains 0, lies within the min-max range (calibration only
 * ever clips), is symmetric when asked, and is the same for the same values; on Gaussian, Laplace, one-sided, constant
 * and all-zero groups of 1 to 5000 values at 2 to 16 bits.
 */
class CalibrationContractTest {

    static List<Calibration> calibrations() {
        return List.of(new MinMaxCalibration(), new PercentileCalibration(99.99), new PercentileCalibration(90), new MseCalibration(100),
                new MseCalibration(7), new EntropyCalibration(2048), new EntropyCalibration(64));
    }

    static List<float[]> groups() {
        Random r = new Random(9);
        List<float[]> out = new java.util.ArrayList<>();
        for (int n : new int[] {1, 2, 25, 300, 5000}) {
            float[] gauss = new float[n];
            float[] laplace = new float[n];
            float[] positive = new float[n];
            for (int i = 0; i < n; i++) {
                gauss[i] = (float) (0.1 * r.nextGaussian());
                laplace[i] = (float) ChannelQuantizationContractTest.laplace(r);
                positive[i] = r.nextFloat() * 3;
            }
            out.add(gauss);
            out.add(laplace);
            out.add(positive);
        }
        out.add(new float[] {0.7f, 0.7f, 0.7f});
        out.add(new float[] {-2f});
        out.add(new float[] {0f, 0f, 0f});
        out.add(new float[0]);
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("calibrations")
    void rangeContainsZeroClipsOnlyAndIsDeterministic(Calibration c) {
        for (float[] values : groups()) {
            for (boolean symmetric : new boolean[] {true, false}) {
                Calibration.Range full = new MinMaxCalibration().range(values, 8, symmetric);
                for (int bits : new int[] {2, 3, 4, 8, 16}) {
                    Calibration.Range r = c.range(values, bits, symmetric);
                    String where = c + " " + bits + " bits " + (symmetric ? "symmetric" : "asymmetric") + " on " + values.length + " values";
                    assertTrue(r.min() <= 0 && r.max() >= 0, where + ": " + r);
                    assertTrue(r.min() >= full.min() && r.max() <= full.max(), where + ": " + r + " outside min-max " + full);
                    if (symmetric) {
                        assertEquals(-r.min(), r.max(), 0f, where + ": symmetric");
                    }
                    assertEquals(r, c.range(values.clone(), bits, symmetric), where + ": deterministic");
                    // a group with any non-zero value gets a non-empty range
                    if (full.max() > full.min()) {
                        assertTrue(r.max() > r.min(), where + ": empty range " + r);
                    }
                }
            }
        }
    }
}
