package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QmcSamplerTest extends SamplerContractTest {

    @Override
    Sampler create(long seed) {
        return new QmcSampler(seed);
    }

    @Test
    void fifteenTrialsFillFifteenDistinctSixteenthsOfEachAxis() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParam("a", 0, 1), new Parameter.FloatParam("b", 0, 1)));
        for (long seed = 0; seed < 3; seed++) {
            List<Assignment> run = run(create(seed), space, 15, a -> Map.of("f1", 0.0, "f2", 0.0));
            for (String axis : List.of("a", "b")) {
                Set<Integer> cells = new HashSet<>();
                run.forEach(a -> cells.add((int) Math.floor(a.getDouble(axis) * 16)));
                assertEquals(15, cells.size(), "seed " + seed + ", axis " + axis + ": a Sobol net puts one point per cell");
            }
        }
    }

    @Test
    void coversTheSquareMoreEvenlyThanRandomSampling() {
        SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParam("a", 0, 1), new Parameter.FloatParam("b", 0, 1)));
        int qmcEmpty = 0;
        int randomEmpty = 0;
        for (long seed = 0; seed < 5; seed++) {
            qmcEmpty += emptyCells(run(create(seed), space, 64, a -> Map.of("f1", 0.0, "f2", 0.0)));
            randomEmpty += emptyCells(run(new RandomSampler(seed), space, 64, a -> Map.of("f1", 0.0, "f2", 0.0)));
        }
        assertTrue(qmcEmpty < randomEmpty, "empty cells of an 8x8 grid: Sobol " + qmcEmpty + ", random " + randomEmpty);
    }

    private static int emptyCells(List<Assignment> run) {
        Set<Integer> cells = new HashSet<>();
        run.forEach(a -> cells.add((int) (a.getDouble("a") * 8) * 8 + (int) (a.getDouble("b") * 8)));
        return 64 - cells.size();
    }
}
