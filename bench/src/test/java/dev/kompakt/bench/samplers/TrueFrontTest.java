package dev.kompakt.bench.samplers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * True-front ideal, nadir and normalised hypervolumes against closed forms. For a front f2 = h(f1) that runs from
 * (0, 1) to (1, 0) in normalised objectives, the region of [0, r]^2 it does not dominate is the area under the
 * curve, so HV(r) = r^2 - integral of h over [0, 1].
 */
class TrueFrontTest {
    private static final double TOLERANCE = 1e-6;

    @Test
    void zdt1AndZdt4() {
        for (Zdt.Kind kind : new Zdt.Kind[] {Zdt.Kind.ZDT1, Zdt.Kind.ZDT4}) {
            TrueFront front = new Zdt(kind).trueFront();
            assertArrayEquals(new double[] {0, 0}, front.ideal(), 1e-12);
            assertArrayEquals(new double[] {1, 1}, front.nadir(), 1e-12);
            // integral of 1 - sqrt(x) over [0, 1] = 1/3
            assertEquals(1.21 - 1.0 / 3, front.hypervolume(1.1), TOLERANCE);
            assertEquals(121 - 1.0 / 3, front.hypervolume(11), TOLERANCE);
        }
        assertEquals(new Zdt(Zdt.Kind.ZDT1).trueFront().hypervolume(1.1), new MixedZdt1().trueFront().hypervolume(1.1), 0.0);
    }

    @Test
    void zdt2() {
        TrueFront front = new Zdt(Zdt.Kind.ZDT2).trueFront();
        // integral of 1 - x^2 over [0, 1] = 2/3
        assertEquals(1.21 - 2.0 / 3, front.hypervolume(1.1), TOLERANCE);
        assertEquals(121 - 2.0 / 3, front.hypervolume(11), TOLERANCE);
    }

    @Test
    void zdt6() {
        TrueFront front = new Zdt(Zdt.Kind.ZDT6).trueFront();
        double a = Zdt.ZDT6_MIN_F1;
        assertArrayEquals(new double[] {a, 0}, front.ideal(), 1e-12);
        assertArrayEquals(new double[] {1, 1 - a * a}, front.nadir(), 1e-12);
        // f1' = (f1 - a) / (1 - a), f2' = (1 - f1^2) / (1 - a^2): area = [(1 - a) - (1 - a^3) / 3] / ((1 - a)(1 - a^2))
        double area = ((1 - a) - (1 - a * a * a) / 3) / ((1 - a) * (1 - a * a));
        assertEquals(1.21 - area, front.hypervolume(1.1), TOLERANCE);
        assertEquals(121 - area, front.hypervolume(11), TOLERANCE);
    }

    @Test
    void zdt6MinimumF1IsTheMinimumOverX1() {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i <= 2_000_000; i++) {
            double x = i / 2_000_000.0;
            min = Math.min(min, Zdt.evaluate(Zdt.Kind.ZDT6, new double[] {x, 0, 0, 0, 0, 0, 0, 0, 0, 0})[0]);
        }
        assertEquals(min, Zdt.ZDT6_MIN_F1, 1e-10);
        assertTrue(Zdt.ZDT6_MIN_F1 <= min);
    }

    @Test
    void zdt3IsDisconnectedWithTheKnownExtremes() {
        TrueFront front = new Zdt(Zdt.Kind.ZDT3).trueFront();
        // ZDT3's front ends where the last piece has its minimum, dh/df1 = 0: f1 = 0.8518328654, f2 = -0.7733690123.
        assertEquals(0.0, front.ideal()[0], 1e-12);
        assertEquals(0.8518328654, front.nadir()[0], 2e-6);
        assertEquals(1.0, front.nadir()[1], 1e-12);
        assertEquals(-0.7733690123, front.ideal()[1], 1e-9);
        // A coarser sample gives the same hypervolume to within the sampling error.
        TrueFront coarse = TrueFront.ofCurve(f1 -> 1 - Math.sqrt(f1) - f1 * Math.sin(10 * Math.PI * f1), 0, 1, 250_001);
        assertEquals(front.hypervolume(1.1), coarse.hypervolume(1.1), 5e-6);
        assertEquals(front.hypervolume(11), coarse.hypervolume(11), 5e-6);
    }

    @Test
    void dtlz2IsTheCubeMinusTheBallOctant() {
        TrueFront front = new Dtlz2().trueFront();
        assertArrayEquals(new double[] {0, 0, 0}, front.ideal(), 0);
        assertArrayEquals(new double[] {1, 1, 1}, front.nadir(), 0);
        assertEquals(1.331 - Math.PI / 6, front.hypervolume(1.1), 1e-12);
        assertEquals(1331 - Math.PI / 6, front.hypervolume(11), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> front.hypervolume(0.9));
    }
}
