package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.TrialResult;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Nsga2SamplerTest extends SamplerContractTest {
    private static final int POPULATION = 6;

    @Override
    Sampler create(long seed) {
        return new Nsga2Sampler(seed, POPULATION);
    }

    @Test
    void firstGenerationIsRandomSampling() {
        SearchSpace space = mixedSpace();
        List<Assignment> nsga = run(create(21), space, POPULATION, SamplerContractTest::evaluate);
        List<Assignment> random = run(new RandomSampler(21), space, POPULATION, SamplerContractTest::evaluate);
        assertEquals(random, nsga);
    }

    @Test
    void noDuplicateAfterTheFirstGenerationInTheMixedSpace() {
        for (long seed = 0; seed < 3; seed++) {
            assertNoDuplicate(run(create(seed), mixedSpace(), 60, SamplerContractTest::evaluate), POPULATION);
        }
    }

    @Test
    void noDuplicateAfterTheFirstGenerationInADiscreteSpace() {
        // 10 * 10 * 8 * 3 = 2400 points: large enough that 60 distinct children are always within reach,
        // small enough that crossover and mild mutation would often recreate a parent if duplicates were not avoided.
        SearchSpace space = new SearchSpace(List.of(
                new Parameter.IntParam("a", 0, 9),
                new Parameter.IntParam("b", 0, 18, false, 2, Optional.empty()),
                new Parameter.IntParam("c", 1, 128, true, 1, Optional.empty()),
                new Parameter.Categorical("d", List.of("x", 1, false))));
        for (long seed = 0; seed < 3; seed++) {
            List<Assignment> run = run(create(seed), space, 60, a -> Map.of(
                    "f1", (double) a.getInt("a") + a.getInt("c") / 128.0,
                    "f2", (double) (9 - a.getInt("a")) + a.getInt("b") + (a.get("d").equals("x") ? 0 : 1)));
            assertNoDuplicate(run, POPULATION);
        }
    }

    @Test
    void improvesOnASimpleTwoObjectiveProblem() {
        // minimise x and (1 - x) + y: the Pareto set is y = 0, so selection should push y down
        SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParam("x", 0, 1), new Parameter.FloatParam("y", 0, 1)));
        for (long seed = 0; seed < 5; seed++) {
            List<Assignment> run = run(create(seed), space, 60,
                    a -> Map.of("f1", a.getDouble("x"), "f2", 1 - a.getDouble("x") + a.getDouble("y")));
            double firstGeneration = meanY(run.subList(0, POPULATION));
            double last20 = meanY(run.subList(40, 60));
            assertTrue(last20 < firstGeneration, "seed " + seed + ": mean y of the last 20 trials " + last20
                    + " is not below the random first generation's " + firstGeneration);
            assertTrue(last20 < 0.25, "seed " + seed + ": mean y of the last 20 trials " + last20);
        }
    }

    @Test
    void respectsConstraintsWhenSelectingParents() {
        // f1 = x, f2 = 1 - x, both indifferent to y; feasibility needs y <= 0.2: children should move into it
        SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParam("x", 0, 1), new Parameter.FloatParam("y", 0, 1)));
        Study study = new Study("constrained", space, OBJECTIVES, List.of(new Constraint("y", 0.2)), create(4));
        for (int i = 0; i < 60; i++) {
            Study.TrialRequest r = study.ask();
            double x = r.assignment().getDouble("x");
            double y = r.assignment().getDouble("y");
            study.tell(r.number(), TrialResult.complete(Map.of("f1", x, "f2", 1 - x, "y", y), "w"));
        }
        long feasibleFirst = study.trials().subList(0, 20).stream().filter(t -> t.violation(study.constraints()) == 0).count();
        long feasibleLast = study.trials().subList(40, 60).stream().filter(t -> t.violation(study.constraints()) == 0).count();
        assertTrue(feasibleLast > feasibleFirst, feasibleFirst + " feasible in the first 20, " + feasibleLast + " in the last 20");
    }

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Nsga2Sampler(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Nsga2Sampler(1, 4, 1.5, 15, 20));
        assertThrows(IllegalArgumentException.class, () -> new Nsga2Sampler(1, 4, -0.1, 15, 20));
        assertEquals(6, new Nsga2Sampler(1, 6).populationSize());
    }

    private static double meanY(List<Assignment> assignments) {
        return assignments.stream().mapToDouble(a -> a.getDouble("y")).average().orElseThrow();
    }
}
