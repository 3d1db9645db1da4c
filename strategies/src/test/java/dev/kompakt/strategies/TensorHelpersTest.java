package dev.kompakt.strategies;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hand-computed checks of the tensor arithmetic behind quantization and channel inheritance, no network needed. */
class TensorHelpersTest {

    @Test
    void quantizesADenseMatrixPerColumnInBothOrders() {
        // dense layout [in = 3, out = 2]; channels are columns. 3 bits: qmax = 3.
        float[][] w = {{0.5f, -1.0f}, {0.2f, 0.3f}, {-0.1f, 0.0f}};
        // column 0: max 0.5, scale 0.5/3; 0.5 -> 3, 0.2 -> round(1.2) = 1, -0.1 -> round(-0.6) = -1
        // column 1: max 1.0, scale 1/3;   -1 -> -3, 0.3 -> round(0.9) = 1, 0 -> 0
        float s0 = 0.5f / 3;
        float s1 = 1.0f / 3;
        float[][] expected = {{3 * s0, -3 * s1}, {s0, s1}, {-s0, 0f}};
        for (char order : new char[] {'c', 'f'}) {
            INDArray a = Nd4j.createFromArray(w).dup(order);
            float[] scales = new WeightQuantizer(3).quantize(a, 1);
            assertArrayEquals(new float[] {s0, s1}, scales, "order " + order);
            float[][] q = a.toFloatMatrix();
            for (int r = 0; r < 3; r++) {
                assertArrayEquals(expected[r], q[r], 1e-7f, "order " + order + " row " + r);
            }
            assertEquals(order, a.ordering(), "quantized in place");
        }
    }

    @Test
    void quantizesAConvTensorPerOutputChannel() {
        // conv layout [out = 2, in = 1, kh = 1, kw = 3]; channels along axis 0. 2 bits: qmax = 1 -> {-s, 0, s}.
        INDArray w = Nd4j.create(new float[] {0.9f, 0.4f, -0.5f, 0.01f, -0.02f, 0.03f}, new long[] {2, 1, 1, 3}, 'c');
        float[] scales = new WeightQuantizer(2).quantize(w, 0);
        assertArrayEquals(new float[] {0.9f, 0.03f}, scales);
        // channel 0: 0.4/0.9 = 0.44 -> 0, -0.5/0.9 = -0.56 -> -1; channel 1: 0.01/0.03 -> 0, -0.02/0.03 = -0.67 -> -1
        assertArrayEquals(new float[] {0.9f, 0f, -0.9f, 0f, -0.03f, 0.03f}, w.data().asFloat(), 1e-7f);
    }

    @Test
    void allZeroChannelStaysZeroWithUnitScale() {
        INDArray w = Nd4j.createFromArray(new float[][] {{0f, 2f}, {0f, -1f}});
        float[] scales = new WeightQuantizer(8).quantize(w, 1);
        assertEquals(1f, scales[0]);
        assertEquals(2f / 127, scales[1]);
        assertArrayEquals(new float[] {0f, 0f}, w.getColumn(0).toFloatVector());
    }

    @Test
    void quantizerRejectsUnsupportedBitWidths() {
        for (int bits : new int[] {1, 17, 32}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WeightQuantizer(bits));
            assertEquals("weight bits must be in [2, 16], got " + bits, e.getMessage());
        }
        assertEquals(16, new WeightQuantizer(16).bits());
    }

    @Test
    void strideOfACOrderArray() {
        long[] shape = {4, 3, 5, 5};
        assertEquals(75, ChannelQuantization.stride(shape, 0));
        assertEquals(25, ChannelQuantization.stride(shape, 1));
        assertEquals(1, ChannelQuantization.stride(shape, 3));
    }

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
