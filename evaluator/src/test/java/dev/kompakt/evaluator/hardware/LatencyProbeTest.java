package dev.kompakt.evaluator.hardware;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LatencyProbeTest {

    @Test
    void percentileInterpolatesLinearlyBetweenRanks() {
        long[] five = {10, 20, 30, 40, 50};
        assertEquals(10.0, LatencyProbe.percentile(five, 0.0));
        assertEquals(30.0, LatencyProbe.percentile(five, 0.5));
        // position 0.95 * 4 = 3.8: 40 + 0.8 * (50 - 40)
        assertEquals(48.0, LatencyProbe.percentile(five, 0.95), 1e-9);
        assertEquals(50.0, LatencyProbe.percentile(five, 1.0));
        // position 0.25 * 4 = 1: exactly the second value
        assertEquals(20.0, LatencyProbe.percentile(five, 0.25));

        long[] four = {1, 2, 3, 4};
        // position 0.5 * 3 = 1.5: halfway between 2 and 3
        assertEquals(2.5, LatencyProbe.percentile(four, 0.5));
        // position 0.95 * 3 = 2.85: 3 + 0.85
        assertEquals(3.85, LatencyProbe.percentile(four, 0.95), 1e-9);

        assertEquals(7.0, LatencyProbe.percentile(new long[] {7}, 0.5));
        assertEquals(7.0, LatencyProbe.percentile(new long[] {7}, 0.95));
        long[] twenty = new long[20];
        for (int i = 0; i < 20; i++) {
            twenty[i] = 100 * (i + 1);
        }
        // p50: position 9.5 -> 1000 + 0.5 * 100; p95: position 18.05 -> 1900 + 0.05 * 100
        assertEquals(1050.0, LatencyProbe.percentile(twenty, 0.5), 1e-9);
        assertEquals(1905.0, LatencyProbe.percentile(twenty, 0.95), 1e-9);
    }

    @Test
    void constructorValidates() {
        var e = assertThrows(IllegalArgumentException.class, () -> new LatencyProbe(-1, 5));
        assertEquals("latency probe needs warmup >= 0 and repeats >= 1, got -1, 5", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new LatencyProbe(0, 0));
    }

    @Test
    void namesTheHostCpu() {
        assertTrue(!LatencyProbe.hostCpu().isBlank());
    }
}
