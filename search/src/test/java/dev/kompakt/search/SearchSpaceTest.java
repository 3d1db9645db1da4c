package dev.kompakt.search;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SearchSpaceTest {
    private static final double ALMOST_ONE = Math.nextDown(1.0);

    private static Optional<Parameter.Condition> when(String parent, Object... values) {
        return Optional.of(new Parameter.Condition(parent, List.of(values)));
    }

    @Test
    void duplicateNamesAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SearchSpace(List.of(
                new Parameter.FloatParam("x", 0, 1),
                new Parameter.IntParam("x", 0, 3))));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
    }

    @Test
    void conditionOnAnUndefinedOrLaterParameterIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new SearchSpace(List.of(
                new Parameter.FloatParam("x", 0, 1, false, 0, when("nowhere", true)))));
        IllegalArgumentException later = assertThrows(IllegalArgumentException.class, () -> new SearchSpace(List.of(
                new Parameter.FloatParam("x", 0, 1, false, 0, when("flag", true)),
                new Parameter.Categorical("flag", List.of(true, false)))));
        assertTrue(later.getMessage().contains("'flag'"), later.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SearchSpace(List.of(
                new Parameter.Categorical("self", List.of(true, false), when("self", true)))));
        // defined before: accepted
        SearchSpace ok = new SearchSpace(List.of(
                new Parameter.Categorical("flag", List.of(true, false)),
                new Parameter.FloatParam("x", 0, 1, false, 0, when("flag", true))));
        assertEquals(2, ok.size());
    }

    @Test
    void mergeReprefixesNamesAndConditions() {
        SearchSpace prune = new SearchSpace(List.of(
                new Parameter.Categorical("method", List.of("magnitude", "random")),
                new Parameter.FloatParam("amount", 0.1, 0.9, false, 0.1, when("method", "magnitude")),
                new Parameter.IntParam("steps", 1, 64, true, 1, Optional.empty())));
        SearchSpace quant = new SearchSpace(List.of(
                new Parameter.Categorical("method", List.of(true, false)),
                new Parameter.IntParam("bits", 2, 8, false, 2, when("method", true))));
        Map<String, SearchSpace> fragments = new LinkedHashMap<>();
        fragments.put("prune.", prune);
        fragments.put("quant.", quant);
        SearchSpace merged = SearchSpace.merge(fragments);

        assertEquals(List.of("prune.method", "prune.amount", "prune.steps", "quant.method", "quant.bits"),
                merged.parameters().stream().map(Parameter::name).toList());
        Parameter.FloatParam amount = assertInstanceOf(Parameter.FloatParam.class, merged.parameter("prune.amount"));
        assertEquals(new Parameter.Condition("prune.method", List.of("magnitude")), amount.activeIf().orElseThrow());
        assertEquals(0.1, amount.low());
        assertEquals(0.9, amount.high());
        assertEquals(0.1, amount.step());
        Parameter.IntParam steps = assertInstanceOf(Parameter.IntParam.class, merged.parameter("prune.steps"));
        assertTrue(steps.log());
        assertTrue(steps.activeIf().isEmpty());
        Parameter.IntParam bits = assertInstanceOf(Parameter.IntParam.class, merged.parameter("quant.bits"));
        assertEquals(new Parameter.Condition("quant.method", List.of(true)), bits.activeIf().orElseThrow());
        assertEquals(2, bits.step());
        assertEquals(List.of(true, false), ((Parameter.Categorical) merged.parameter("quant.method")).choices());

        // the conditions work on the merged names
        Assignment a = merged.fromUnit(p -> 0.0);
        assertEquals("magnitude", a.get("prune.method"));
        assertEquals(true, a.get("quant.method"));
        assertTrue(a.has("prune.amount") && a.has("quant.bits"));
        Assignment b = merged.fromUnit(p -> ALMOST_ONE);
        assertEquals("random", b.get("prune.method"));
        assertEquals(false, b.get("quant.method"));
        assertFalse(b.has("prune.amount") || b.has("quant.bits"));
        assertTrue(merged.contains(a) && merged.contains(b));
        assertThrows(IllegalArgumentException.class, () -> merged.parameter("method"));
    }

    @Test
    void intParamWithStepStaysInRangeAndHitsBothEnds() {
        Parameter.IntParam linear = new Parameter.IntParam("bits", 2, 17, false, 3, Optional.empty()); // 2,5,8,11,14,17
        Parameter.IntParam log = new Parameter.IntParam("width", 8, 250, true, 8, Optional.empty());    // 8,16,...,248
        Parameter.IntParam plainLog = new Parameter.IntParam("n", 1, 1000, true, 1, Optional.empty());
        assertEquals(2, linear.fromUnit(0.0));
        assertEquals(17, linear.fromUnit(ALMOST_ONE));
        assertEquals(17, linear.fromUnit(1.0));
        assertEquals(8, log.fromUnit(0.0));
        assertEquals(248, log.fromUnit(ALMOST_ONE));
        assertEquals(248, log.fromUnit(1.0));
        assertEquals(1, plainLog.fromUnit(0.0));
        assertEquals(1000, plainLog.fromUnit(ALMOST_ONE));
        for (Parameter.IntParam p : List.of(linear, log, plainLog)) {
            Set<Object> hit = new HashSet<>();
            int previous = Integer.MIN_VALUE;
            for (int i = 0; i <= 20_000; i++) {
                double u = i == 20_000 ? ALMOST_ONE : i / 20_000.0;
                Object v = p.fromUnit(u);
                assertInstanceOf(Integer.class, v);
                assertTrue(p.contains(v), p.name() + ": " + v + " for u=" + u);
                assertTrue((Integer) v >= previous, "fromUnit is monotone");
                previous = (Integer) v;
                hit.add(v);
            }
            int expectedValues = (p.high() - p.low()) / p.step() + 1;
            assertEquals(expectedValues, hit.size(), p.name() + " should reach every value on its grid");
        }
        // out-of-range unit coordinates are clamped
        assertEquals(2, linear.fromUnit(-0.5));
        assertEquals(248, log.fromUnit(1.5));
    }

    @Test
    void intParamUnitRoundTripAndContains() {
        for (Parameter.IntParam p : List.of(
                new Parameter.IntParam("a", -3, 9),
                new Parameter.IntParam("b", 2, 17, false, 3, Optional.empty()),
                new Parameter.IntParam("c", 8, 256, true, 8, Optional.empty()),
                new Parameter.IntParam("d", 1, 100, true, 1, Optional.empty()))) {
            for (int v = p.low(); v <= p.high(); v += p.step()) {
                double u = p.toUnit(v);
                assertTrue(u > 0 && u < 1, p.name() + ": toUnit(" + v + ") = " + u);
                assertEquals(v, p.fromUnit(u), p.name());
            }
        }
        Parameter.IntParam b = new Parameter.IntParam("b", 2, 17, false, 3, Optional.empty());
        assertTrue(b.contains(5));
        assertFalse(b.contains(6), "off the step grid");
        assertFalse(b.contains(20));
        assertFalse(b.contains(5.0), "an int parameter's value is an Integer");
        assertThrows(IllegalArgumentException.class, () -> new Parameter.IntParam("x", 0, 10, true, 1, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.IntParam("x", 5, 4));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.IntParam("x", 0, 4, false, 0, Optional.empty()));
    }

    @Test
    void floatParamEndsRoundTripAndStep() {
        Parameter.FloatParam log = new Parameter.FloatParam("lr", 1e-5, 1e-1, true, 0, Optional.empty());
        assertEquals(1e-5, (Double) log.fromUnit(0.0), 0.0);
        assertEquals(1e-1, (Double) log.fromUnit(1.0), 0.0);
        assertEquals(1e-3, (Double) log.fromUnit(0.5), 1e-15);
        for (double u = 0; u <= 1; u += 0.125) {
            Object v = log.fromUnit(u);
            assertTrue(log.contains(v), "lr " + v);
            assertEquals(u, log.toUnit(v), 1e-12);
        }
        Parameter.FloatParam stepped = new Parameter.FloatParam("s", 0.0, 1.0, false, 0.25, Optional.empty());
        assertEquals(0.5, (Double) stepped.fromUnit(0.4), 0.0);
        assertEquals(1.0, (Double) stepped.fromUnit(0.9), 0.0);
        assertEquals(0.0, (Double) stepped.fromUnit(0.1), 0.0);
        // step 0.375 on [0, 1]: 1.0 / 0.375 = 2.67 rounds to 3 steps = 1.125, past high, so it is clamped to high
        Parameter.FloatParam odd = new Parameter.FloatParam("o", 0.0, 1.0, false, 0.375, Optional.empty());
        assertEquals(1.0, (Double) odd.fromUnit(ALMOST_ONE), 0.0, "rounding past high is clamped");
        assertEquals(0.75, (Double) odd.fromUnit(0.7), 0.0);
        assertFalse(stepped.contains(1), "a float parameter's value is a Double");
        assertFalse(stepped.contains(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.FloatParam("x", 0, 1, true, 0, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.FloatParam("x", 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.FloatParam("x", 1, 2, true, 0.1, Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.FloatParam("x", Double.NaN, 2));
    }

    @Test
    void categoricalFromUnitToUnitRoundTrip() {
        Parameter.Categorical c = new Parameter.Categorical("c", List.of("prune", 4, true, 0.5, "none"));
        for (Object choice : c.choices()) {
            double u = c.toUnit(choice);
            assertTrue(u > 0 && u < 1);
            assertEquals(choice, c.fromUnit(u));
            assertTrue(c.contains(choice));
        }
        assertEquals(0.1, c.toUnit("prune"), 1e-15);
        assertEquals(0.9, c.toUnit("none"), 1e-15);
        assertEquals("prune", c.fromUnit(0.0));
        assertEquals(4, c.fromUnit(0.2));
        assertEquals("none", c.fromUnit(ALMOST_ONE));
        assertEquals("none", c.fromUnit(1.0));
        assertFalse(c.contains("4"), "choices keep their type");
        assertFalse(c.contains(false));
        assertThrows(IllegalArgumentException.class, () -> c.toUnit("absent"));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.Categorical("c", List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Parameter.Categorical("c", List.of("a", "a")));
    }

    @Test
    void containsChecksActivityAndValues() {
        SearchSpace space = new SearchSpace(List.of(
                new Parameter.Categorical("flag", List.of(true, false)),
                new Parameter.IntParam("k", 1, 4, false, 1, when("flag", true)),
                new Parameter.FloatParam("x", 0, 1)));
        assertTrue(space.contains(new Assignment(Map.of("flag", true, "k", 2, "x", 0.5))));
        assertTrue(space.contains(new Assignment(Map.of("flag", false, "x", 0.5))));
        assertFalse(space.contains(new Assignment(Map.of("flag", true, "x", 0.5))), "active parameter missing");
        assertFalse(space.contains(new Assignment(Map.of("flag", false, "k", 2, "x", 0.5))), "inactive parameter present");
        assertFalse(space.contains(new Assignment(Map.of("flag", true, "k", 9, "x", 0.5))), "value out of range");
        assertFalse(space.contains(new Assignment(Map.of("flag", false, "x", 0.5, "other", 1))), "unknown parameter");
        assertFalse(space.contains(new Assignment(Map.of("flag", "true", "k", 2, "x", 0.5))), "a string is not a boolean choice");
    }

    @Test
    void fromUnitOmitsInactiveParameters() {
        SearchSpace space = new SearchSpace(List.of(
                new Parameter.Categorical("flag", List.of(true, false)),
                new Parameter.IntParam("k", 1, 4, false, 1, when("flag", true)),
                new Parameter.Categorical("mode", List.of("a", "b", "c")),
                new Parameter.FloatParam("y", 0, 1, false, 0, when("mode", "b", "c"))));
        Assignment on = space.fromUnit(p -> p.name().equals("mode") ? 0.5 : 0.0);
        assertEquals(Map.of("flag", true, "k", 1, "mode", "b", "y", 0.0), on.values());
        Assignment off = space.fromUnit(p -> p.name().equals("flag") ? 0.75 : 0.0);
        assertEquals(Map.of("flag", false, "mode", "a"), off.values());
        assertEquals(List.of("flag", "mode"), List.copyOf(off.values().keySet()), "assignment keeps space order");
    }

    @Test
    void assignmentAccessors() {
        Assignment a = new Assignment(Map.of("d", 0.5, "i", 3, "b", true, "s", "text", "n", "2.5"));
        assertEquals(0.5, a.getDouble("d"));
        assertEquals(3, a.getInt("i"));
        assertEquals(3.0, a.getDouble("i"));
        assertTrue(a.getBoolean("b"));
        assertEquals("text", a.getString("s"));
        assertEquals(2.5, a.getDouble("n"));
        assertThrows(IllegalArgumentException.class, () -> a.get("missing"));
        assertThrows(IllegalArgumentException.class, () -> a.getDouble("s"));
        assertThrows(UnsupportedOperationException.class, () -> a.values().put("x", 1));
    }
}
