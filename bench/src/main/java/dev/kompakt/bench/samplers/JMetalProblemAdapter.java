package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import org.uma.jmetal.problem.doubleproblem.impl.AbstractDoubleProblem;
import org.uma.jmetal.solution.doublesolution.DoubleSolution;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link TestProblem} as a jMetal real-valued problem, recording every evaluation. jMetal's NSGA-II only works on
 * reals, so it searches a continuous relaxation: a linear float parameter is a real variable on its own bounds
 * (x1..xn of the ZDT and DTLZ problems exactly as in jMetal's own classes); an integer or categorical parameter
 * is a real variable in [0, 1] decoded by Kompakt's {@link Parameter#fromUnit}: integers by rounding to the
 * nearest of equal-width buckets, categoricals by bucket (label i for [i/k, (i+1)/k)).
 */
final class JMetalProblemAdapter extends AbstractDoubleProblem {
    private final TestProblem problem;
    private final List<Parameter> parameters;
    private final List<double[]> evaluated = new ArrayList<>();

    JMetalProblemAdapter(TestProblem problem) {
        this.problem = problem;
        this.parameters = problem.space().parameters();
        List<Double> lower = new ArrayList<>();
        List<Double> upper = new ArrayList<>();
        for (Parameter p : parameters) {
            if (p.activeIf().isPresent()) {
                throw new IllegalArgumentException("the jMetal adapter does not handle conditional parameters: " + p.name());
            }
            boolean real = isNativeReal(p);
            lower.add(real ? ((Parameter.FloatParam) p).low() : 0.0);
            upper.add(real ? ((Parameter.FloatParam) p).high() : 1.0);
        }
        numberOfObjectives(problem.objectiveCount());
        numberOfConstraints(0);
        name(problem.name());
        variableBounds(lower, upper);
    }

    private static boolean isNativeReal(Parameter p) {
        return p instanceof Parameter.FloatParam f && !f.log() && f.step() == 0;
    }

    /** The Kompakt assignment a vector of jMetal variables stands for. */
    Assignment decode(List<Double> variables) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            Parameter p = parameters.get(i);
            double x = variables.get(i);
            if (isNativeReal(p)) {
                Parameter.FloatParam f = (Parameter.FloatParam) p;
                values.put(p.name(), Math.min(f.high(), Math.max(f.low(), x)));
            } else {
                values.put(p.name(), p.fromUnit(x));
            }
        }
        return new Assignment(values);
    }

    @Override
    public DoubleSolution evaluate(DoubleSolution solution) {
        double[] f = problem.evaluate(decode(solution.variables()));
        System.arraycopy(f, 0, solution.objectives(), 0, f.length);
        evaluated.add(f);
        return solution;
    }

    /** Every evaluation so far, in order. */
    List<double[]> evaluated() {
        return evaluated;
    }
}
