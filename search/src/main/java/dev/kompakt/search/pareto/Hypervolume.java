package dev.kompakt.search.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Exact hypervolume of a set of minimisation vectors with respect to a reference point: the measure of the region
 * the set dominates, bounded by the reference. Only points strictly better than the reference in every objective
 * count (a NaN coordinate never is); dominated and duplicated points add nothing.
 *
 * <ul>
 *   <li>2 objectives: a sweep along the first objective, O(n log n).</li>
 *   <li>3 objectives: a sweep along the third objective that keeps the 2-D staircase of the points seen so far in
 *       a balanced tree and adds each point's exclusive area as it enters (Beume, Fonseca, López-Ibáñez, Paquete
 *       &amp; Vahrenhold, "On the complexity of computing the hypervolume indicator", IEEE TEC 13(5), 2009; Fonseca,
 *       Paquete &amp; López-Ibáñez, CEC 2006), O(n log n).</li>
 *   <li>4 or more: WFG (While, Bradstreet &amp; Barone, "A fast way of calculating exact hypervolumes", IEEE TEC
 *       16(1), 2012) on the non-dominated points: sorted by the last objective, the volume is the sum over points
 *       of their depth in that objective times their exclusive hypervolume, in one objective fewer, with respect
 *       to the points before them; an exclusive hypervolume is the point's own box minus the hypervolume of its
 *       limit set (the earlier points clipped to that box, dominated ones dropped). The recursion ends in the 3-D
 *       sweep.</li>
 * </ul>
 */
public final class Hypervolume {
    private Hypervolume() {
    }

    /** The hypervolume of {@code points} (minimisation) bounded by {@code reference}. */
    public static double of(List<double[]> points, double[] reference) {
        checkReference(reference);
        return volume(inside(points, reference), reference.length, reference);
    }

    /**
     * Each point's exclusive contribution {@code of(points) - of(points without it)}, indexed like {@code points}:
     * 0 for a point that another point weakly dominates (an exact duplicate included) or that does not strictly
     * dominate the reference. Two objectives use the staircase neighbours, O(n log n); one or three and more use,
     * for each point of the first front, its box minus the hypervolume of its limit set (WFG's exclusive
     * hypervolume): about O(n^2 log n) for three objectives.
     */
    public static double[] contributions(List<double[]> points, double[] reference) {
        checkReference(reference);
        int[] where = insideIndices(points, reference);
        double[][] inside = copies(points, where);
        double[] insideContribution = reference.length == 2 ? contributions2d(inside, reference) : contributionsByLimitSets(inside, reference);
        double[] result = new double[points.size()];
        for (int i = 0; i < where.length; i++) {
            result[where[i]] = insideContribution[i];
        }
        return result;
    }

    /**
     * What {@code point} adds to the hypervolume of {@code set}: {@code of(set + point) - of(set)}, computed as the
     * point's own box minus the hypervolume of its limit set.
     */
    static double exclusive(double[] point, List<double[]> set, double[] reference) {
        checkReference(reference);
        int d = reference.length;
        double[][] p = inside(List.of(point), reference);
        if (p.length == 0) {
            return 0.0;
        }
        double[][] others = inside(set, reference);
        double[][] limit = new double[others.length][];
        for (int i = 0; i < others.length; i++) {
            if (weaklyDominates(others[i], p[0], d)) {
                return 0.0;
            }
            limit[i] = worse(p[0], others[i], d);
        }
        return Math.max(0.0, box(p[0], reference, d) - volume(limit, d, reference));
    }

    private static void checkReference(double[] reference) {
        Objects.requireNonNull(reference, "reference");
        if (reference.length == 0) {
            throw new IllegalArgumentException("the reference point needs at least one objective");
        }
    }

    /** Copies of the points strictly inside the reference box (-0.0 turned into 0.0, which sorted maps tell apart). */
    private static double[][] inside(List<double[]> points, double[] reference) {
        return copies(points, insideIndices(points, reference));
    }

    private static double[][] copies(List<double[]> points, int[] where) {
        double[][] inside = new double[where.length][];
        for (int i = 0; i < where.length; i++) {
            double[] p = points.get(where[i]);
            inside[i] = new double[p.length];
            for (int k = 0; k < p.length; k++) {
                inside[i][k] = p[k] + 0.0;
            }
        }
        return inside;
    }

    private static int[] insideIndices(List<double[]> points, double[] reference) {
        int[] where = new int[points.size()];
        int n = 0;
        for (int i = 0; i < points.size(); i++) {
            double[] p = points.get(i);
            if (p.length != reference.length) {
                throw new IllegalArgumentException("point " + i + " has " + p.length + " objectives, the reference has " + reference.length);
            }
            boolean ok = true;
            for (int k = 0; k < p.length; k++) {
                ok &= p[k] < reference[k];
            }
            if (ok) {
                where[n++] = i;
            }
        }
        return Arrays.copyOf(where, n);
    }

