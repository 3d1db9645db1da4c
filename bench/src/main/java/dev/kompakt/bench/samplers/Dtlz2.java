package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * DTLZ2 of Deb, Thiele, Laumanns and Zitzler, "Scalable Multi-Objective Optimization Test Problems", CEC 2002,
 * with M = 3 objectives and n = M + k - 1 = 12 variables in [0, 1] (k = 10):
 * g = sum over i = 3..12 of (x_i - 0.5)^2,
 * f1 = (1 + g) cos(x1 pi/2) cos(x2 pi/2), f2 = (1 + g) cos(x1 pi/2) sin(x2 pi/2), f3 = (1 + g) sin(x1 pi/2).
 * Its Pareto front (g = 0, x3..x12 = 0.5) is the unit sphere's positive octant: ideal (0, 0, 0), nadir (1, 1, 1).
 */
public final class Dtlz2 implements TestProblem {
    public static final int OBJECTIVES = 3;
    public static final int VARIABLES = 12;

    private final SearchSpace space;
    private final TrueFront trueFront = TrueFront.sphereOctant();

    public Dtlz2() {
        List<Parameter> parameters = new ArrayList<>();
        for (int i = 1; i <= VARIABLES; i++) {
            parameters.add(new Parameter.FloatParam("x" + i, 0.0, 1.0));
        }
        this.space = new SearchSpace(parameters);
    }

    @Override
    public String name() {
        return "DTLZ2";
    }

    @Override
    public String variables() {
        return VARIABLES + " floats in [0, 1], 3 objectives";
    }

    @Override
    public SearchSpace space() {
        return space;
    }

    @Override
    public int objectiveCount() {
        return OBJECTIVES;
    }

    @Override
    public double[] evaluate(Assignment assignment) {
        double[] x = new double[VARIABLES];
        for (int i = 0; i < VARIABLES; i++) {
            x[i] = assignment.getDouble("x" + (i + 1));
        }
        return evaluate(x);
    }

    /** DTLZ2 with three objectives on a real vector of 12 variables. */
    public static double[] evaluate(double[] x) {
        double g = 0;
        for (int i = OBJECTIVES - 1; i < x.length; i++) {
            g += (x[i] - 0.5) * (x[i] - 0.5);
        }
        double a = x[0] * Math.PI / 2;
        double b = x[1] * Math.PI / 2;
        return new double[] {(1 + g) * Math.cos(a) * Math.cos(b), (1 + g) * Math.cos(a) * Math.sin(b), (1 + g) * Math.sin(a)};
    }

    @Override
    public TrueFront trueFront() {
        return trueFront;
    }

    @Override
    public double separatingReference() {
        return 1.1;
    }
}
