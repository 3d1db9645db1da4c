package dev.kompakt.search.pareto;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DominanceTest {

    @Test
    void paretoDominanceNeedsNoWorseEverywhereAndBetterSomewhere() {
        assertTrue(Dominance.dominates(new double[]{1, 2}, new double[]{2, 2}));
        assertTrue(Dominance.dominates(new double[]{1, 1}, new double[]{2, 2}));
        assertFalse(Dominance.dominates(new double[]{2, 2}, new double[]{1, 2}));
        assertFalse(Dominance.dominates(new double[]{1, 3}, new double[]{2, 2}), "incomparable");
        assertFalse(Dominance.dominates(new double[]{2, 2}, new double[]{1, 3}), "incomparable");
        assertFalse(Dominance.dominates(new double[]{1, 2}, new double[]{1, 2}), "equal points do not dominate each other");
        assertTrue(Dominance.dominates(new double[]{0, 0, 0}, new double[]{0, 0, 1e-9}));
    }

    @Test
    void feasibleBeatsInfeasibleWhateverTheObjectives() {
        double[] bad = {10, 10};
        double[] good = {0, 0};
        assertTrue(Dominance.constrainedDominates(bad, 0.0, good, 0.1));
        assertFalse(Dominance.constrainedDominates(good, 0.1, bad, 0.0));
        assertTrue(Dominance.constrainedDominates(bad, 0.0, good, Double.POSITIVE_INFINITY));
    }

    @Test
    void ofTwoInfeasibleTheSmallerViolationWins() {
        double[] bad = {10, 10};
        double[] good = {0, 0};
        assertTrue(Dominance.constrainedDominates(bad, 0.2, good, 0.5));
        assertFalse(Dominance.constrainedDominates(good, 0.5, bad, 0.2));
        assertFalse(Dominance.constrainedDominates(good, 0.5, bad, 0.5), "equal violations: neither dominates");
        assertFalse(Dominance.constrainedDominates(bad, 0.5, good, 0.5));
        assertTrue(Dominance.constrainedDominates(bad, 3.0, good, Double.POSITIVE_INFINITY));
        assertFalse(Dominance.constrainedDominates(good, Double.POSITIVE_INFINITY, bad, Double.POSITIVE_INFINITY));
    }

    @Test
    void twoFeasiblePointsCompareByParetoDominance() {
        assertTrue(Dominance.constrainedDominates(new double[]{1, 1}, 0, new double[]{2, 2}, 0));
        assertFalse(Dominance.constrainedDominates(new double[]{2, 2}, 0, new double[]{1, 1}, 0));
        assertFalse(Dominance.constrainedDominates(new double[]{1, 3}, 0, new double[]{3, 1}, 0));
        assertFalse(Dominance.constrainedDominates(new double[]{1, 1}, 0, new double[]{1, 1}, 0));
    }
}
