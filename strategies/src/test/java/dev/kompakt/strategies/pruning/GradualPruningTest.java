package dev.kompakt.strategies.pruning;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradualPruningTest {
    @Test
    void followsZhuAndGuptasCubicSchedule() {
        GradualPruning agp = new GradualPruning(0.0, 0.9, 4);
        // s_t = 0.9 + (0 - 0.9) (1 - t/4)^3
        assertEquals(0.9 * (1 - 0.421875), agp.sparsityAt(1), 1e-12);
        assertEquals(0.9 * (1 - 0.125), agp.sparsityAt(2), 1e-12);
        assertEquals(0.9 * (1 - 0.015625), agp.sparsityAt(3), 1e-12);
        assertEquals(0.9, agp.sparsityAt(4), 1e-12);
        for (int t = 2; t <= 4; t++) {
            assertTrue(agp.sparsityAt(t) - agp.sparsityAt(t - 1) < agp.sparsityAt(t - 1) - (t == 2 ? 0 : agp.sparsityAt(t - 2)),
                    "prunes less at every step");
        }
    }

    @Test
    void rejectsBadSchedules() {
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0.5, 0.4, 3));
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0, 1.0, 3));
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0, 0.5, 0));
        assertThrows(IllegalArgumentException.class, () -> new GradualPruning(0, 0.5, 3).sparsityAt(4));
    }
}
