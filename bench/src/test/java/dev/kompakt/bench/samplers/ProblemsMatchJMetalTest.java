package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import org.junit.jupiter.api.Test;
import org.uma.jmetal.problem.doubleproblem.DoubleProblem;
import org.uma.jmetal.problem.multiobjective.dtlz.DTLZ2;
import org.uma.jmetal.problem.multiobjective.zdt.ZDT1;
import org.uma.jmetal.problem.multiobjective.zdt.ZDT2;
import org.uma.jmetal.problem.multiobjective.zdt.ZDT3;
import org.uma.jmetal.problem.multiobjective.zdt.ZDT4;
import org.uma.jmetal.problem.multiobjective.zdt.ZDT6;
import org.uma.jmetal.solution.doublesolution.DoubleSolution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our problem definitions against jMetal's own ZDT and DTLZ classes, at random points of their spaces. */
class ProblemsMatchJMetalTest {

    private static double[] jmetal(DoubleProblem problem, double[] x) {
        DoubleSolution solution = problem.createSolution();
        for (int i = 0; i < x.length; i++) {
            solution.variables().set(i, x[i]);
        }
        problem.evaluate(solution);
        return solution.objectives().clone();
    }

    private static void assertSameAsJMetal(TestProblem ours, DoubleProblem theirs) {
        List<Parameter> parameters = ours.space().parameters();
        assertEquals(theirs.numberOfVariables(), parameters.size());
        assertEquals(theirs.numberOfObjectives(), ours.objectiveCount());
        for (int i = 0; i < parameters.size(); i++) {
            Parameter.FloatParam p = (Parameter.FloatParam) parameters.get(i);
            assertEquals(theirs.variableBounds().get(i).getLowerBound(), p.low(), ours.name() + " " + p.name());
            assertEquals(theirs.variableBounds().get(i).getUpperBound(), p.high(), ours.name() + " " + p.name());
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int trial = 0; trial < 500; trial++) {
            Assignment a = ours.space().fromUnit(p -> random.nextDouble());
            double[] x = parameters.stream().mapToDouble(p -> a.getDouble(p.name())).toArray();
            assertArrayEquals(jmetal(theirs, x), ours.evaluate(a), 1e-12, ours.name() + " at " + Arrays.toString(x));
        }
    }

    @Test
    void zdtProblemsMatchJMetal() {
        assertSameAsJMetal(new Zdt(Zdt.Kind.ZDT1), new ZDT1());
        assertSameAsJMetal(new Zdt(Zdt.Kind.ZDT2), new ZDT2());
        assertSameAsJMetal(new Zdt(Zdt.Kind.ZDT3), new ZDT3());
        assertSameAsJMetal(new Zdt(Zdt.Kind.ZDT4), new ZDT4());
        assertSameAsJMetal(new Zdt(Zdt.Kind.ZDT6), new ZDT6());
    }

    @Test
    void dtlz2MatchesJMetal() {
        assertSameAsJMetal(new Dtlz2(), new DTLZ2(12, 3));
    }

    @Test
    void mixedZdt1IsJMetalZdt1OnTheValuesItStandsFor() {
        MixedZdt1 mixed = new MixedZdt1();
        ZDT1 zdt1 = new ZDT1();
        SplittableRandom random = new SplittableRandom(7);
        for (int trial = 0; trial < 500; trial++) {
            Assignment a = mixed.space().fromUnit(p -> random.nextDouble());
            double[] x = MixedZdt1.realVector(a);
            for (double v : x) {
                assertTrue(v >= 0 && v <= 1);
            }
            assertArrayEquals(jmetal(zdt1, x), mixed.evaluate(a), 1e-12);
        }
    }

    @Test
    void mixedZdt1HasTheDocumentedKindsAndAScrambledTableThatReachesZero() {
        List<Parameter> parameters = new MixedZdt1().space().parameters();
        assertEquals(30, parameters.size());
        assertEquals(11, parameters.stream().filter(p -> p instanceof Parameter.FloatParam).count());
        assertEquals(10, parameters.stream().filter(p -> p instanceof Parameter.IntParam).count());
        assertEquals(9, parameters.stream().filter(p -> p instanceof Parameter.Categorical).count());
        double[] sorted = MixedZdt1.LABEL_VALUES.clone();
        Arrays.sort(sorted);
        for (int k = 0; k <= 10; k++) {
            assertEquals(k / 10.0, sorted[k], 1e-15);
        }
        boolean monotone = true;
        for (int k = 1; k < MixedZdt1.LABEL_VALUES.length; k++) {
            monotone &= MixedZdt1.LABEL_VALUES[k] > MixedZdt1.LABEL_VALUES[k - 1];
        }
        assertTrue(!monotone, "the label table must not follow the label order");

        // x1 free, every other variable at its zero: a point of ZDT1's front.
        List<Object> zero = new ArrayList<>();
        for (Parameter p : parameters) {
            zero.add(p instanceof Parameter.FloatParam ? (Object) 0.0 : p instanceof Parameter.IntParam ? (Object) 0 : "e");
        }
        java.util.Map<String, Object> values = new java.util.LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            values.put(parameters.get(i).name(), i == 0 ? 0.36 : zero.get(i));
        }
        assertArrayEquals(new double[] {0.36, 1 - 0.6}, new MixedZdt1().evaluate(new Assignment(values)), 1e-12);
    }
}
