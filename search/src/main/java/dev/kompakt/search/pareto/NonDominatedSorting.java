package dev.kompakt.search.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Splits points into non-dominated fronts (rank 0 = the Pareto front) under Deb's constrained dominance
 * ({@link Dominance#constrainedDominates}). A point's rank is the length of the longest chain of points, each
 * dominating the next, that ends at it: what peeling off one front after the other gives.
 *
 * <p>Feasible points (violation 0) are ranked by Pareto dominance with the Efficient Non-dominated Sort using
 * binary search (ENS-BS; Zhang, Tian, Cheng &amp; Jin, "An efficient approach to nondominated sorting for
 * evolutionary multiobjective optimization", IEEE TEC 19(2), 2015). The points are sorted lexicographically, so
 * that a point can only be dominated by points before it; exact duplicates, which do not dominate each other,
 * share the rank of their first copy. Each point then joins the first front that does not dominate it, found by
 * binary search, because a point dominated by some point of front k is dominated by every earlier front too.
 * After the sort an earlier, different point q dominates p exactly when q &lt;= p in objectives 2..M, which a
 * {@link FrontIndex} per front answers quickly: a running minimum for two objectives (O(N log N) in all), a
 * staircase for three, a k-d tree beyond.
 *
 * <p>Infeasible points (violation &gt; 0) are dominated by every feasible point, and among themselves by a smaller
 * violation only: their rank is the number of feasible fronts plus the number of distinct smaller violations.
 *
 * <p>Two kinds of input make dominance non-transitive, or even cyclic, while the fast path relies on transitivity:
 * a NaN objective on a feasible point (NaN is neither better nor worse than anything, see
 * {@link Dominance#dominates}) and a negative or NaN violation. Such inputs are ranked by Deb's pairwise fast
 * non-dominated sort (Deb et al., IEEE TEC 2002; O(M N^2)), exactly as before: points caught in a cycle keep
 * rank -1 there.
 */
public final class NonDominatedSorting {
    private NonDominatedSorting() {
    }

    /** Returns, for each point, its front index (0 = non-dominated) under constrained dominance. */
    public static int[] ranks(double[][] points, double[] violations) {
        Objects.requireNonNull(points, "points");
        Objects.requireNonNull(violations, "violations");
        if (violations.length != points.length) {
            throw new IllegalArgumentException("got " + points.length + " points but " + violations.length + " violations");
        }
        int m = objectiveCount(points);
        if (needsPairwiseSort(points, violations)) {
            return pairwiseRanks(points, violations);
        }
        int n = points.length;
        int[] rank = new int[n];
        int[] feasible = new int[n];
        int nf = 0;
        for (int i = 0; i < n; i++) {
            if (violations[i] == 0) {
                feasible[nf++] = i;
            }
        }
        int feasibleFronts = 0;
        if (nf > 0) {
            double[][] feasiblePoints = new double[nf][];
            for (int i = 0; i < nf; i++) {
                feasiblePoints[i] = points[feasible[i]];
            }
            int[] feasibleRanks = paretoRanks(feasiblePoints, m);
            for (int i = 0; i < nf; i++) {
                rank[feasible[i]] = feasibleRanks[i];
                feasibleFronts = Math.max(feasibleFronts, feasibleRanks[i] + 1);
            }
        }
        if (nf < n) {
            double[] distinct = Arrays.stream(violations).filter(v -> v > 0).sorted().distinct().toArray();
            for (int i = 0; i < n; i++) {
                if (violations[i] > 0) {
                    rank[i] = feasibleFronts + Arrays.binarySearch(distinct, violations[i]);
                }
            }
        }
        return rank;
    }

    /** Returns, for each point, its front index (0 = non-dominated) under Pareto dominance. */
    public static int[] ranks(double[][] points) {
        return ranks(points, new double[Objects.requireNonNull(points, "points").length]);
    }

    /**
     * The first front, duplicates grouped, for points without NaN: {@code result[i]} is the index of the first copy
     * (in lexicographic order) of point i when no point dominates it, and -1 when one does. One pass of the sort
     * above with a single front.
     */
    static int[] firstFront(double[][] points) {
        int n = points.length;
        int[] representative = new int[n];
        Arrays.fill(representative, -1);
        if (n == 0) {
            return representative;
        }
        int m = objectiveCount(points);
        int[] order = lexicographicOrder(points);
        FrontIndex front = m > 1 ? FrontIndex.create(tailCoordinates(points, m), m - 1) : null;
        for (int pos = 0; pos < n; pos++) {
            int p = order[pos];
            if (pos > 0 && sameVector(points[order[pos - 1]], points[p])) {
                representative[p] = representative[order[pos - 1]];
            } else if (m <= 1 ? pos == 0 : !front.weaklyDominates(p)) {
                representative[p] = p;
                if (front != null) {
                    front.add(p);
                }
            }
        }
        return representative;
    }

    /** ENS-BS on points without NaN. */
    private static int[] paretoRanks(double[][] points, int m) {
        int n = points.length;
        int[] rank = new int[n];
        if (m == 0) {
            return rank; // without objectives nothing dominates anything
        }
        int[] order = lexicographicOrder(points);
        if (m == 1) {
            for (int pos = 1; pos < n; pos++) {
                int prev = order[pos - 1];
                rank[order[pos]] = rank[prev] + (points[order[pos]][0] == points[prev][0] ? 0 : 1);
            }
            return rank;
        }
        if (m == 2) {
            return twoObjectiveRanks(points, order);
        }
        double[] tail = tailCoordinates(points, m);
        List<FrontIndex> fronts = new ArrayList<>();
        for (int pos = 0; pos < n; pos++) {
            int p = order[pos];
            if (pos > 0 && sameVector(points[order[pos - 1]], points[p])) {
                rank[p] = rank[order[pos - 1]];
                continue;
            }
            int lo = 0;
            int hi = fronts.size();
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (fronts.get(mid).weaklyDominates(p)) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo == fronts.size()) {
                fronts.add(FrontIndex.create(tail, m - 1));
            }
            fronts.get(lo).add(p);
            rank[p] = lo;
        }
        return rank;
    }

    /**
     * ENS-BS with two objectives: front k dominates p exactly when its smallest second objective so far is
     * {@code <=} p's, so each front is a single number and the whole sort is O(N log N).
     */
    private static int[] twoObjectiveRanks(double[][] points, int[] order) {
        int n = points.length;
        int[] rank = new int[n];
        double[] lowest = new double[16];
        int fronts = 0;
        for (int pos = 0; pos < n; pos++) {
            int p = order[pos];
            if (pos > 0 && sameVector(points[order[pos - 1]], points[p])) {
                rank[p] = rank[order[pos - 1]];
                continue;
            }
            double y = points[p][1];
            int lo = 0;
            int hi = fronts;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (lowest[mid] <= y) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            if (lo == fronts) {
                if (fronts == lowest.length) {
                    lowest = Arrays.copyOf(lowest, 2 * fronts);
                }
                fronts++;
            }
            lowest[lo] = y; // p is not dominated by front lo, so y is below its smallest so far
            rank[p] = lo;
        }
        return rank;
    }

    private static int objectiveCount(double[][] points) {
        if (points.length == 0) {
            return 0;
        }
        int m = points[0].length;
        for (int i = 1; i < points.length; i++) {
            if (points[i].length != m) {
                throw new IllegalArgumentException("point " + i + " has " + points[i].length + " objectives, point 0 has " + m);
            }
        }
        return m;
    }

    private static boolean needsPairwiseSort(double[][] points, double[] violations) {
        for (int i = 0; i < points.length; i++) {
            double v = violations[i];
            if (!(v == 0 || v > 0)) {
                return true; // negative or NaN
            }
            if (v == 0) {
                for (double x : points[i]) {
                    if (Double.isNaN(x)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /**
     * Indices sorted by the first objective, ties by the second, and so on, compared with {@code <} (so -0.0 == 0.0).
     * A merge sort that moves each index together with its first objective, so that comparisons mostly read memory
     * in order: boxing the indices for {@link Arrays#sort(Object[], java.util.Comparator)} costs more than all the
     * rest of the sort at 100,000 points.
     */
    private static int[] lexicographicOrder(double[][] points) {
        int n = points.length;
        double[] keys = new double[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = points[i].length == 0 ? 0.0 : points[i][0];
            order[i] = i;
        }
        mergeSort(keys, order, new double[n], new int[n], 0, n, points);
        return order;
    }

    private static void mergeSort(double[] keys, int[] order, double[] keyBuffer, int[] orderBuffer, int from, int to,
                                  double[][] points) {
        if (to - from <= 24) {
            for (int i = from + 1; i < to; i++) {
                double key = keys[i];
                int index = order[i];
                int j = i - 1;
                while (j >= from && compare(keys[j], order[j], key, index, points) > 0) {
                    keys[j + 1] = keys[j];
                    order[j + 1] = order[j];
                    j--;
                }
                keys[j + 1] = key;
                order[j + 1] = index;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        mergeSort(keys, order, keyBuffer, orderBuffer, from, mid, points);
        mergeSort(keys, order, keyBuffer, orderBuffer, mid, to, points);
        if (compare(keys[mid - 1], order[mid - 1], keys[mid], order[mid], points) <= 0) {
            return; // already in order
        }
        System.arraycopy(keys, from, keyBuffer, from, to - from);
        System.arraycopy(order, from, orderBuffer, from, to - from);
        int i = from;
        int j = mid;
        for (int k = from; k < to; k++) {
            if (j >= to || (i < mid && compare(keyBuffer[i], orderBuffer[i], keyBuffer[j], orderBuffer[j], points) <= 0)) {
                keys[k] = keyBuffer[i];
                order[k] = orderBuffer[i++];
            } else {
                keys[k] = keyBuffer[j];
                order[k] = orderBuffer[j++];
            }
        }
    }

    private static int compare(double keyA, int a, double keyB, int b, double[][] points) {
        if (keyA < keyB) {
            return -1;
        }
        if (keyA > keyB) {
            return 1;
        }
        double[] x = points[a];
        double[] y = points[b];
        for (int k = 1; k < x.length; k++) {
            if (x[k] < y[k]) {
                return -1;
            }
            if (x[k] > y[k]) {
                return 1;
            }
        }
        return 0;
    }

    /** Objectives 2..M of every point, flat: {@code tail[i * (m - 1) + k]} is objective k + 2 of point i. */
    private static double[] tailCoordinates(double[][] points, int m) {
        double[] tail = new double[points.length * (m - 1)];
        for (int i = 0; i < points.length; i++) {
            System.arraycopy(points[i], 1, tail, i * (m - 1), m - 1);
        }
        return tail;
    }

    private static boolean sameVector(double[] a, double[] b) {
        for (int k = 0; k < a.length; k++) {
            if (a[k] != b[k]) {
                return false;
            }
        }
        return true;
    }

    /** Deb's fast non-dominated sort on {@link Dominance#constrainedDominates}: O(M N^2) time, O(N^2) memory at worst. */
    private static int[] pairwiseRanks(double[][] points, double[] violations) {
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
