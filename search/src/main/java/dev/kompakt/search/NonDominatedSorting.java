package dev.kompakt.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits points into non-dominated fronts (rank 0 = the Pareto front), with constrained dominance.
 * Deb's fast non-dominated sort: O(M N^2) time, O(N^2) worst-case memory for the domination lists.
 */
public final class NonDominatedSorting {
    private NonDominatedSorting() {
    }

    /** Returns, for each point, its front index (0 = non-dominated). */
    public static int[] ranks(double[][] points, double[] violations) {
        int n = points.length;
        int[] dominatedCount = new int[n];
        List<List<Integer>> dominates = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            dominates.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (Dominance.constrainedDominates(points[i], violations[i], points[j], violations[j])) {
                    dominates.get(i).add(j);
                    dominatedCount[j]++;
                } else if (Dominance.constrainedDominates(points[j], violations[j], points[i], violations[i])) {
                    dominates.get(j).add(i);
                    dominatedCount[i]++;
                }
            }
        }
        int[] rank = new int[n];
        Arrays.fill(rank, -1);
        List<Integer> current = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (dominatedCount[i] == 0) {
                current.add(i);
            }
        }
        int r = 0;
        while (!current.isEmpty()) {
            List<Integer> next = new ArrayList<>();
            for (int i : current) {
                rank[i] = r;
                for (int j : dominates.get(i)) {
                    if (--dominatedCount[j] == 0) {
                        next.add(j);
                    }
                }
            }
            current = next;
            r++;
        }
        return rank;
    }

    public static int[] ranks(double[][] points) {
        return ranks(points, new double[points.length]);
    }

    /**
     * Crowding distance of each point within one front (Deb et al. 2002): boundary points get infinity.
     * {@code members} are indices into {@code points}; the result is indexed like {@code members}.
     */
    public static double[] crowdingDistance(double[][] points, List<Integer> members) {
        int n = members.size();
        double[] distance = new double[n];
        if (n == 0) {
            return distance;
        }
        int m = points[members.get(0)].length;
        Integer[] order = new Integer[n];
        for (int k = 0; k < m; k++) {
            final int obj = k;
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(points[members.get(a)][obj], points[members.get(b)][obj]));
            double lo = points[members.get(order[0])][obj];
            double hi = points[members.get(order[n - 1])][obj];
            distance[order[0]] = Double.POSITIVE_INFINITY;
            distance[order[n - 1]] = Double.POSITIVE_INFINITY;
            if (hi == lo) {
                continue;
            }
            for (int i = 1; i < n - 1; i++) {
                distance[order[i]] += (points[members.get(order[i + 1])][obj] - points[members.get(order[i - 1])][obj]) / (hi - lo);
            }
        }
        return distance;
    }
}
