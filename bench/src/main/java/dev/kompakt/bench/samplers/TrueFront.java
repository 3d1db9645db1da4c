package dev.kompakt.bench.samplers;

import dev.kompakt.search.pareto.Hypervolume;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * A problem's true Pareto front, as far as the benchmark needs it: its ideal and nadir points (which normalise the
 * objectives to [0, 1] on the front) and its hypervolume on normalised objectives for a reference point of r in
 * every objective.
 * <p>
 * Two-objective fronts are given as a curve f2 = h(f1) on [f1Low, f1High]; the front is the non-dominated part of
 * a dense uniform sample of that curve (this also finds ZDT3's disconnected pieces), and its hypervolume is the
 * exact hypervolume of the sample ({@link Hypervolume}). The sample's staircase misses at most half a sample
 * spacing times the normalised f2 range, about 5e-7 with a million samples. The three-objective sphere octant
 * (DTLZ2) is analytic: the region dominated within [0, r]^3 is the cube minus the ball's octant,
 * r^3 - pi / 6.
 */
public final class TrueFront {
    private final double[] ideal;
    private final double[] nadir;
    private final DoubleUnaryOperator curve;
    private final double f1Low;
    private final double f1High;
    private final int samples;
    private final Map<Double, Double> hypervolumes = new HashMap<>();

    private TrueFront(double[] ideal, double[] nadir, DoubleUnaryOperator curve, double f1Low, double f1High, int samples) {
        this.ideal = ideal;
        this.nadir = nadir;
        this.curve = curve;
        this.f1Low = f1Low;
        this.f1High = f1High;
        this.samples = samples;
    }

    /** The non-dominated part of the curve f2 = h(f1), f1 in [f1Low, f1High], sampled at {@code samples} points. */
    public static TrueFront ofCurve(DoubleUnaryOperator h, double f1Low, double f1High, int samples) {
        List<double[]> front = nonDominatedSample(h, f1Low, f1High, samples);
        double[] ideal = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] nadir = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        for (double[] p : front) {
            for (int k = 0; k < 2; k++) {
                ideal[k] = Math.min(ideal[k], p[k]);
                nadir[k] = Math.max(nadir[k], p[k]);
            }
        }
        return new TrueFront(ideal, nadir, h, f1Low, f1High, samples);
    }

    /** The positive octant of the unit sphere in three objectives (DTLZ2's front). */
    public static TrueFront sphereOctant() {
        return new TrueFront(new double[3], new double[] {1, 1, 1}, null, 0, 0, 0);
    }

    /** Sample points in order of f1, kept when their f2 is below every earlier one's. */
    private static List<double[]> nonDominatedSample(DoubleUnaryOperator h, double f1Low, double f1High, int samples) {
        List<double[]> front = new ArrayList<>();
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < samples; i++) {
            double f1 = i == samples - 1 ? f1High : f1Low + (f1High - f1Low) * i / (samples - 1);
            double f2 = h.applyAsDouble(f1);
            if (f2 < best) {
                front.add(new double[] {f1, f2});
                best = f2;
            }
        }
        return front;
    }

    public double[] ideal() {
        return ideal.clone();
    }

    public double[] nadir() {
        return nadir.clone();
    }

    public int objectiveCount() {
        return ideal.length;
    }

    /** (f - ideal) / (nadir - ideal), per objective. */
    public double[] normalise(double[] f) {
        double[] out = new double[f.length];
        for (int k = 0; k < f.length; k++) {
            out[k] = (f[k] - ideal[k]) / (nadir[k] - ideal[k]);
        }
        return out;
    }

    /** The front's hypervolume on normalised objectives for the reference point (r, ..., r), r >= 1. */
    public synchronized double hypervolume(double r) {
        if (!(r >= 1.0)) {
            throw new IllegalArgumentException("the reference must be at least the normalised nadir (1), got " + r);
        }
        return hypervolumes.computeIfAbsent(r, this::compute);
    }

    private double compute(double r) {
        if (curve == null) {
            return r * r * r - Math.PI / 6;
        }
        List<double[]> normalised = new ArrayList<>();
        for (double[] p : nonDominatedSample(curve, f1Low, f1High, samples)) {
            normalised.add(normalise(p));
        }
        double[] reference = new double[2];
        Arrays.fill(reference, r);
        return Hypervolume.of(normalised, reference);
    }
}
