package dev.kompakt.strategies.quantization;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Hand-computed checks of the tensor arithmetic behind quantization, no network needed (channel inheritance's: {@code ChannelInheritanceTest}). */
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
}
