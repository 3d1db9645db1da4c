package dev.kompakt.strategies.pruning;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImportanceCriterionTest {
    // dense [in = 2, out = 3]: output channels are columns
    static final INDArray W = Nd4j.createFromArray(new float[][] {{1, -2, 0.5f}, {-3, 0, 0.5f}});
    static final INDArray G = Nd4j.createFromArray(new float[][] {{0.1f, 1, -2}, {0.1f, 5, 2}});

    @Test
    void l1AndL2ScoreColumnsOfDenseWeights() {
        assertArrayEquals(new double[] {4, 2, 1}, ImportanceCriterion.l1().scores(W, 1, null), 1e-6);
        assertArrayEquals(new double[] {Math.sqrt(10), 2, Math.sqrt(0.5)}, ImportanceCriterion.l2().scores(W, 1, null), 1e-6);
    }

    @Test
    void l1ScoresFiltersOfConvWeights() {
        INDArray conv = Nd4j.createFromArray(new float[] {1, -1, 2, 2, 0, 0, 3, -3}).reshape(2, 1, 2, 2);
        assertArrayEquals(new double[] {6, 6}, ImportanceCriterion.l1().scores(conv, 0, null), 1e-6);
    }

    @Test
    void taylorIsTheAbsoluteSumOfWeightTimesGradientPerChannel() {
        // column 0: 1*0.1 + -3*0.1 = -0.2; column 1: -2*1 + 0*5 = -2; column 2: 0.5*-2 + 0.5*2 = 0
        ImportanceCriterion taylor = ImportanceCriterion.taylor();
        assertTrue(taylor.needsGradient());
        assertArrayEquals(new double[] {0.2, 2, 0}, taylor.scores(W, 1, G), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> taylor.scores(W, 1, null));
    }

    @Test
    void randomIsDeterministicPerSeedAndNeedsNoGradient() {
        ImportanceCriterion r = ImportanceCriterion.random(5);
        assertFalse(r.needsGradient());
        assertArrayEquals(r.scores(W, 1, null), ImportanceCriterion.random(5).scores(W, 1, null));
        assertEquals(3, r.scores(W, 1, null).length);
    }

    @Test
    void namedCriteria() {
        assertArrayEquals(ImportanceCriterion.l1().scores(W, 1, null), ImportanceCriterion.named("L1", 0).scores(W, 1, null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ImportanceCriterion.named("bn", 0));
        assertTrue(e.getMessage().contains("'bn'") && e.getMessage().contains("taylor"));
    }

    @Test
    void topKeepsTheHighestScoresInIndexOrder() {
        assertArrayEquals(new int[] {0, 2}, ChannelInheritance.top(new double[] {3, 1, 2}, 2));
        assertArrayEquals(new int[] {0, 1}, ChannelInheritance.top(new double[] {1, 1, 1}, 2), "ties keep the lower index");
    }
}
