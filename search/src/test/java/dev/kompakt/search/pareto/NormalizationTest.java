package dev.kompakt.search.pareto;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalizationTest {

    @Test
    void mapsIdealToZeroAndNadirToOne() {
        Normalization n = new Normalization(new double[]{-1, 10, 0}, new double[]{3, 20, 0.5});
        assertArrayEquals(new double[]{0, 0, 0}, n.apply(new double[]{-1, 10, 0}), 0.0);
        assertArrayEquals(new double[]{1, 1, 1}, n.apply(new double[]{3, 20, 0.5}), 0.0);
        assertArrayEquals(new double[]{0.25, 0.5, 0.5}, n.apply(new double[]{0, 15, 0.25}), 0.0);
        // outside the range maps outside [0, 1]: a point worse than the nadir stays worse than 1
        assertArrayEquals(new double[]{-0.25, 2, 1.5}, n.apply(new double[]{-2, 30, 0.75}), 0.0);
        assertEquals(3, n.objectives());
    }

    @Test
    void aDegenerateRangeMapsToZero() {
        Normalization n = new Normalization(new double[]{2, 0}, new double[]{2, 4});
        assertArrayEquals(new double[]{0, 0.5}, n.apply(new double[]{2, 2}), 0.0);
        assertArrayEquals(new double[]{0, 0.5}, n.apply(new double[]{7, 2}), 0.0, "any value of a constant objective maps to 0");
    }

    @Test
    void fromPointsTakesTheComponentwiseMinimumAndMaximum() {
        Normalization n = Normalization.fromPoints(List.of(new double[]{1, 8, 3}, new double[]{4, 2, 3}, new double[]{2, 5, 3}));
        assertArrayEquals(new double[]{1, 2, 3}, n.ideal(), 0.0);
        assertArrayEquals(new double[]{4, 8, 3}, n.nadir(), 0.0);
        List<double[]> mapped = n.applyAll(List.of(new double[]{1, 8, 3}, new double[]{2.5, 5, 3}));
        assertArrayEquals(new double[]{0, 1, 0}, mapped.get(0), 0.0);
        assertArrayEquals(new double[]{0.5, 0.5, 0}, mapped.get(1), 0.0);
    }

    @Test
    void normalisedHypervolumeOfTheFrontIsScaleFree() {
        // the 0.3125 example stretched to other units: normalising brings it back
        List<double[]> front = List.of(new double[]{100, 7.5}, new double[]{300, 2.5});
        Normalization n = new Normalization(new double[]{0, 0}, new double[]{400, 10});
        assertEquals(0.3125, Hypervolume.of(n.applyAll(front), new double[]{1, 1}), 0.0);
    }

    @Test
    void isImmutableAndComparesByValue() {
        double[] ideal = {0, 0};
        double[] nadir = {1, 2};
        Normalization n = new Normalization(ideal, nadir);
        ideal[0] = 5;
        n.nadir()[1] = 9;
        assertArrayEquals(new double[]{0, 0}, n.ideal(), 0.0);
        assertArrayEquals(new double[]{1, 2}, n.nadir(), 0.0);
        assertEquals(new Normalization(new double[]{0, 0}, new double[]{1, 2}), n);
        assertEquals(new Normalization(new double[]{0, 0}, new double[]{1, 2}).hashCode(), n.hashCode());
        assertNotEquals(new Normalization(new double[]{0, 0}, new double[]{1, 3}), n);
        assertTrue(n.toString().contains("[1.0, 2.0]"), n.toString());
    }

    @Test
    void rejectsBadInputWithAMessageNamingTheProblem() {
        assertMessage("ideal has 2 objectives but nadir has 1", () -> new Normalization(new double[]{0, 0}, new double[]{1}));
        assertMessage("objective 1: ideal 3.0 is worse than nadir 2.0", () -> new Normalization(new double[]{0, 3}, new double[]{1, 2}));
        assertMessage("objective 0: ideal NaN and nadir 1.0 must be finite", () -> new Normalization(new double[]{Double.NaN}, new double[]{1}));
        assertMessage("at least one objective", () -> new Normalization(new double[0], new double[0]));
        assertMessage("empty set of points", () -> Normalization.fromPoints(List.of()));
        assertMessage("point 1 has 3 objectives, point 0 has 2", () -> Normalization.fromPoints(List.of(new double[2], new double[3])));
        assertMessage("point 0 has a non-finite objective 1: Infinity",
                () -> Normalization.fromPoints(List.<double[]>of(new double[]{0, Double.POSITIVE_INFINITY})));
        Normalization n = new Normalization(new double[]{0, 0}, new double[]{1, 1});
        assertMessage("point has 3 objectives, the normalisation has 2", () -> n.apply(new double[3]));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(expected), () -> "expected '" + expected + "' in: " + e.getMessage());
    }
}
