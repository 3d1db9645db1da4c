package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.sampler.RandomSampler;
import org.junit.jupiter.api.Test;
import org.uma.jmetal.problem.multiobjective.zdt.ZDT4;
import org.uma.jmetal.solution.doublesolution.DoubleSolution;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OptimizersTest {

    private static boolean same(List<double[]> a, List<double[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void jmetalRunsSpendExactlyTheBudgetAndAreReproducible() {
        TestProblem problem = new Zdt(Zdt.Kind.ZDT1);
        for (int population : new int[] {20, 100}) {
            JMetalNsga2 nsga2 = new JMetalNsga2(population);
            Optimizer.Run a = nsga2.run(problem, 200, 3);
            Optimizer.Run b = nsga2.run(problem, 200, 3);
            Optimizer.Run c = nsga2.run(problem, 200, 4);
            assertEquals(200, a.evaluated().size());
            assertTrue(same(a.evaluated(), b.evaluated()), "same seed, same run");
            assertFalse(same(a.evaluated(), c.evaluated()), "another seed, another run");
        }
        assertEquals(150, new JMetalNsga2(20).run(problem, 150, 1).evaluated().size());
    }

    @Test
    void kompaktRunsSpendExactlyTheBudgetAndAreReproducible() {
        KompaktOptimizer random = new KompaktOptimizer(RandomSampler::new, "random");
        TestProblem problem = new MixedZdt1();
        Optimizer.Run a = random.run(problem, 50, 3);
        assertEquals(50, a.evaluated().size());
        assertTrue(same(a.evaluated(), random.run(problem, 50, 3).evaluated()));
    }

    @Test
    void adapterGivesJMetalTheNativeBoxAndDecodesIntegersAndLabelsByBucket() {
        JMetalProblemAdapter zdt4 = new JMetalProblemAdapter(new Zdt(Zdt.Kind.ZDT4));
        ZDT4 theirs = new ZDT4();
        assertEquals(theirs.variableBounds().size(), zdt4.variableBounds().size());
        for (int i = 0; i < 10; i++) {
            assertEquals(theirs.variableBounds().get(i).getLowerBound(), zdt4.variableBounds().get(i).getLowerBound());
            assertEquals(theirs.variableBounds().get(i).getUpperBound(), zdt4.variableBounds().get(i).getUpperBound());
        }
        DoubleSolution s = zdt4.createSolution();
        DoubleSolution t = theirs.createSolution();
        for (int i = 0; i < 10; i++) {
            t.variables().set(i, s.variables().get(i));
        }
        zdt4.evaluate(s);
        theirs.evaluate(t);
        assertArrayEquals(t.objectives(), s.objectives(), 1e-12);

        JMetalProblemAdapter mixed = new JMetalProblemAdapter(new MixedZdt1());
        Double[] x = new Double[30];
        Arrays.fill(x, 0.0);
        x[0] = 0.5;
        x[11] = 0.999;  // x12: integer bucket 10 of 0..10
        x[12] = 0.5;    // x13: bucket 5
        x[21] = 0.05;   // x22: label "a" (bucket 0 of 11)
        x[22] = 0.4;    // x23: label "e" (bucket 4 = floor(0.4 * 11))
        Assignment a = mixed.decode(Arrays.asList(x));
        assertEquals(0.5, a.getDouble("x1"));
        assertEquals(10, a.getInt("x12"));
        assertEquals(5, a.getInt("x13"));
        assertEquals("a", a.getString("x22"));
        assertEquals("e", a.getString("x23"));
    }

    @Test
    void benchmarkEndToEndRendersTheTablesAndTheCheck() throws Exception {
        Map<String, Supplier<TestProblem>> problems = TestProblems.all();
        Map<String, Optimizer> samplers = SamplerRegistry.all();
        SamplerBenchmark.Options options = SamplerBenchmark.Options.parse(new String[] {"--problems", "dtlz2,zdt1-mixed",
                "--samplers", "random,nsga2,jmetal-nsga2-20", "--budgets", "40", "--seeds", "2", "--candidate", "nsga2"}, problems, samplers);
        String report = SamplerBenchmark.run(options, problems, samplers);
        assertTrue(report.contains("| DTLZ2 | nsga2 |"), report);
        assertTrue(report.contains("| ZDT1-mixed | jmetal-nsga2-20 |"), report);
        assertTrue(report.contains("## Done-when check: nsga2"), report);
        assertTrue(report.contains("| 40 | DTLZ2 | 1.1 |"), report);
    }
}
