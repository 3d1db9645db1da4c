package dev.kompakt.search.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * An affine map of minimisation vectors that sends the ideal point to 0 and the nadir point to 1 in every
 * objective, so that objectives measured in different units (accuracy, megabytes, milliseconds) weigh alike in a
 * hypervolume or a distance (Deb, Multi-Objective Optimization Using Evolutionary Algorithms, 2001, §2.4.2). An
 * objective whose range is empty (ideal == nadir) maps to 0 rather than dividing by zero. Immutable: the arrays are
 * copied in and out.
 */
public record Normalization(double[] ideal, double[] nadir) {
    public Normalization {
        Objects.requireNonNull(ideal, "ideal");
        Objects.requireNonNull(nadir, "nadir");
        if (ideal.length == 0) {
            throw new IllegalArgumentException("a normalisation needs at least one objective");
        }
        if (ideal.length != nadir.length) {
            throw new IllegalArgumentException("ideal has " + ideal.length + " objectives but nadir has " + nadir.length);
        }
        for (int k = 0; k < ideal.length; k++) {
            if (!Double.isFinite(ideal[k]) || !Double.isFinite(nadir[k])) {
                throw new IllegalArgumentException("objective " + k + ": ideal " + ideal[k] + " and nadir " + nadir[k] + " must be finite");
            }
            if (ideal[k] > nadir[k]) {
                throw new IllegalArgumentException("objective " + k + ": ideal " + ideal[k] + " is worse than nadir " + nadir[k]
                        + " (both are minimisation values)");
            }
        }
        ideal = ideal.clone();
        nadir = nadir.clone();
    }

    /**
     * The component-wise minimum (ideal) and maximum (nadir) of the points. Pass a Pareto front to get the front's
     * ideal and nadir points, the usual choice; pass all points to get their bounding box.
     */
    public static Normalization fromPoints(List<double[]> points) {
        Objects.requireNonNull(points, "points");
        if (points.isEmpty()) {
            throw new IllegalArgumentException("cannot normalise by an empty set of points");
        }
        int m = points.get(0).length;
        double[] ideal = new double[m];
        double[] nadir = new double[m];
        Arrays.fill(ideal, Double.POSITIVE_INFINITY);
        Arrays.fill(nadir, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < points.size(); i++) {
            double[] p = points.get(i);
            if (p.length != m) {
                throw new IllegalArgumentException("point " + i + " has " + p.length + " objectives, point 0 has " + m);
            }
            for (int k = 0; k < m; k++) {
                if (!Double.isFinite(p[k])) {
                    throw new IllegalArgumentException("point " + i + " has a non-finite objective " + k + ": " + p[k]);
                }
                ideal[k] = Math.min(ideal[k], p[k]);
                nadir[k] = Math.max(nadir[k], p[k]);
            }
        }
        return new Normalization(ideal, nadir);
    }

    public int objectives() {
        return ideal.length;
    }

    /** {@code (p - ideal) / (nadir - ideal)} per objective; 0 where nadir == ideal. Values outside the range map outside [0, 1]. */
    public double[] apply(double[] point) {
        Objects.requireNonNull(point, "point");
        if (point.length != ideal.length) {
            throw new IllegalArgumentException("point has " + point.length + " objectives, the normalisation has " + ideal.length);
        }
        double[] result = new double[point.length];
        for (int k = 0; k < point.length; k++) {
            double range = nadir[k] - ideal[k];
            result[k] = range > 0 ? (point[k] - ideal[k]) / range : 0.0;
        }
        return result;
    }

    public List<double[]> applyAll(List<double[]> points) {
        List<double[]> result = new ArrayList<>(points.size());
        for (double[] p : points) {
            result.add(apply(p));
        }
        return result;
    }

    @Override
    public double[] ideal() {
        return ideal.clone();
    }

    @Override
    public double[] nadir() {
        return nadir.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalization n && Arrays.equals(ideal, n.ideal) && Arrays.equals(nadir, n.nadir);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(ideal) + Arrays.hashCode(nadir);
    }

    @Override
    public String toString() {
        return "Normalization[ideal=" + Arrays.toString(ideal) + ", nadir=" + Arrays.toString(nadir) + "]";
    }
}
