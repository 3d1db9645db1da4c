package dev.kompakt.search;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Exact hypervolume of a set of minimisation vectors with respect to a reference point: the measure of the
 * region dominated by the set and bounded by the reference. 2-D by a sweep in O(n log n); more dimensions
 * by slicing along the last objective (HSO, While et al. 2006), exact and fine for fronts of a few hundred
 * points. Points not strictly better than the reference in every objective contribute nothing.
 */
public final class Hypervolume {
    private Hypervolume() {
    }

    public static double of(List<double[]> points, double[] reference) {
        List<double[]> inside = new ArrayList<>();
        for (double[] p : points) {
            if (p.length != reference.length) {
                throw new IllegalArgumentException("point has " + p.length + " objectives, reference has " + reference.length);
            }
            boolean ok = true;
            for (int i = 0; i < p.length; i++) {
                ok &= p[i] < reference[i];
            }
            if (ok) {
                inside.add(p);
            }
        }
        return compute(inside, reference, reference.length);
    }

    private static double compute(List<double[]> points, double[] ref, int dims) {
        if (points.isEmpty()) {
            return 0.0;
        }
        if (dims == 1) {
            double best = Double.POSITIVE_INFINITY;
            for (double[] p : points) {
                best = Math.min(best, p[0]);
            }
            return ref[0] - best;
        }
        if (dims == 2) {
            double[][] sorted = points.toArray(new double[0][]);
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
        int last = dims - 1;
        double[][] sorted = points.toArray(new double[0][]);
        Arrays.sort(sorted, Comparator.comparingDouble(p -> p[last]));
        double volume = 0;
        List<double[]> slice = new ArrayList<>();
        for (int i = 0; i < sorted.length; i++) {
            slice.add(sorted[i]);
            double top = i + 1 < sorted.length ? sorted[i + 1][last] : ref[last];
            double depth = top - sorted[i][last];
            if (depth > 0) {
                volume += depth * compute(nonDominated(slice, last), ref, last);
            }
        }
        return volume;
    }

    private static List<double[]> nonDominated(List<double[]> points, int dims) {
        List<double[]> result = new ArrayList<>();
        outer:
        for (double[] p : points) {
            for (double[] q : points) {
                if (q != p && weaklyDominatesStrictly(q, p, dims)) {
                    continue outer;
                }
            }
            result.add(p);
        }
        return result;
    }

    private static boolean weaklyDominatesStrictly(double[] q, double[] p, int dims) {
        boolean better = false;
        for (int i = 0; i < dims; i++) {
            if (q[i] > p[i]) {
                return false;
            }
            better |= q[i] < p[i];
        }
        return better;
    }
}
