package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.SearchSpace;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RandomSamplerTest extends SamplerContractTest {

    @Override
    Sampler create(long seed) {
        return new RandomSampler(seed);
    }

    @Test
    void dependsOnlyOnSeedAndTrialNumberNotOnHistory() {
        SearchSpace space = mixedSpace();
        RandomSampler sampler = new RandomSampler(5);
        Assignment withoutHistory = sampler.sample(new Sampler.Context(space, OBJECTIVES, List.of(), List.of(), 17));
        List<Assignment> run = run(new RandomSampler(5), space, 18, SamplerContractTest::evaluate);
        assertEquals(withoutHistory, run.get(17));
    }

    @Test
    void coversTheCategoricalChoicesAndBothIntEnds() {
        SearchSpace space = mixedSpace();
        List<Assignment> run = run(new RandomSampler(11), space, 200, a -> Map.of("f1", 0.0, "f2", 0.0));
        for (Object choice : List.of("prune", 4, true, "distill")) {
            assertTrue(run.stream().anyMatch(a -> a.get("method").equals(choice)), "never chose " + choice);
        }
        assertTrue(run.stream().anyMatch(a -> a.getInt("bits") == 2));
        assertTrue(run.stream().anyMatch(a -> a.getInt("bits") == 16));
    }
}
