package dev.kompakt.search.sampler;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParzenEstimatorTest {

    private static final double[][] OBS = {{0.1}, {0.15}, {0.7}};
    private static final double[] W = {1, 1, 0.5};

    @Test
    void continuousDensityIntegratesToOneOverTheRange() {
        ParzenEstimator e = ParzenEstimator.build(List.of(ParzenEstimator.Dim.numeric(0, 1, 0)), OBS, W, 1.0, false);
        int cells = 20_000;
        double integral = 0;
        for (int i = 0; i < cells; i++) {
            integral += Math.exp(e.logPdf(new double[]{(i + 0.5) / cells})) / cells;
        }
        assertEquals(1.0, integral, 1e-4);
    }

    @Test
    void gridMassesSumToOneAndSamplesStayOnTheGrid() {
        ParzenEstimator.Dim grid = ParzenEstimator.Dim.numeric(2, 16, 2);
        ParzenEstimator e = ParzenEstimator.build(List.of(grid), new double[][]{{4}, {4}, {8}}, new double[]{1, 1, 1}, 1.0, false);
        double total = 0;
        for (int v = 2; v <= 16; v += 2) {
            total += Math.exp(e.logPdf(new double[]{v}));
        }
        assertEquals(1.0, total, 1e-9);
        SplittableRandom random = new SplittableRandom(1);
        int fours = 0;
        for (int i = 0; i < 5000; i++) {
            double x = e.sample(random)[0];
            assertTrue(x >= 2 && x <= 16 && x % 2 == 0, "off the grid: " + x);
            fours += x == 4 ? 1 : 0;
        }
        // sampling frequency matches the mass (within 4 standard errors)
        double p = Math.exp(e.logPdf(new double[]{4}));
        assertEquals(p, fours / 5000.0, 4 * Math.sqrt(p * (1 - p) / 5000));
    }

    @Test
    void categoricalMassesFollowObservationsAndPrior() {
        ParzenEstimator.Dim choices = ParzenEstimator.Dim.categorical(4);
        ParzenEstimator e = ParzenEstimator.build(List.of(choices), new double[][]{{1}, {1}, {3}}, new double[]{1, 1, 1}, 1.0, false);
        double[] p = new double[4];
        double total = 0;
        for (int c = 0; c < 4; c++) {
            p[c] = Math.exp(e.logPdf(new double[]{c}));
            total += p[c];
        }
        assertEquals(1.0, total, 1e-12);
        // component weights 1/4 each; an observation's kernel is (1/4 + [c == obs]) / 2, the prior's 1/4
        assertEquals(0.25 * (2 * (0.125 + 0.5) + 0.125) + 0.25 * 0.25, p[1], 1e-12);
        assertEquals(0.25 * (3 * 0.125) + 0.25 * 0.25, p[0], 1e-12);
        assertTrue(p[1] > p[3] && p[3] > p[0]);
    }

    @Test
    void densityPeaksAtTheObservationsAndSamplesConcentrateThere() {
        ParzenEstimator e = ParzenEstimator.build(List.of(ParzenEstimator.Dim.numeric(0, 1, 0)), OBS, W, 1.0, false);
        assertTrue(e.logPdf(new double[]{0.12}) > e.logPdf(new double[]{0.45}));
        assertTrue(e.logPdf(new double[]{0.7}) > e.logPdf(new double[]{0.95}));
        SplittableRandom random = new SplittableRandom(3);
        int near = 0;
        for (int i = 0; i < 4000; i++) {
            double x = e.sample(random)[0];
            assertTrue(x >= 0 && x <= 1);
            near += x < 0.3 ? 1 : 0;
        }
        // the sampler draws from the density it reports: frequency below 0.3 matches the integral (4 standard errors)
        double mass = 0;
        for (int i = 0; i < 3000; i++) {
            mass += Math.exp(e.logPdf(new double[]{(i + 0.5) / 10_000})) / 10_000;
        }
        assertEquals(mass, near / 4000.0, 4 * Math.sqrt(mass * (1 - mass) / 4000));
        assertTrue(mass > 0.4, "the two heavy observations pull mass below 0.3: " + mass);
    }

    @Test
    void multivariateProductKernelIntegratesToOne() {
        List<ParzenEstimator.Dim> dims = List.of(ParzenEstimator.Dim.numeric(0, 1, 0), ParzenEstimator.Dim.categorical(3));
        double[][] obs = {{0.2, 0}, {0.8, 2}, {0.25, 0}};
        ParzenEstimator e = ParzenEstimator.build(dims, obs, new double[]{1, 1, 1}, 1.0, true);
        int cells = 4000;
        double integral = 0;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < cells; i++) {
                integral += Math.exp(e.logPdf(new double[]{(i + 0.5) / cells, c})) / cells;
            }
        }
        assertEquals(1.0, integral, 1e-4);
        // the joint keeps the pairing: (0.2, choice 0) is far likelier than (0.2, choice 2)
        assertTrue(e.logPdf(new double[]{0.2, 0}) > e.logPdf(new double[]{0.2, 2}) + Math.log(2));
    }

    @Test
    void logMassIsAccurateInTheTails() {
        assertEquals(Math.log(0.6826894921370859), ParzenEstimator.logMass(-1, 1), 1e-12);
        // Phi(-9) - Phi(-10): computed from the upper tail, not as a difference of numbers near 1
        assertEquals(Math.log(1.1285884059538e-19 - 7.6198530241605e-24), ParzenEstimator.logMass(9, 10), 1e-6);
        assertTrue(Double.isFinite(ParzenEstimator.logMass(60, 61)), "far tails stay finite");
    }

    @Test
    void univariateNeedsOneDimension() {
        List<ParzenEstimator.Dim> two = List.of(ParzenEstimator.Dim.numeric(0, 1, 0), ParzenEstimator.Dim.numeric(0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> ParzenEstimator.build(two, new double[0][], new double[0], 1, false));
    }
}
