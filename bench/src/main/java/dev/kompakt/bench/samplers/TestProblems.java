package dev.kompakt.bench.samplers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** The benchmark's problems by name, in table order. */
public final class TestProblems {
    private TestProblems() {
    }

    public static Map<String, Supplier<TestProblem>> all() {
        Map<String, Supplier<TestProblem>> problems = new LinkedHashMap<>();
        for (Zdt.Kind kind : Zdt.Kind.values()) {
            problems.put(kind.name(), () -> new Zdt(kind));
        }
        problems.put("DTLZ2", Dtlz2::new);
        problems.put("ZDT1-mixed", MixedZdt1::new);
        return problems;
    }
}
