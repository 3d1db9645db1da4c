package dev.kompakt.strategies.pruning;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed checks of the tensor arithmetic behind channel inheritance, no network needed. */
class ChannelInheritanceTest {

    @Test
    void strongestPicksTheLargestL1ChannelsInAscendingOrder() {
        // [in = 2, out = 4]: column L1 norms 1, 5, 3, 4
        INDArray dense = Nd4j.createFromArray(new float[][] {{0.5f, -2f, 1f, 4f}, {-0.5f, 3f, -2f, 0f}});
        assertArrayEquals(new int[] {1, 3}, ChannelInheritance.strongest(dense, 1, 2));
        assertArrayEquals(new int[] {1, 2, 3}, ChannelInheritance.strongest(dense, 1, 3));
        assertArrayEquals(new int[] {1, 3}, ChannelInheritance.strongest(dense.dup('f'), 1, 2), "order does not matter");
        // rows: L1 7.5 and 5.5
        assertArrayEquals(new int[] {0}, ChannelInheritance.strongest(dense, 0, 1));
        // ties go to the lower index
        INDArray tied = Nd4j.createFromArray(new float[][] {{1f, -1f, 1f}});
        assertArrayEquals(new int[] {0, 1}, ChannelInheritance.strongest(tied, 1, 2));
        // conv [out = 3, in = 1, 1, 2]: channel norms 2, 0.2, 3
        INDArray conv = Nd4j.create(new float[] {1f, -1f, 0.1f, 0.1f, -3f, 0f}, new long[] {3, 1, 1, 2}, 'c');
        assertArrayEquals(new int[] {0, 2}, ChannelInheritance.strongest(conv, 0, 2));
    }

    @Test
    void selectTakesTheSubArrayOfRowsAndColumns() {
        INDArray w = Nd4j.createFromArray(new float[][] {{0, 1, 2, 3}, {10, 11, 12, 13}, {20, 21, 22, 23}});
        INDArray s = ChannelInheritance.select(w.dup('f'), new int[] {0, 2}, new int[] {1, 3});
        assertArrayEquals(new long[] {2, 2}, s.shape());
        assertArrayEquals(new float[] {1, 3}, s.getRow(0).toFloatVector());
        assertArrayEquals(new float[] {21, 23}, s.getRow(1).toFloatVector());
        // rank 4: trailing kernel dims travel with each (row, col) pair
        INDArray conv = Nd4j.arange(2 * 3 * 2).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT).reshape('c', 2, 3, 1, 2);
        INDArray c = ChannelInheritance.select(conv, new int[] {1}, new int[] {0, 2});
        assertArrayEquals(new long[] {1, 2, 1, 2}, c.shape());
        assertArrayEquals(new float[] {6, 7, 10, 11}, c.data().asFloat());
        assertTrue(c.ordering() == 'c');
    }
}
