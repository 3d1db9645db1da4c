package dev.kompakt.evaluator.data;

import dev.kompakt.evaluator.TestData;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageDatasetTest {

    /** 10 images of 1x2 pixels; image i has pixels (i, 100 + i), so each sample says where it came from. */
    private static ImageDataset tiny() {
        byte[] labels = {0, 1, 0, 2, 1, 0, 2, 2, 1, 0};
        byte[] px = new byte[20];
        for (int i = 0; i < 10; i++) {
            px[2 * i] = (byte) i;
            px[2 * i + 1] = (byte) (100 + i);
        }
        return new ImageDataset("tiny", 1, 2, 3, px, labels);
    }

    @Test
    void stratifiedTakesTheFirstSamplesOfEachClassInFileOrder() {
        ImageDataset s = tiny().stratified(6);
        // 6 / 3 classes = 2 per class; scanning in order takes indices 0(0) 1(1) 2(0) 3(2) 4(1) 6(2); 5 is a third 0
        assertEquals(6, s.size());
        assertArrayEquals(new byte[] {0, 1, 0, 2, 1, 2}, s.labels());
        assertArrayEquals(new byte[] {0, 100, 1, 101, 2, 102, 3, 103, 4, 104, 6, 106}, s.pixels());
        assertEquals("tiny", s.name());
        assertEquals(3, s.classes());

        // 7 is not a multiple of 3: still 2 per class
        assertEquals(6, tiny().stratified(7).size());
        // 3 -> one per class: indices 0, 1, 3
        assertArrayEquals(new byte[] {0, 100, 1, 101, 3, 103}, tiny().stratified(3).pixels());
        // fewer than the class count still takes one per class
        assertArrayEquals(new byte[] {0, 1, 2}, tiny().stratified(2).labels());
        // asking for everything returns the dataset itself
        ImageDataset t = tiny();
        assertSame(t, t.stratified(10));
        assertSame(t, t.stratified(1000));
    }

    @Test
    void stratifiedOnTheBundledSetMatchesAPlainScan() {
        ImageDataset train = TestData.bundled().train();
        ImageDataset s = train.stratified(500);
        assertEquals(500, s.size());
        int[] counts = new int[10];
        for (byte l : s.labels()) {
            counts[l]++;
        }
        assertArrayEquals(new int[] {50, 50, 50, 50, 50, 50, 50, 50, 50, 50}, counts);
        // independently: the first 50 indices of each class, in file order
        List<Integer> expected = new ArrayList<>();
        int[] seen = new int[10];
        for (int i = 0; i < train.size(); i++) {
            if (seen[train.label(i)]++ < 50) {
                expected.add(i);
            }
        }
        assertEquals(500, expected.size());
        int f = train.features();
        for (int k = 0; k < 500; k++) {
            int i = expected.get(k);
            assertEquals(train.label(i), s.label(k));
            for (int p = 0; p < f; p += 97) {
                assertEquals(train.pixels()[i * f + p], s.pixels()[k * f + p]);
            }
        }
    }

    @Test
    void bytesRoundTrip() {
        ImageDataset d = tiny();
        ImageDataset back = ImageDataset.fromBytes(d.toBytes());
        assertEquals(d.name(), back.name());
        assertEquals(d.rows(), back.rows());
        assertEquals(d.cols(), back.cols());
        assertEquals(d.classes(), back.classes());
        assertArrayEquals(d.pixels(), back.pixels());
        assertArrayEquals(d.labels(), back.labels());
        assertEquals(d.sha256(), back.sha256());

        ImageDataset test = TestData.bundled().test().stratified(200);
        ImageDataset test2 = ImageDataset.fromBytes(test.toBytes());
        assertArrayEquals(test.pixels(), test2.pixels());
        assertArrayEquals(test.labels(), test2.labels());
        // header: UTF name (2 + length), four ints, then the raw bytes
        assertEquals(2 + test.name().length() + 16 + test.pixels().length + test.labels().length, test.toBytes().length);
    }

    @Test
    void corruptBytesAreRejected() {
        byte[] bytes = tiny().toBytes();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        var e = assertThrows(java.io.UncheckedIOException.class, () -> ImageDataset.fromBytes(cut));
        assertEquals("corrupt dataset bytes", e.getMessage());
    }

    @Test
    void sha256ChangesWithOnePixelButNotWithTheName() {
        ImageDataset d = tiny();
        String h = d.sha256();
        assertEquals(64, h.length());
        assertTrue(h.matches("[0-9a-f]{64}"));
        byte[] px = d.pixels().clone();
        px[13]++;
        assertNotEquals(h, new ImageDataset("tiny", 1, 2, 3, px, d.labels()).sha256());
        byte[] lb = d.labels().clone();
        lb[9] = 1;
        assertNotEquals(h, new ImageDataset("tiny", 1, 2, 3, d.pixels(), lb).sha256());
        assertEquals(h, new ImageDataset("other name", 1, 2, 3, d.pixels().clone(), d.labels().clone()).sha256());
        // same bytes, different shape: the header is part of the hash
        assertNotEquals(h, new ImageDataset("tiny", 2, 1, 3, d.pixels(), d.labels()).sha256());
    }

    @Test
    void constructorChecksShapeAndLabels() {
        var size = assertThrows(IllegalArgumentException.class, () -> new ImageDataset("d", 2, 2, 3, new byte[7], new byte[2]));
        assertEquals("dataset 'd': 2 labels but 7 pixel bytes (expected 8)", size.getMessage());
        var label = assertThrows(IllegalArgumentException.class, () -> new ImageDataset("d", 1, 1, 3, new byte[2], new byte[] {0, 3}));
        assertEquals("dataset 'd': label 3 outside [0, 3)", label.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> new ImageDataset("d", 0, 1, 3, new byte[0], new byte[0]));
        assertEquals("dataset 'd': image size must be positive, got 0x1", shape.getMessage());
    }
}
