package dev.kompakt.search.pareto;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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

    @Test
    void fourDimensionalHandComputedCase() {
        // P_i is 0 in objective i and 0.5 elsewhere: box(P_i) is every x with x_j >= 0.5 for all j != i, so the union is
        // every x with at most one coordinate below 0.5: 0.5^4 + 4 * 0.5 * 0.5^3 = 0.0625 + 0.25 = 0.3125.
        // Each P_i alone covers the slab x_i < 0.5 (others >= 0.5): 0.5 * 0.5^3 = 0.0625.
        List<double[]> points = List.of(p(0, 0.5, 0.5, 0.5), p(0.5, 0, 0.5, 0.5), p(0.5, 0.5, 0, 0.5), p(0.5, 0.5, 0.5, 0));
        double[] ref = p(1, 1, 1, 1);
        assertEquals(0.3125, Hypervolume.of(points, ref), 0.0);
        assertArrayEquals(new double[]{0.0625, 0.0625, 0.0625, 0.0625}, Hypervolume.contributions(points, ref), 0.0);
        // a fifth point, (0.5, 0.5, 0.5, 0.5), that each of them dominates changes nothing and contributes nothing
        List<double[]> more = new ArrayList<>(points);
        more.add(p(0.5, 0.5, 0.5, 0.5));
        assertEquals(0.3125, Hypervolume.of(more, ref), 0.0);
        assertArrayEquals(new double[]{0.0625, 0.0625, 0.0625, 0.0625, 0}, Hypervolume.contributions(more, ref), 0.0);
    }

    @Test
    void twoDimensionalContributionsAreTheStaircaseRectangles() {
        // 0.3125 = 0.125 (only (0.25, 0.75)) + 0.125 (only (0.75, 0.25)) + 0.0625 (both: [0.75,1) x [0.75,1))
        double[] c = Hypervolume.contributions(List.of(p(0.25, 0.75), p(0.75, 0.25)), p(1, 1));
        assertArrayEquals(new double[]{0.125, 0.125}, c, 0.0);
        // a dominated point, and the dominated point a dominator exposes when it goes:
        // (0.25, 0.25) alone: 0.5625; without it (0.5, 0.5) covers 0.25, so its contribution is 0.3125
        c = Hypervolume.contributions(List.of(p(0.5, 0.5), p(0.25, 0.25)), p(1, 1));
        assertArrayEquals(new double[]{0, 0.3125}, c, 0.0);
        // duplicates and points outside the reference contribute nothing (a duplicated point shields itself), and
        // do not change the others': (0.75, 0.25) still alone covers [0.75, 1) x [0.25, 0.75)
        c = Hypervolume.contributions(List.of(p(0.25, 0.75), p(0.75, 0.25), p(0.25, 0.75), p(1.0, 0.0), p(Double.NaN, 0)), p(1, 1));
        assertArrayEquals(new double[]{0, 0.125, 0, 0, 0}, c, 0.0);
    }

    @Test
    void threeDimensionalContributionsByInclusionExclusion() {
        // A, B, C of threeDimensionalUnionByInclusionExclusion: |ABC| = 0.15625, |BC| = 0.078125, |AC| = |AB| = 0.140625
        List<double[]> points = List.of(p(0.5, 0.5, 0.5), p(0.25, 0.75, 0.75), p(0.75, 0.75, 0.25));
        assertArrayEquals(new double[]{0.078125, 0.015625, 0.015625}, Hypervolume.contributions(points, p(1, 1, 1)), 0.0);
    }

    @Test
    void oneDimensionalContributions() {
        assertArrayEquals(new double[]{0.25, 0, 0}, Hypervolume.contributions(List.of(p(0.25), p(0.5), p(0.5)), p(1)), 0.0);
        assertArrayEquals(new double[]{0, 0, 0}, Hypervolume.contributions(List.of(p(0.25), p(0.25), p(0.5)), p(1)), 0.0);
        assertArrayEquals(new double[]{0.75}, Hypervolume.contributions(List.<double[]>of(p(0.25)), p(1)), 0.0);
        assertArrayEquals(new double[0], Hypervolume.contributions(List.of(), p(1, 1)), 0.0);
    }

    @Test
    void contributionsMatchInclusionExclusionOnRandomSmallSets() {
        SplittableRandom random = new SplittableRandom(31337);
        for (int dims = 2; dims <= 5; dims++) {
            for (int round = 0; round < 150; round++) {
                List<double[]> points = randomSet(random, 1 + random.nextInt(8), dims);
                double[] ref = ones(dims);
                double[] contributions = Hypervolume.contributions(points, ref);
                double all = inclusionExclusion(points, ref);
                for (int i = 0; i < points.size(); i++) {
                    List<double[]> without = new ArrayList<>(points);
                    without.remove(i);
                    double expected = all - inclusionExclusion(without, ref);
                    assertEquals(expected, contributions[i], 1e-12, "dims=" + dims + " i=" + i + " points=" + describe(points));
                }
            }
        }
    }

    @Test
    void matchesGridDecompositionOnMediumSets() {
        SplittableRandom random = new SplittableRandom(2718);
        int[] sizes = {0, 0, 60, 35, 18, 10};
        for (int dims = 2; dims <= 5; dims++) {
            for (int round = 0; round < 4; round++) {
                int n = sizes[dims];
                List<double[]> points = round % 2 == 0 ? randomSet(random, n, dims) : sphere(random, n, dims);
                double[] ref = ones(dims);
                double all = gridVolume(points, ref);
                assertEquals(all, Hypervolume.of(points, ref), 1e-12, "dims=" + dims + " round=" + round);
                double[] contributions = Hypervolume.contributions(points, ref);
                for (int i = 0; i < n; i++) {
                    List<double[]> without = new ArrayList<>(points);
                    without.remove(i);
                    assertEquals(all - gridVolume(without, ref), contributions[i], 1e-12, "dims=" + dims + " round=" + round + " i=" + i);
                }
            }
        }
    }

    @Test
    void largerSetsAreInvariantUnderOrderAndDominatedPoints() {
        SplittableRandom random = new SplittableRandom(11);
        for (int dims = 2; dims <= 5; dims++) {
            List<double[]> front = sphere(random, dims == 5 ? 60 : 400, dims);
            double[] ref = new double[dims];
            Arrays.fill(ref, 1.1);
            double hv = Hypervolume.of(front, ref);
            List<double[]> noisy = new ArrayList<>(front);
            for (double[] q : front) {
                double[] worse = q.clone();
                worse[random.nextInt(dims)] += 0.01; // dominated by q
                noisy.add(worse);
                noisy.add(q.clone());
            }
            java.util.Collections.shuffle(noisy, new java.util.Random(dims));
            assertEquals(hv, Hypervolume.of(noisy, ref), 1e-12 * hv, "dims=" + dims);
            // the box of the single best corner bounds it from above, the largest single box from below
            double largest = 0;
            for (double[] q : front) {
                largest = Math.max(largest, box(q, ref));
            }
            assertTrue(hv > largest && hv < Math.pow(1.1, dims), "dims=" + dims + " hv=" + hv);
        }
    }

    @Test
    void exclusiveIsWhatAPointAddsToASet() {
        SplittableRandom random = new SplittableRandom(3);
        for (int dims = 2; dims <= 5; dims++) {
            for (int round = 0; round < 50; round++) {
                List<double[]> set = randomSet(random, random.nextInt(7), dims);
                double[] point = randomSet(random, 1, dims).get(0);
                double[] ref = ones(dims);
                List<double[]> with = new ArrayList<>(set);
                with.add(point);
                assertEquals(inclusionExclusion(with, ref) - inclusionExclusion(set, ref), Hypervolume.exclusive(point, set, ref), 1e-12);
            }
        }
    }

    @Test
    void rejectsAnEmptyReference() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Hypervolume.of(List.of(), new double[0]));
        assertTrue(e.getMessage().contains("at least one objective"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Hypervolume.contributions(List.<double[]>of(p(0.1, 0.2)), p(1, 1, 1)));
        assertTrue(e.getMessage().contains("point 0 has 2 objectives, the reference has 3"), e.getMessage());
    }

    private static double[] ones(int dims) {
        double[] ref = new double[dims];
        Arrays.fill(ref, 1.0);
        return ref;
    }

    /** Coarse-grid coordinates half the time (ties, duplicates), some beyond the reference 1. */
    private static List<double[]> randomSet(SplittableRandom random, int n, int dims) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i > 0 && random.nextInt(10) == 0) {
                points.add(points.get(random.nextInt(i)).clone());
                continue;
            }
            double[] q = new double[dims];
            for (int k = 0; k < dims; k++) {
                q[k] = random.nextBoolean() ? random.nextInt(9) / 8.0 : random.nextDouble() * 1.1;
            }
            points.add(q);
        }
        return points;
    }

    /** Mutually non-dominated points on the positive part of the unit sphere. */
    private static List<double[]> sphere(SplittableRandom random, int n, int dims) {
        List<double[]> points = new ArrayList<>();
        while (points.size() < n) {
            double[] q = new double[dims];
            double norm = 0;
            for (int k = 0; k < dims; k++) {
                q[k] = random.nextDouble() + 1e-3;
                norm += q[k] * q[k];
            }
            for (int k = 0; k < dims; k++) {
                q[k] /= Math.sqrt(norm);
            }
            points.add(q);
        }
        return points;
    }

    /**
     * Exact volume by the grid the distinct coordinates draw: inside each cell every point either dominates the whole
     * cell or none of it, so the union is the sum of the cells whose lower corner some point weakly dominates.
     */
    static double gridVolume(List<double[]> points, double[] ref) {
        int dims = ref.length;
        List<double[]> inside = new ArrayList<>();
        for (double[] q : points) {
            boolean ok = true;
            for (int k = 0; k < dims; k++) {
                ok &= q[k] < ref[k];
            }
            if (ok) {
                inside.add(q);
            }
        }
        double[][] grid = new double[dims][];
        for (int k = 0; k < dims; k++) {
            final int axis = k;
            grid[k] = java.util.stream.DoubleStream.concat(inside.stream().mapToDouble(q -> q[axis]), java.util.stream.DoubleStream.of(ref[k]))
                    .map(x -> x + 0.0).sorted().distinct().toArray();
        }
        int[] cell = new int[dims];
        double total = 0;
        while (true) {
            boolean valid = true;
            for (int k = 0; k < dims; k++) {
                valid &= cell[k] < grid[k].length - 1;
            }
            if (valid) {
                double volume = 1;
                for (int k = 0; k < dims; k++) {
                    volume *= grid[k][cell[k] + 1] - grid[k][cell[k]];
                }
                for (double[] q : inside) {
                    int k = 0;
                    while (k < dims && q[k] <= grid[k][cell[k]]) {
                        k++;
                    }
                    if (k == dims) {
                        total += volume;
                        break;
                    }
                }
            }
            int k = 0;
            while (k < dims && ++cell[k] >= grid[k].length - 1) {
                cell[k] = 0;
                k++;
            }
            if (k == dims) {
                return total;
            }
        }
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
