package dev.kompakt.search.pareto;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NonDominatedSortingTest {

    @Test
    void ranksOfAHandMadeSet() {
        double[][] points = {
                {1, 5},  // 0: front 0
                {2, 3},  // 1: front 0
                {4, 1},  // 2: front 0
                {3, 4},  // 3: dominated by 1 only -> front 1
                {5, 5},  // 4: dominated by 0,1,2,3,5 -> front 3
                {4, 4},  // 5: dominated by 1 and 3 -> front 2
                {2, 3},  // 6: duplicate of 1: equal points do not dominate -> front 0
                {6, 0.5} // 7: best in objective 2 -> front 0
        };
        assertArrayEquals(new int[]{0, 0, 0, 1, 3, 2, 0, 0}, NonDominatedSorting.ranks(points));
    }

    @Test
    void emptyAndSingleton() {
        assertArrayEquals(new int[0], NonDominatedSorting.ranks(new double[0][]));
        assertArrayEquals(new int[]{0}, NonDominatedSorting.ranks(new double[][]{{3, 3}}));
    }

    @Test
    void chainIsSortedIntoOneFrontPerPoint() {
        double[][] points = {{3, 3, 3}, {1, 1, 1}, {2, 2, 2}, {0, 0, 0}};
        assertArrayEquals(new int[]{3, 1, 2, 0}, NonDominatedSorting.ranks(points));
    }

    @Test
    void constrainedRanksPutFeasiblePointsFirstThenBySmallerViolation() {
        double[][] points = {
                {10, 10}, // 0: feasible, poor objectives
                {0, 0},   // 1: violation 0.5
                {0, 0},   // 2: violation 0.2
                {11, 9},  // 3: feasible, incomparable with 0
                {12, 12}, // 4: feasible, dominated by 0 and 3
                {1, 1},   // 5: violation 0.2, equal to 2 in violation -> same front as 2
        };
        double[] violations = {0, 0.5, 0.2, 0, 0, 0.2};
        assertArrayEquals(new int[]{0, 3, 2, 0, 1, 2}, NonDominatedSorting.ranks(points, violations));
    }

    @Test
    void crowdingDistanceBoundariesAreInfiniteAndInteriorIsExact() {
        double[][] points = {
                {100, 100}, // 0: not a member
                {3, 2},     // 1: C
                {0, 8},     // 2: A (boundary)
                {8, 0},     // 3: D (boundary)
                {1, 6},     // 4: B
        };
        // objective 0, range 8: B = (3 - 0) / 8 = 0.375; C = (8 - 1) / 8 = 0.875
        // objective 1, range 8: B = (8 - 2) / 8 = 0.75;  C = (6 - 0) / 8 = 0.75
        // B = 1.125, C = 1.625
        double[] d = NonDominatedSorting.crowdingDistance(points, List.of(1, 2, 3, 4));
        assertEquals(4, d.length);
        assertEquals(1.625, d[0], 0.0);
        assertEquals(Double.POSITIVE_INFINITY, d[1]);
        assertEquals(Double.POSITIVE_INFINITY, d[2]);
        assertEquals(1.125, d[3], 0.0);
    }

    @Test
    void crowdingDistanceOfTinyFronts() {
        double[][] points = {{1, 2}, {2, 1}};
        assertArrayEquals(new double[0], NonDominatedSorting.crowdingDistance(points, List.of()));
        assertArrayEquals(new double[]{Double.POSITIVE_INFINITY}, NonDominatedSorting.crowdingDistance(points, List.of(0)));
        assertArrayEquals(new double[]{Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY},
                NonDominatedSorting.crowdingDistance(points, List.of(0, 1)));
    }

    @Test
    void crowdingDistanceIgnoresAnObjectiveWithZeroRange() {
        // objective 1 is constant: it adds nothing (and no NaN); objective 0 range 4: middle = (4 - 0) / 4 = 1
        double[][] points = {{0, 5}, {2, 5}, {4, 5}};
        double[] d = NonDominatedSorting.crowdingDistance(points, List.of(0, 1, 2));
        assertEquals(Double.POSITIVE_INFINITY, d[0]);
        assertEquals(1.0, d[1], 0.0);
        assertEquals(Double.POSITIVE_INFINITY, d[2]);
    }

    /** Peels fronts by the definition: each round takes the points no remaining point dominates; -1 if never taken. */
    static int[] peel(double[][] points, double[] violations) {
        int n = points.length;
        int[] rank = new int[n];
        Arrays.fill(rank, -1);
        for (int r = 0; ; r++) {
            int[] taken = new int[n];
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (rank[i] != -1) {
                    continue;
                }
                boolean dominated = false;
                for (int j = 0; j < n && !dominated; j++) {
                    dominated = rank[j] == -1 && j != i
                            && Dominance.constrainedDominates(points[j], violations[j], points[i], violations[i]);
                }
                if (!dominated) {
                    taken[count++] = i;
                }
            }
            if (count == 0) {
                return rank;
            }
            for (int k = 0; k < count; k++) {
                rank[taken[k]] = r;
            }
        }
    }

    /** A coordinate on a coarse grid half of the time, so that ties and exact duplicates are common. */
    private static double coordinate(SplittableRandom random) {
        return random.nextBoolean() ? random.nextInt(5) / 4.0 : random.nextDouble();
    }

    private static double[][] randomPoints(SplittableRandom random, int n, int m) {
        double[][] points = new double[n][m];
        for (int i = 0; i < n; i++) {
            if (i > 0 && random.nextInt(8) == 0) {
                points[i] = points[random.nextInt(i)].clone(); // an exact duplicate
                continue;
            }
            for (int k = 0; k < m; k++) {
                points[i][k] = coordinate(random);
            }
        }
        return points;
    }

    @Test
    void matchesFrontPeelingOnRandomSetsWithTiesAndDuplicates() {
        SplittableRandom random = new SplittableRandom(42);
        for (int m = 2; m <= 5; m++) {
            for (int round = 0; round < 60; round++) {
                int n = 1 + random.nextInt(120);
                double[][] points = randomPoints(random, n, m);
                double[] feasible = new double[n];
                assertArrayEquals(peel(points, feasible), NonDominatedSorting.ranks(points), "m=" + m + " round=" + round);
            }
        }
    }

    @Test
    void constrainedRanksMatchFrontPeelingOnRandomSets() {
        SplittableRandom random = new SplittableRandom(7);
        double[] someViolations = {0.1, 0.25, 0.5, 3.0, Double.POSITIVE_INFINITY};
        for (int m = 2; m <= 5; m++) {
            for (int round = 0; round < 60; round++) {
                int n = 1 + random.nextInt(100);
                double[][] points = randomPoints(random, n, m);
                double[] violations = new double[n];
                int infeasibleShare = random.nextInt(4); // 0: all feasible ... 3: mostly infeasible
                for (int i = 0; i < n; i++) {
                    if (random.nextInt(4) < infeasibleShare) {
                        violations[i] = random.nextBoolean() ? someViolations[random.nextInt(someViolations.length)] : random.nextDouble();
                    }
                }
                assertArrayEquals(peel(points, violations), NonDominatedSorting.ranks(points, violations), "m=" + m + " round=" + round);
            }
        }
    }

    @Test
    void matchesTheLongestDominatingChainOnLargerSets() {
        // big enough for the k-d trees to split and rebalance; the reference is O(n^2): rank = 1 + the largest rank
        // of a dominating point, visiting points by increasing sum of objectives (a dominating point has a smaller sum)
        SplittableRandom random = new SplittableRandom(99);
        for (int m = 2; m <= 6; m++) {
            double[][] points = randomPoints(random, 3000, m);
            assertArrayEquals(longestChain(points), NonDominatedSorting.ranks(points), "m=" + m);
        }
    }

    private static int[] longestChain(double[][] points) {
        int n = points.length;
        Integer[] bySum = new Integer[n];
        for (int i = 0; i < n; i++) {
            bySum[i] = i;
        }
        Arrays.sort(bySum, (a, b) -> Double.compare(Arrays.stream(points[a]).sum(), Arrays.stream(points[b]).sum()));
        int[] rank = new int[n];
        for (int x = 0; x < n; x++) {
            int p = bySum[x];
            for (int y = 0; y < x; y++) {
                int q = bySum[y];
                if (rank[q] + 1 > rank[p] && Dominance.dominates(points[q], points[p])) {
                    rank[p] = rank[q] + 1;
                }
            }
        }
        return rank;
    }

    @Test
    void degenerateShapesAtScale() {
        int n = 5000;
        for (int m = 2; m <= 5; m++) {
            // a chain, listed best first: one front per point, inserted in the order that unbalances a naive tree
            double[][] chain = new double[n][m];
            // a plane x_1 + ... + x_m = 1 walked monotonically: all mutually non-dominated
            double[][] plane = new double[n][m];
            int[] expectedChain = new int[n];
            for (int i = 0; i < n; i++) {
                Arrays.fill(chain[i], i);
                expectedChain[i] = i;
                double t = i / (double) n;
                plane[i][0] = t;
                plane[i][1] = 1 - t;
                for (int k = 2; k < m; k++) {
                    plane[i][k] = (k % 2 == 0 ? t : 1 - t) * 0.5; // still incomparable: objectives 0 and 1 trade off
                }
            }
            assertArrayEquals(expectedChain, NonDominatedSorting.ranks(chain), "chain m=" + m);
            assertArrayEquals(new int[n], NonDominatedSorting.ranks(plane), "plane m=" + m);
            double[][] same = new double[n][m]; // all equal: all on the first front
            assertArrayEquals(new int[n], NonDominatedSorting.ranks(same), "duplicates m=" + m);
        }
    }

    @Test
    void negativeZeroEqualsZero() {
        // (0.0, 0) dominates (-0.0, 1): equal first objective, better second
        assertArrayEquals(new int[]{1, 0}, NonDominatedSorting.ranks(new double[][]{{-0.0, 1}, {0.0, 0}}));
        assertArrayEquals(new int[]{0, 0}, NonDominatedSorting.ranks(new double[][]{{0.0, 1, 2}, {-0.0, 1, 2}}));
        assertArrayEquals(new int[]{1, 0}, NonDominatedSorting.ranks(new double[][]{{1, -0.0, 1, 1}, {1, 0.0, 1, 0}}));
    }

    @Test
    void oneObjectiveRanksByDistinctValue() {
        assertArrayEquals(new int[]{2, 0, 1, 0, 2}, NonDominatedSorting.ranks(new double[][]{{3}, {1}, {2}, {1}, {3}}));
        assertArrayEquals(new int[]{0, 0}, NonDominatedSorting.ranks(new double[][]{{}, {}}), "no objectives: nothing dominates");
    }

    @Test
    void infinitiesRankLikeAnyOtherValue() {
        double inf = Double.POSITIVE_INFINITY;
        double[][] points = {{-inf, inf}, {0, 0}, {inf, -inf}, {inf, inf}, {1, 1}};
        assertArrayEquals(new int[]{0, 0, 0, 2, 1}, NonDominatedSorting.ranks(points));
    }

    @Test
    void nanObjectivesKeepThePairwiseSemantics() {
        // NaN compares neither better nor worse, so (0, NaN) dominates (1, 5): better in objective 1, not worse in 2
        assertArrayEquals(new int[]{0, 1}, NonDominatedSorting.ranks(new double[][]{{0, Double.NaN}, {1, 5}}));
        SplittableRandom random = new SplittableRandom(5);
        for (int round = 0; round < 100; round++) {
            int m = 2 + random.nextInt(3);
            double[][] points = randomPoints(random, 1 + random.nextInt(30), m);
            double[] violations = new double[points.length];
            for (int i = 0; i < points.length; i++) {
                if (random.nextInt(5) == 0) {
                    points[i][random.nextInt(m)] = Double.NaN;
                }
                int kind = random.nextInt(6);
                violations[i] = kind == 0 ? 0.5 : kind == 1 ? -0.5 : kind == 2 && random.nextBoolean() ? Double.NaN : 0;
            }
            assertArrayEquals(peel(points, violations), NonDominatedSorting.ranks(points, violations), "round=" + round);
        }
    }

    @Test
    void infeasiblePointsIgnoreTheirObjectives() {
        // feasible fronts 0 and 1, then violations 0.5 (twice, NaN objectives and all) and 2
        double[][] points = {{0, 0}, {1, 1}, {Double.NaN, 9}, {-5, -5}, {3, 3}};
        double[] violations = {0, 0, 0.5, 2, 0.5};
        assertArrayEquals(new int[]{0, 1, 2, 3, 2}, NonDominatedSorting.ranks(points, violations));
        assertArrayEquals(new int[]{0, 1, 0}, NonDominatedSorting.ranks(new double[][]{{1, 1}, {0, 0}, {2, 2}}, new double[]{1, 3, 1}),
                "no feasible point: ranks start at 0");
    }

    @Test
    void rejectsMismatchedInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NonDominatedSorting.ranks(new double[][]{{1, 2}, {1, 2, 3}}));
        assertTrue(e.getMessage().contains("point 1 has 3 objectives"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NonDominatedSorting.ranks(new double[][]{{1, 2}}, new double[2]));
        assertTrue(e.getMessage().contains("1 points but 2 violations"), e.getMessage());
    }

    @Test
    void firstFrontGroupsDuplicatesUnderTheirFirstCopy() {
        double[][] points = {{2, 2}, {1, 3}, {3, 1}, {1, 3}, {2, 2.5}, {3, 1}};
        int[] representative = NonDominatedSorting.firstFront(points);
        assertEquals(0, representative[0]);
        assertEquals(representative[1], representative[3]);
        assertTrue(representative[1] == 1 || representative[1] == 3);
        assertEquals(-1, representative[4]);
        assertEquals(representative[2], representative[5]);
    }
}
