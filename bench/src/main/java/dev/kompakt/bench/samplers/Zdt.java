package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * The ZDT problems of Zitzler, Deb and Thiele, "Comparison of Multiobjective Evolutionary Algorithms: Empirical
 * Results", Evolutionary Computation 8(2):173-195, 2000, in their standard sizes: ZDT1-3 with n = 30 variables in
 * [0, 1]; ZDT4 with n = 10, x1 in [0, 1] and x2..x10 in [-5, 5]; ZDT6 with n = 10 in [0, 1]. Each is
 * f1 = f1(x1), f2 = g(x2..xn) h(f1, g), and its Pareto front is g = 1 (x2..xn = 0), so f2 = h(f1, 1):
 * <ul>
 *   <li>ZDT1, ZDT4: f2 = 1 - sqrt(f1), f1 in [0, 1] (ZDT4 has 21^9 local fronts);</li>
 *   <li>ZDT2: f2 = 1 - f1^2, f1 in [0, 1] (non-convex);</li>
 *   <li>ZDT3: the non-dominated part of f2 = 1 - sqrt(f1) - f1 sin(10 pi f1), f1 in [0, 1] (five disconnected pieces);</li>
 *   <li>ZDT6: f2 = 1 - f1^2 with f1 = 1 - exp(-4 x1) sin^6(6 pi x1) in [0.2807753188, 1] (non-uniform density).</li>
 * </ul>
 * The variables are Kompakt float parameters "x1".."xn".
 */
public final class Zdt implements TestProblem {

    /** Which ZDT function. */
    public enum Kind {
        ZDT1, ZDT2, ZDT3, ZDT4, ZDT6
    }

    /**
     * The minimum over x1 in [0, 1] of ZDT6's f1 = 1 - exp(-4 x1) sin^6(6 pi x1), where tan(6 pi x1) = 9 pi,
     * x1 = 0.08145779688 (solved numerically; often quoted as 0.2807753191).
     */
    public static final double ZDT6_MIN_F1 = 0.28077531881536970;

    private static final int FRONT_SAMPLES = 1_000_001;

    private final Kind kind;
    private final int n;
    private final SearchSpace space;
    private final TrueFront trueFront;

    public Zdt(Kind kind) {
        this.kind = kind;
        this.n = kind == Kind.ZDT4 || kind == Kind.ZDT6 ? 10 : 30;
        List<Parameter> parameters = new ArrayList<>();
        parameters.add(new Parameter.FloatParam("x1", 0.0, 1.0));
        for (int i = 2; i <= n; i++) {
            parameters.add(kind == Kind.ZDT4 ? new Parameter.FloatParam("x" + i, -5.0, 5.0) : new Parameter.FloatParam("x" + i, 0.0, 1.0));
        }
        this.space = new SearchSpace(parameters);
        this.trueFront = frontOf(kind);
    }

    /** The true front of a ZDT function as a dense sample of its curve (see {@link TrueFront#ofCurve}). */
    static TrueFront frontOf(Kind kind) {
        return switch (kind) {
            case ZDT1, ZDT4 -> TrueFront.ofCurve(f1 -> 1 - Math.sqrt(f1), 0.0, 1.0, FRONT_SAMPLES);
            case ZDT2 -> TrueFront.ofCurve(f1 -> 1 - f1 * f1, 0.0, 1.0, FRONT_SAMPLES);
            case ZDT3 -> TrueFront.ofCurve(f1 -> 1 - Math.sqrt(f1) - f1 * Math.sin(10 * Math.PI * f1), 0.0, 1.0, FRONT_SAMPLES);
            case ZDT6 -> TrueFront.ofCurve(f1 -> 1 - f1 * f1, ZDT6_MIN_F1, 1.0, FRONT_SAMPLES);
        };
    }

    public Kind kind() {
        return kind;
    }

    public int dimension() {
        return n;
    }

    @Override
    public String name() {
        return kind.name();
    }

    @Override
    public String variables() {
        return kind == Kind.ZDT4 ? n + " floats (x1 in [0, 1], x2..x" + n + " in [-5, 5])" : n + " floats in [0, 1]";
    }

    @Override
    public SearchSpace space() {
        return space;
    }

    @Override
    public int objectiveCount() {
        return 2;
    }

    @Override
    public double[] evaluate(Assignment assignment) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = assignment.getDouble("x" + (i + 1));
        }
        return evaluate(kind, x);
    }

    /** The ZDT function on a real vector (its length is the number of variables). */
    public static double[] evaluate(Kind kind, double[] x) {
        int n = x.length;
        double f1 = kind == Kind.ZDT6 ? 1 - Math.exp(-4 * x[0]) * Math.pow(Math.sin(6 * Math.PI * x[0]), 6) : x[0];
        double sum = 0;
        for (int i = 1; i < n; i++) {
            sum += kind == Kind.ZDT4 ? x[i] * x[i] - 10 * Math.cos(4 * Math.PI * x[i]) : x[i];
        }
        double g = switch (kind) {
            case ZDT4 -> 1 + 10 * (n - 1) + sum;
            case ZDT6 -> 1 + 9 * Math.pow(sum / (n - 1), 0.25);
            default -> 1 + 9 * sum / (n - 1);
        };
        double ratio = f1 / g;
        double h = switch (kind) {
            case ZDT1, ZDT4 -> 1 - Math.sqrt(ratio);
            case ZDT2, ZDT6 -> 1 - ratio * ratio;
            case ZDT3 -> 1 - Math.sqrt(ratio) - ratio * Math.sin(10 * Math.PI * f1);
        };
        return new double[] {f1, g * h};
    }

    @Override
    public TrueFront trueFront() {
        return trueFront;
    }

    @Override
    public double separatingReference() {
        return 11.0;
    }
}
