package dev.kompakt.evaluator.net;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random flips and shifts of flat image batches ({@link ImageAugmentation}). */
class ImageAugmentationTest {
    /** n samples of 2 channels x 5 rows x 6 columns; channel 1 is channel 0 plus 100; value = sample*1000 + row*10 + col. */
    static INDArray batch(int n) {
        float[] v = new float[n * 2 * 30];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 5; y++) {
                    for (int x = 0; x < 6; x++) {
                        v[s * 60 + c * 30 + y * 6 + x] = s * 1000 + c * 100 + y * 10 + x;
                    }
                }
            }
        }
        return Nd4j.createFromArray(v).reshape(n, 60);
    }

    @Test
    void nothingAskedChangesNothing() {
        INDArray x = batch(4);
        assertEquals(x, new ImageAugmentation(2, 5, 6, false, 0, 1).apply(x));
    }

    @Test
    void flipsMirrorRowsOfEveryChannelOfAboutHalfTheSamples() {
        INDArray x = batch(64);
        INDArray out = new ImageAugmentation(2, 5, 6, true, 0, 3).apply(x);
        int mirrored = 0;
        for (int s = 0; s < 64; s++) {
            float[] got = out.getRow(s).toFloatVector();
            boolean flipped = got[0] == s * 1000 + 5;
            mirrored += flipped ? 1 : 0;
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 5; y++) {
                    for (int col = 0; col < 6; col++) {
                        int from = flipped ? 5 - col : col;
                        assertEquals(s * 1000 + c * 100 + y * 10 + from, got[c * 30 + y * 6 + col], "sample " + s);
                    }
                }
            }
        }
        assertTrue(mirrored > 16 && mirrored < 48, mirrored + " of 64 mirrored");
    }

    @Test
    void shiftsMoveTheImageByAtMostShiftPixelsRepeatingTheEdges() {
        INDArray x = batch(200);
        INDArray out = new ImageAugmentation(2, 5, 6, false, 2, 4).apply(x);
        java.util.Set<String> offsets = new java.util.HashSet<>();
        for (int s = 0; s < 200; s++) {
            float[] got = out.getRow(s).toFloatVector();
            // the centre pixel (row 2, col 3) came from (2 - dy, 3 - dx)
            int dy = 2 - (int) ((got[2 * 6 + 3] - s * 1000) / 10);
            int dx = 3 - (int) ((got[2 * 6 + 3] - s * 1000) % 10);
            assertTrue(Math.abs(dy) <= 2 && Math.abs(dx) <= 2, "offset " + dy + "," + dx);
            offsets.add(dy + "," + dx);
            for (int c = 0; c < 2; c++) {
                for (int y = 0; y < 5; y++) {
                    for (int col = 0; col < 6; col++) {
                        int sy = Math.min(4, Math.max(0, y - dy));
                        int sx = Math.min(5, Math.max(0, col - dx));
                        assertEquals(s * 1000 + c * 100 + sy * 10 + sx, got[c * 30 + y * 6 + col], "sample " + s + " channel " + c);
                    }
                }
            }
        }
        assertEquals(25, offsets.size(), "every offset in [-2, 2] x [-2, 2] drawn: " + offsets);
    }

    @Test
    void deterministicForASeedAndKeepsTheType() {
        INDArray x = batch(16).castTo(DataType.DOUBLE);
        INDArray a = new ImageAugmentation(2, 5, 6, true, 1, 9).apply(x);
        INDArray b = new ImageAugmentation(2, 5, 6, true, 1, 9).apply(x);
        assertEquals(a, b);
        assertEquals(DataType.DOUBLE, a.dataType());
        assertArrayEquals(x.shape(), a.shape());
    }

    @Test
    void refusesShapesItCannotTake() {
        assertThrows(IllegalArgumentException.class, () -> new ImageAugmentation(1, 4, 4, false, 2, 1), "shift of half the image");
        assertThrows(IllegalArgumentException.class, () -> new ImageAugmentation(1, 4, 4, false, -1, 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ImageAugmentation(1, 5, 6, true, 0, 1).apply(batch(2)));
        assertTrue(e.getMessage().contains("[n, 30]"), e.getMessage());
    }
}
