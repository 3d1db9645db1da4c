package dev.kompakt.strategies;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.sampler.RandomSampler;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Helpers shared by the tests of the strategies' ranges, plans and spaces. */
public final class PlanTesting {
    private PlanTesting() {
    }

    /** A map of alternating names and values, in order. */
    public static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** An assignment of alternating names and values, in order. */
    public static Assignment assignment(Object... kv) {
        return new Assignment(map(kv));
    }

    /** The names of the space's parameters, in order. */
    public static List<String> names(SearchSpace s) {
        return s.parameters().stream().map(Parameter::name).toList();
    }

    /** A random-sampling study over {@code space}. */
    public static Study study(String name, SearchSpace space, long seed) {
        return new Study(name, space, List.of(Objective.maximize("accuracy")), List.of(), new RandomSampler(seed));
    }

    /** Asserts that {@code e} throws an IllegalArgumentException with exactly {@code message}. */
    public static void assertRejects(String message, Executable e) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        assertEquals(message, ex.getMessage());
    }
}
