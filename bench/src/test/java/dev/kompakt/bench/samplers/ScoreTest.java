package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScoreTest {

    private static Assignment zdtPoint(int n, double x1, double rest) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 1; i <= n; i++) {
            values.put("x" + i, i == 1 ? x1 : rest);
        }
        return new Assignment(values);
    }

    @Test
    void paretoOptimalPointsScoreNearlyOne() {
        Zdt zdt1 = new Zdt(Zdt.Kind.ZDT1);
        List<double[]> evaluated = new ArrayList<>();
        for (int i = 0; i <= 1000; i++) {
            evaluated.add(zdt1.evaluate(zdtPoint(30, i / 1000.0, 0.0)));
        }
        double[] ratios = Score.hypervolumeRatios(zdt1, evaluated, new double[] {1.1, 11});
        for (double r : ratios) {
            assertTrue(r > 0.999 && r <= 1 + 1e-6, "ratio " + r);
        }
    }

    @Test
    void dtlz2ParetoOptimalGridScoresNearlyOne() {
        Dtlz2 dtlz2 = new Dtlz2();
        List<double[]> evaluated = new ArrayList<>();
        for (int i = 0; i <= 20; i++) {
            for (int j = 0; j <= 20; j++) {
                Map<String, Object> values = new LinkedHashMap<>();
                for (int k = 1; k <= 12; k++) {
                    values.put("x" + k, k == 1 ? i / 20.0 : k == 2 ? j / 20.0 : 0.5);
                }
                evaluated.add(dtlz2.evaluate(new Assignment(values)));
            }
        }
        double[] ratios = Score.hypervolumeRatios(dtlz2, evaluated, new double[] {1.1, 11});
        assertTrue(ratios[0] > 0.9 && ratios[0] < 1, "ratio " + ratios[0]);
        assertTrue(ratios[1] > 0.9999 && ratios[1] < 1, "ratio " + ratios[1]);
    }

    @Test
    void dominatedPointsAddNothingAndPointsBeyondTheReferenceScoreZero() {
        Zdt zdt1 = new Zdt(Zdt.Kind.ZDT1);
        List<double[]> one = List.of(new double[] {0.25, 0.5});
        List<double[]> withDominated = List.of(new double[] {0.25, 0.5}, new double[] {0.5, 0.9}, new double[] {0.3, 0.6});
        double[] a = Score.hypervolumeRatios(zdt1, one, new double[] {1.1, 11});
        double[] b = Score.hypervolumeRatios(zdt1, withDominated, new double[] {1.1, 11});
        assertEquals(a[0], b[0], 0);
        assertEquals(a[1], b[1], 0);
        assertEquals((1.1 - 0.25) * (1.1 - 0.5) / (1.21 - 1.0 / 3), a[0], 1e-6);

        double[] far = Score.hypervolumeRatios(zdt1, List.of(new double[] {0.5, 3.0}), new double[] {1.1, 11});
        assertEquals(0.0, far[0], 0);
        assertEquals((11 - 0.5) * (11 - 3.0) / (121 - 1.0 / 3), far[1], 1e-6);
    }

    @Test
    void quantilesInterpolateLinearly() {
        double[] v = {4, 1, 3, 2};
        assertEquals(2.5, Quantiles.median(v), 1e-12);
        assertEquals(1.75, Quantiles.of(v, 0.25), 1e-12);
        assertEquals(3.25, Quantiles.of(v, 0.75), 1e-12);
        assertEquals(7.0, Quantiles.median(new double[] {7}), 0);
    }
}
