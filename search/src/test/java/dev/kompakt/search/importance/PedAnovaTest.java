package dev.kompakt.search.importance;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PedAnovaTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    /** {@code n} trials with x, y uniform in [0, 1], a log-uniform lr in [1e-4, 1], and a categorical c of three values. */
    private static List<Trial> trials(int n, long seed, ToDoubleFunction<Map<String, Object>> f) {
        Random rnd = new Random(seed);
        String[] cs = {"a", "b", "c"};
        List<Trial> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("x", rnd.nextDouble());
            p.put("y", rnd.nextDouble());
            p.put("lr", Math.pow(10, -4 * rnd.nextDouble()));
            p.put("c", cs[rnd.nextInt(3)]);
            double noise = rnd.nextGaussian();
            p.put("_noise", noise);
            double v = f.applyAsDouble(p);
            p.remove("_noise");
            out.add(new Trial(i, TrialState.COMPLETE, new Assignment(p), Map.of("loss", v, "score", -v), null, "w", T0, T0));
        }
        return out;
    }

    private static Map<String, PedAnova.Importance> byName(List<PedAnova.Importance> list) {
        Map<String, PedAnova.Importance> m = new LinkedHashMap<>();
        list.forEach(i -> m.put(i.parameter(), i));
        return m;
    }

    @Test
    void theParameterThatDecidesTheObjectiveIsTheImportantOne() {
        List<Trial> trials = trials(500, 1, p -> (double) p.get("x") + 0.02 * (double) p.get("_noise"));
        List<PedAnova.Importance> imp = PedAnova.evaluate(trials, Objective.minimize("loss"));
        assertEquals("x", imp.get(0).parameter(), imp.toString());
        Map<String, PedAnova.Importance> m = byName(imp);
        assertTrue(m.get("x").share() > 0.9, imp.toString());
        for (String irrelevant : List.of("y", "lr", "c")) {
            assertTrue(m.get(irrelevant).divergence() < m.get("x").divergence() / 20, irrelevant + ": " + imp);
        }
        double shares = imp.stream().mapToDouble(PedAnova.Importance::share).sum();
        assertEquals(1.0, shares, 1e-9);
        // the top 10% of x are below ~0.1: the divergence of a uniform vs a tenth of its range is about 9 (1/0.1 - 1)
        assertTrue(m.get("x").divergence() > 5 && m.get("x").divergence() < 12, imp.toString());
    }

    @Test
    void directionDecidesWhichTrialsAreTheTop() {
        List<Trial> trials = trials(400, 2, p -> (double) p.get("y") + 0.05 * (double) p.get("_noise"));
        Map<String, PedAnova.Importance> min = byName(PedAnova.evaluate(trials, Objective.minimize("loss")));
        Map<String, PedAnova.Importance> max = byName(PedAnova.evaluate(trials, Objective.maximize("score")));
        for (String p : List.of("x", "y", "lr", "c")) {
            assertEquals(min.get(p).divergence(), max.get(p).divergence(), 1e-9, p);
        }
        assertTrue(min.get("y").share() > 0.8, min.toString());
    }

    @Test
    void categoricalAndLogScaledParameters() {
        List<Trial> trials = trials(600, 3, p -> ("b".equals(p.get("c")) ? 0 : 1) + Math.abs(Math.log10((double) p.get("lr")) + 2) * 0.3
                + 0.01 * (double) p.get("_noise"));
        List<PedAnova.Importance> imp = PedAnova.evaluate(trials, Objective.minimize("loss"));
        Map<String, PedAnova.Importance> m = byName(imp);
        // every top-10% trial has c = b: the divergence of a point mass from a third is (1/3)(3 - 1)^2 + (2/3)(0 - 1)^2 = 2
        assertEquals("c", imp.get(0).parameter(), imp.toString());
        assertEquals(2.0, m.get("c").divergence(), 0.15, imp.toString());
        // lr near 1e-2 is best: visible on its log grid, and ahead of x and y, which do nothing
        assertTrue(m.get("lr").divergence() > 5 * Math.max(m.get("x").divergence(), m.get("y").divergence()), imp.toString());
    }

    @Test
    void tooFewTrialsOrOnlyFailuresGiveNothing() {
        List<Trial> few = trials(PedAnova.MIN_TRIALS - 1, 4, p -> (double) p.get("x"));
        assertTrue(PedAnova.evaluate(few, Objective.minimize("loss")).isEmpty());
        List<Trial> failed = new ArrayList<>();
        for (Trial t : trials(100, 5, p -> (double) p.get("x"))) {
            failed.add(new Trial(t.number(), TrialState.FAILED, t.assignment(), Map.of(), "boom", "w", T0, T0));
        }
        assertTrue(PedAnova.evaluate(failed, Objective.minimize("loss")).isEmpty());
        assertTrue(PedAnova.evaluate(trials(100, 6, p -> 1.0), Objective.minimize("other")).isEmpty(), "no trial reports the metric");
    }

    @Test
    void aParameterWithOneValueIsLeftOut() {
        List<Trial> trials = new ArrayList<>();
        Random rnd = new Random(7);
        for (int i = 0; i < 100; i++) {
            double x = rnd.nextDouble();
            trials.add(new Trial(i, TrialState.COMPLETE, new Assignment(Map.of("x", x, "fixed", 8)), Map.of("loss", x), null, "w", T0, T0));
        }
        Map<String, PedAnova.Importance> m = byName(PedAnova.evaluate(trials, Objective.minimize("loss")));
        assertTrue(!m.containsKey("fixed"), "a parameter with one value is left out: " + m);
        assertEquals(1.0, m.get("x").share(), 1e-9);
    }
}
