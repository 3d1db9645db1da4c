package dev.kompakt.search;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HypervolumeTest {

    private static double[] p(double... v) {
        return v;
    }

    @Test
    void twoPointsIn2dGiveTheExactArea() {
        // (1-0.25)*(1-0.75) + (1-0.75)*(0.75-0.25) = 0.1875 + 0.125 = 0.3125 (exact in binary)
        double hv = Hypervolume.of(List.of(p(0.25, 0.75), p(0.75, 0.25)), p(1, 1));
        assertEquals(0.3125, hv, 0.0);
        // order of the points does not matter
        assertEquals(0.3125, Hypervolume.of(List.of(p(0.75, 0.25), p(0.25, 0.75)), p(1, 1)), 0.0);
    }

    @Test
    void singlePointAtTheOriginFillsTheUnitCube() {
        assertEquals(1.0, Hypervolume.of(List.<double[]>of(p(0, 0, 0)), p(1, 1, 1)), 0.0);
        assertEquals(1.0, Hypervolume.of(List.<double[]>of(p(0, 0)), p(1, 1)), 0.0);
        assertEquals(0.5, Hypervolume.of(List.<double[]>of(p(0.5)), p(1)), 0.0);
    }

    @Test
    void threeDimensionalUnionByInclusionExclusion() {
        // A = (0.5, 0.5, 0.5):   |A| = 0.5^3             = 0.125
        // B = (0.25, 0.75, 0.75): |B| = 0.75*0.25*0.25    = 0.046875
        // A∩B is the box above (max) = (0.5, 0.75, 0.75): 0.5*0.25*0.25 = 0.03125
        // |A∪B| = 0.125 + 0.046875 - 0.03125 = 0.140625
        double[] a = p(0.5, 0.5, 0.5);
        double[] b = p(0.25, 0.75, 0.75);
        assertEquals(0.140625, Hypervolume.of(List.of(a, b), p(1, 1, 1)), 0.0);

        // Add C = (0.75, 0.75, 0.25): |C| = 0.25*0.25*0.75 = 0.046875
        // A∩C: (0.75,0.75,0.5) -> 0.25*0.25*0.5 = 0.03125;  B∩C and A∩B∩C: (0.75,0.75,0.75) -> 0.015625
        // |A∪B∪C| = (0.125 + 0.046875 + 0.046875) - (0.03125 + 0.03125 + 0.015625) + 0.015625 = 0.15625
        double[] c = p(0.75, 0.75, 0.25);
        assertEquals(0.15625, Hypervolume.of(List.of(a, b, c), p(1, 1, 1)), 0.0);
        assertEquals(0.15625, Hypervolume.of(List.of(c, a, b), p(1, 1, 1)), 0.0);
    }

    @Test
    void pointsOnOrBeyondTheReferenceContributeNothing() {
        double[] ref = p(1, 1);
        assertEquals(0.0, Hypervolume.of(List.<double[]>of(p(1.5, 0.2)), ref), 0.0);
        assertEquals(0.0, Hypervolume.of(List.<double[]>of(p(1.0, 0.2)), ref), 0.0, "on the reference: zero width");
        assertEquals(0.0, Hypervolume.of(List.<double[]>of(p(Double.NaN, 0.2)), ref), 0.0);
        assertEquals(0.3125, Hypervolume.of(List.of(p(0.25, 0.75), p(2, -5), p(0.75, 0.25), p(0.1, 1.0)), ref), 0.0);
        assertEquals(0.140625, Hypervolume.of(List.of(p(0.5, 0.5, 0.5), p(-1, -1, 3), p(0.25, 0.75, 0.75)), p(1, 1, 1)), 0.0);
        assertEquals(0.0, Hypervolume.of(List.of(), p(1, 1, 1)), 0.0);
    }

    @Test
    void duplicatesAndDominatedPointsDoNotDoubleCount() {
        List<double[]> twice2d = List.of(p(0.25, 0.75), p(0.75, 0.25), p(0.25, 0.75), p(0.75, 0.25), p(0.8, 0.8));
        assertEquals(0.3125, Hypervolume.of(twice2d, p(1, 1)), 0.0);
        List<double[]> twice3d = List.of(p(0.5, 0.5, 0.5), p(0.5, 0.5, 0.5), p(0.25, 0.75, 0.75), p(0.25, 0.75, 0.75),
                p(0.6, 0.6, 0.6));
        assertEquals(0.140625, Hypervolume.of(twice3d, p(1, 1, 1)), 0.0);
        assertEquals(0.125, Hypervolume.of(List.of(p(0.5, 0.5, 0.5), p(0.5, 0.5, 0.5), p(0.5, 0.5, 0.5)), p(1, 1, 1)), 0.0);
    }

    @Test
    void nonUnitReference() {
        // single point: product of (ref - p)
        assertEquals(2.0 * 3.0 * 4.0 * 0.5, Hypervolume.of(List.<double[]>of(p(0, 0, 0, 0)), p(2, 3, 4, 0.5)), 1e-12);
        assertEquals(6.0, Hypervolume.of(List.<double[]>of(p(-1, -2)), p(1, 1)), 0.0);
    }

    @Test
    void mismatchedDimensionsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Hypervolume.of(List.<double[]>of(p(0.1, 0.2)), p(1, 1, 1)));
    }

    @Test
    void matchesExactInclusionExclusionOnRandomSmallSets() {
        SplittableRandom random = new SplittableRandom(20240611L);
        for (int dims = 2; dims <= 5; dims++) {
            for (int round = 0; round < 150; round++) {
                int n = 1 + random.nextInt(6);
                List<double[]> points = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    double[] q = new double[dims];
                    for (int k = 0; k < dims; k++) {
                        // a coarse grid makes ties (equal coordinates, duplicates) common; some points lie beyond 1
                        q[k] = random.nextBoolean() ? random.nextInt(9) / 8.0 : random.nextDouble() * 1.1;
                    }
                    points.add(q);
                }
                double[] ref = new double[dims];
                java.util.Arrays.fill(ref, 1.0);
                double expected = inclusionExclusion(points, ref);
                double actual = Hypervolume.of(points, ref);
                assertEquals(expected, actual, 1e-12, () -> "dims=" + dims(points) + " points=" + describe(points));
            }
        }
    }

    @Test
    void fourDimensionalRandomSetAgainstInclusionExclusion() {
        SplittableRandom random = new SplittableRandom(7);
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            points.add(p(random.nextDouble(), random.nextDouble(), random.nextDouble(), random.nextDouble()));
        }
        double[] ref = p(1, 1, 1, 1);
        double expected = inclusionExclusion(points, ref);
        assertEquals(expected, Hypervolume.of(points, ref), 1e-12);
        // sanity of the helper itself: bounded by the union's trivial bounds
        double biggest = 0;
        double sum = 0;
        for (double[] q : points) {
            double v = box(q, ref);
            biggest = Math.max(biggest, v);
            sum += v;
        }
        assertTrue(expected >= biggest - 1e-15 && expected <= sum + 1e-15, "helper out of its trivial bounds: " + expected);
        assertTrue(expected > 0);
    }

    /** Exact volume of the union of the boxes [p, ref] by inclusion–exclusion over all non-empty subsets. */
    static double inclusionExclusion(List<double[]> points, double[] ref) {
        int n = points.size();
        if (n > 12) {
            throw new IllegalArgumentException("inclusion-exclusion helper is for small sets");
        }
        double total = 0;
        for (int mask = 1; mask < (1 << n); mask++) {
            double[] corner = new double[ref.length];
            java.util.Arrays.fill(corner, Double.NEGATIVE_INFINITY);
            for (int i = 0; i < n; i++) {
                if ((mask & (1 << i)) != 0) {
                    for (int k = 0; k < ref.length; k++) {
                        corner[k] = Math.max(corner[k], points.get(i)[k]);
                    }
                }
            }
            double sign = Integer.bitCount(mask) % 2 == 1 ? 1 : -1;
            total += sign * box(corner, ref);
        }
        return total;
    }

    private static double box(double[] corner, double[] ref) {
        double v = 1;
        for (int k = 0; k < ref.length; k++) {
            v *= Math.max(0.0, ref[k] - corner[k]);
        }
        return v;
    }

    private static int dims(List<double[]> points) {
        return points.get(0).length;
    }

    private static String describe(List<double[]> points) {
        StringBuilder sb = new StringBuilder();
        for (double[] q : points) {
            sb.append(java.util.Arrays.toString(q));
        }
        return sb.toString();
    }
}
