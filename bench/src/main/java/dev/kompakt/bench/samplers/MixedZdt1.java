package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * "ZDT1-mixed": ZDT1 with n = 30 whose variables are of three kinds, so that samplers are compared on integer and
 * categorical parameters as well. Definition:
 * <ul>
 *   <li>x1..x11: floats in [0, 1], as in ZDT1;</li>
 *   <li>x12..x21: integers 0..10, each standing for the value k / 10;</li>
 *   <li>x22..x30: categoricals with the 11 labels "a".."k", each standing for the value {@link #LABEL_VALUES}[label
 *       index], a fixed scrambled table of 0, 0.1, ..., 1.0, so the order of the labels says nothing about their
 *       values.</li>
 * </ul>
 * The objectives are ZDT1's on the real vector of those values. Every variable can still reach 0 (integer 0, label
 * "e"), so the Pareto-optimal set is x1 in [0, 1] with every other value 0 and the true front is ZDT1's,
 * f2 = 1 - sqrt(f1).
 */
public final class MixedZdt1 implements TestProblem {
    public static final int N = 30;
    public static final int LAST_FLOAT = 11;
    public static final int LAST_INT = 21;
    public static final List<Object> LABELS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k");
    /** Value of each label, by label index: a permutation of 0, 0.1, ..., 1.0 (label "e" is 0). */
    public static final double[] LABEL_VALUES = {0.7, 0.2, 1.0, 0.5, 0.0, 0.9, 0.3, 0.6, 0.1, 0.8, 0.4};

    private final SearchSpace space;
    private final TrueFront trueFront = Zdt.frontOf(Zdt.Kind.ZDT1);

    public MixedZdt1() {
        List<Parameter> parameters = new ArrayList<>();
        for (int i = 1; i <= N; i++) {
            String name = "x" + i;
            if (i <= LAST_FLOAT) {
                parameters.add(new Parameter.FloatParam(name, 0.0, 1.0));
            } else if (i <= LAST_INT) {
                parameters.add(new Parameter.IntParam(name, 0, 10));
            } else {
                parameters.add(new Parameter.Categorical(name, LABELS));
            }
        }
        this.space = new SearchSpace(parameters);
    }

    /** The real vector an assignment stands for (floats as they are, integers / 10, labels through the table). */
    public static double[] realVector(Assignment assignment) {
        double[] x = new double[N];
        for (int i = 1; i <= N; i++) {
            String name = "x" + i;
            if (i <= LAST_FLOAT) {
                x[i - 1] = assignment.getDouble(name);
            } else if (i <= LAST_INT) {
                x[i - 1] = assignment.getInt(name) / 10.0;
            } else {
                int index = LABELS.indexOf(assignment.get(name));
                if (index < 0) {
                    throw new IllegalArgumentException("ZDT1-mixed: " + name + " = " + assignment.get(name) + " is not a label");
                }
                x[i - 1] = LABEL_VALUES[index];
            }
        }
        return x;
    }

    @Override
    public String name() {
        return "ZDT1-mixed";
    }

    @Override
    public String variables() {
        return "11 floats, 10 ints (0..10 as k/10), 9 categoricals (11 labels, scrambled values)";
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
        return Zdt.evaluate(Zdt.Kind.ZDT1, realVector(assignment));
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