    /** Hypervolume in the first {@code d} objectives of points strictly inside the reference, in any order. */
    private static double volume(double[][] points, int d, double[] ref) {
        if (points.length == 0) {
            return 0.0;
        }
        if (d == 1) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] p : points) {
                best = Math.min(best, p[0]);
            }
            return ref[0] - best;
        }
        if (d == 2) {
            return sweep2d(points, ref);
        }
        if (d == 3) {
            return sweep3d(points, ref);
        }
        return wfg(nonDominated(points, d), d, ref);
    }

    private static double sweep2d(double[][] points, double[] ref) {
        double[][] sorted = points.clone();
        Arrays.sort(sorted, Comparator.comparingDouble((double[] p) -> p[0]).thenComparingDouble(p -> p[1]));
        double volume = 0;
        double lastY = ref[1];
        for (double[] p : sorted) {
            if (p[1] < lastY) {
                volume += (ref[0] - p[0]) * (lastY - p[1]);
                lastY = p[1];
            }
        }
        return volume;
    }

    /** The third-objective sweep: between consecutive levels the dominated area of the staircase is constant. */
    private static double sweep3d(double[][] points, double[] ref) {
        double[][] sorted = points.clone();
        Arrays.sort(sorted, Comparator.comparingDouble(p -> p[2]));
        TreeMap<Double, Double> stairs = new TreeMap<>();
        double area = 0;
        double volume = 0;
        for (int i = 0; i < sorted.length; i++) {
            double[] p = sorted[i];
            area += addToStaircase(stairs, p[0], p[1], ref);
            double next = i + 1 < sorted.length ? sorted[i + 1][2] : ref[2];
            volume += area * (next - p[2]);
        }
        return volume;
    }

    /**
     * Inserts (x, y) into a 2-D staircase (x ascending, y strictly descending) and returns the area it adds to the
     * region the staircase dominates up to {@code ref}; a weakly dominated point adds 0 and is not inserted.
     */
    private static double addToStaircase(TreeMap<Double, Double> stairs, double x, double y, double[] ref) {
        Map.Entry<Double, Double> left = stairs.floorEntry(x);
        if (left != null && left.getValue() <= y) {
            return 0.0;
        }
        Map.Entry<Double, Double> lower = stairs.lowerEntry(x);
        double top = lower == null ? ref[1] : lower.getValue(); // the staircase covers [top, ref) above x so far
        double from = x;
        double added = 0;
        Map.Entry<Double, Double> right = stairs.ceilingEntry(x);
        while (right != null && right.getValue() >= y) { // dominated by (x, y): covered from its y up
            added += (top - y) * (right.getKey() - from);
            from = right.getKey();
            top = right.getValue();
            stairs.remove(from);
            right = stairs.higherEntry(from);
        }
        added += (top - y) * ((right == null ? ref[0] : right.getKey()) - from);
        stairs.put(x, y);
        return added;
    }

    /**
     * WFG, d &gt;= 4, on mutually non-dominated distinct points. Sorted by objective d, the points before p are the
     * only ones deeper in it, so slice by slice the volume is the sum of (ref_d - p_d) times p's exclusive
     * hypervolume in d - 1 objectives against them.
     */
    private static double wfg(double[][] points, int d, double[] ref) {
        int last = d - 1;
        double[][] sorted = points.clone();
        Arrays.sort(sorted, Comparator.comparingDouble(p -> p[last]));
        double volume = 0;
        double[][] limit = new double[sorted.length][];
        for (int i = 0; i < sorted.length; i++) {
            double[] p = sorted[i];
            double exclusive = box(p, ref, last);
            boolean covered = false;
            for (int j = 0; j < i && !covered; j++) {
                covered = weaklyDominates(sorted[j], p, last);
                limit[j] = worse(p, sorted[j], last);
            }
            if (covered) {
                continue; // an earlier point covers p's whole slice
            }
            if (i > 0) {
                exclusive = Math.max(0.0, exclusive - volume(Arrays.copyOf(limit, i), last, ref));
            }
            volume += (ref[last] - p[last]) * exclusive;
        }
        return volume;
    }

    /** The mutually non-dominated points, one copy of each, in the first {@code d} objectives. */
    private static double[][] nonDominated(double[][] points, int d) {
        double[][] projected = points;
        if (points[0].length != d) {
            projected = new double[points.length][];
            for (int i = 0; i < points.length; i++) {
                projected[i] = Arrays.copyOf(points[i], d);
            }
        }
        int[] representative = NonDominatedSorting.firstFront(projected);
        List<double[]> kept = new ArrayList<>();
        for (int i = 0; i < points.length; i++) {
            if (representative[i] == i) {
                kept.add(projected[i]);
            }
        }
        return kept.toArray(new double[0][]);
    }

    private static boolean weaklyDominates(double[] q, double[] p, int d) {
        for (int k = 0; k < d; k++) {
            if (q[k] > p[k]) {
                return false;
            }
        }
        return true;
    }

    /** The component-wise maximum of p and q in the first {@code d} objectives: q clipped to p's box. */
    private static double[] worse(double[] p, double[] q, int d) {
        double[] w = new double[d];
        for (int k = 0; k < d; k++) {
            w[k] = Math.max(p[k], q[k]);
        }
        return w;
    }

    private static double box(double[] p, double[] ref, int d) {
        double v = 1;
        for (int k = 0; k < d; k++) {
            v *= ref[k] - p[k];
        }
        return v;
    }

    /**
     * Two objectives: with the distinct non-dominated points sorted by the first objective, point i alone covers
     * the rectangle [x_i, x_i+1) x [y_i, y_i-1). The points it dominates and no other does lie in that rectangle
     * and cover part of it once it is gone, so its contribution is the rectangle minus their hypervolume with the
     * rectangle's far corner as reference.
     */
    private static double[] contributions2d(double[][] points, double[] ref) {
        int n = points.length;
        double[] contribution = new double[n];
        int[] representative = NonDominatedSorting.firstFront(points);
        int[] copies = new int[n];
        List<Integer> stairs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (representative[i] >= 0) {
                copies[representative[i]]++;
            }
            if (representative[i] == i) {
                stairs.add(i);
            }
        }
        stairs.sort(Comparator.comparingDouble(i -> points[i][0]));
        int k = stairs.size();
        double[] xs = new double[k];
        for (int s = 0; s < k; s++) {
            xs[s] = points[stairs.get(s)][0];
        }
        List<List<double[]>> exposed = new ArrayList<>();
        for (int s = 0; s < k; s++) {
            exposed.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            if (representative[i] >= 0) {
                continue;
            }
            int s = lastAtMost(xs, points[i][0]); // >= 0: something dominates point i
            double top = s == 0 ? ref[1] : points[stairs.get(s - 1)][1];
            if (points[i][1] < top) {
                exposed.get(s).add(points[i]);
            }
        }
        for (int s = 0; s < k; s++) {
            int i = stairs.get(s);
            if (copies[i] > 1) {
                continue;
            }
            double[] corner = {s + 1 < k ? xs[s + 1] : ref[0], s == 0 ? ref[1] : points[stairs.get(s - 1)][1]};
            double rectangle = (corner[0] - points[i][0]) * (corner[1] - points[i][1]);
            List<double[]> below = exposed.get(s);
            contribution[i] = below.isEmpty() ? rectangle
                    : Math.max(0.0, rectangle - sweep2d(below.toArray(new double[0][]), corner));
        }
        return contribution;
    }

    /** The index of the last value {@code <= x} in ascending {@code xs}, or -1. */
    private static int lastAtMost(double[] xs, double x) {
        int lo = 0;
        int hi = xs.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (xs[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo - 1;
    }

    /**
     * One or three or more objectives: for each distinct non-dominated point p, its box minus the hypervolume of its
     * limit set, which is the other non-dominated points clipped to p's box plus the points p dominates (once p is
     * gone they cover part of its box; points that another non-dominated point also dominates are inside that
     * point's box and change nothing).
     */
    private static double[] contributionsByLimitSets(double[][] points, double[] ref) {
        int n = points.length;
        int d = ref.length;
        double[] contribution = new double[n];
        int[] representative = NonDominatedSorting.firstFront(points);
        int[] copies = new int[n];
        List<double[]> front = new ArrayList<>();
        List<double[]> dominated = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (representative[i] >= 0) {
                copies[representative[i]]++;
            } else {
                dominated.add(points[i]);
            }
            if (representative[i] == i) {
                front.add(points[i]);
            }
        }
        for (int i = 0; i < n; i++) {
            if (representative[i] != i || copies[i] > 1) {
                continue;
            }
            double[] p = points[i];
            List<double[]> limit = new ArrayList<>();
            for (double[] q : front) {
                if (q != p) {
                    limit.add(worse(p, q, d));
                }
            }
            for (double[] q : dominated) {
                if (weaklyDominates(p, q, d)) {
                    limit.add(q);
                }
            }
            contribution[i] = Math.max(0.0, box(p, ref, d) - volume(limit.toArray(new double[0][]), d, ref));
        }
        return contribution;
    }
}
