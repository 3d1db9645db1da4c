package dev.kompakt.search;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
