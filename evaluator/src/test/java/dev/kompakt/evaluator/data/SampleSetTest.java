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

class SampleSetTest {

    /** 10 images of 1x2 pixels; image i has pixels (i, 100 + i), so each sample says where it came from. */
    private static SampleSet tiny() {
        byte[] labels = {0, 1, 0, 2, 1, 0, 2, 2, 1, 0};
        byte[] px = new byte[20];
        for (int i = 0; i < 10; i++) {
            px[2 * i] = (byte) i;
            px[2 * i + 1] = (byte) (100 + i);
        }
        return new SampleSet("tiny", 1, 2, 3, px, labels);
    }

    @Test
    void stratifiedTakesTheFirstSamplesOfEachClassInFileOrder() {
        SampleSet s = tiny().stratified(6);
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
        SampleSet t = tiny();
        assertSame(t, t.stratified(10));
        assertSame(t, t.stratified(1000));
    }

    @Test
    void stratifiedOnTheBundledSetMatchesAPlainScan() {
        SampleSet train = TestData.bundled().train();
        SampleSet s = train.stratified(500);
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
        SampleSet d = tiny();
        SampleSet back = SampleSet.fromBytes(d.toBytes());
        assertEquals(d.name(), back.name());
        assertEquals(d.rows(), back.rows());
        assertEquals(d.cols(), back.cols());
        assertEquals(d.classes(), back.classes());
        assertArrayEquals(d.pixels(), back.pixels());
        assertArrayEquals(d.labels(), back.labels());
        assertEquals(d.sha256(), back.sha256());

        SampleSet test = TestData.bundled().test().stratified(200);
        SampleSet test2 = SampleSet.fromBytes(test.toBytes());
        assertArrayEquals(test.pixels(), test2.pixels());
        assertArrayEquals(test.labels(), test2.labels());
        // header: UTF name (2 + length), shape (three ints and a flag), classes, count, an images flag; the raw bytes; then
        // the normalisation's mean and std per channel
        assertEquals(2 + test.name().length() + 22 + test.pixels().length + test.labels().length + 8, test.toBytes().length);
    }

    @Test
    void corruptBytesAreRejected() {
        byte[] bytes = tiny().toBytes();
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        var e = assertThrows(java.io.UncheckedIOException.class, () -> SampleSet.fromBytes(cut));
        assertEquals("corrupt sample bytes", e.getMessage());
    }

    @Test
    void sha256ChangesWithOnePixelButNotWithTheName() {
        SampleSet d = tiny();
        String h = d.sha256();
        assertEquals(64, h.length());
        assertTrue(h.matches("[0-9a-f]{64}"));
        byte[] px = d.pixels().clone();
        px[13]++;
        assertNotEquals(h, new SampleSet("tiny", 1, 2, 3, px, d.labels()).sha256());
        byte[] lb = d.labels().clone();
        lb[9] = 1;
        assertNotEquals(h, new SampleSet("tiny", 1, 2, 3, d.pixels(), lb).sha256());
        assertEquals(h, new SampleSet("other name", 1, 2, 3, d.pixels().clone(), d.labels().clone()).sha256());
        // same bytes, different shape: the header is part of the hash
        assertNotEquals(h, new SampleSet("tiny", 2, 1, 3, d.pixels(), d.labels()).sha256());
    }

    @Test
    void constructorChecksShapeAndLabels() {
        var size = assertThrows(IllegalArgumentException.class, () -> new SampleSet("d", 2, 2, 3, new byte[7], new byte[2]));
        assertEquals("samples 'd': 2 labels but 7 values (expected 8)", size.getMessage());
        var label = assertThrows(IllegalArgumentException.class, () -> new SampleSet("d", 1, 1, 3, new byte[2], new byte[] {0, 3}));
        assertEquals("samples 'd': label 3 outside [0, 3)", label.getMessage());
        var shape = assertThrows(IllegalArgumentException.class, () -> new SampleSet("d", 0, 1, 3, new byte[0], new byte[0]));
        assertTrue(shape.getMessage().contains("0"), shape.getMessage());
    }

    @Test
    void rgbImagesAndTableRowsBecomeNormalisedArraysAndRoundTrip() {
        // 2 RGB images of 1x2 pixels, CHW
        byte[] px = {0, (byte) 255, 10, 20, 30, 40, 50, 60, 70, 80, 90, (byte) 200};
        Normalization norm = new Normalization(new float[] {0.5f, 0f, 0.25f}, new float[] {0.25f, 1f, 0.5f});
        SampleSet rgb = new SampleSet("rgb", DataShape.image(3, 1, 2), 2, px, null, new byte[] {0, 1}, norm);
        org.nd4j.linalg.dataset.DataSet d = rgb.toDataSet();
        assertArrayEquals(new long[] {2, 6}, d.getFeatures().shape());
        assertEquals((0f / 255f - 0.5f) / 0.25f, d.getFeatures().getFloat(0, 0), 1e-6);
        assertEquals((255f / 255f - 0.5f) / 0.25f, d.getFeatures().getFloat(0, 1), 1e-6);
        assertEquals(20f / 255f, d.getFeatures().getFloat(0, 3), 1e-6, "channel 1: mean 0, std 1");
        assertEquals((200f / 255f - 0.25f) / 0.5f, d.getFeatures().getFloat(1, 5), 1e-6);
        SampleSet back = SampleSet.fromBytes(rgb.toBytes());
        assertEquals(rgb.shape(), back.shape());
        assertEquals(norm, back.normalization());
        assertEquals(d.getFeatures(), back.toDataSet().getFeatures());
        assertNotEquals(rgb.sha256(), rgb.withNormalization(Normalization.none(3)).sha256(), "the normalisation is part of the hash");

        SampleSet table = new SampleSet("t", DataShape.tabular(3), 2, null, new float[] {1.5f, -2f, 7f, 0f, 0f, 1f}, new byte[] {1, 0},
                new Normalization(new float[] {1f, 1f, 1f}, new float[] {2f, 2f, 2f}));
        assertEquals((7f - 1f) / 2f, table.toDataSet().getFeatures().getFloat(0, 2), 1e-6);
        SampleSet tableBack = SampleSet.fromBytes(table.toBytes());
        assertArrayEquals(table.values(), tableBack.values());
        assertEquals(table.toDataSet().getFeatures(), tableBack.toDataSet().getFeatures());
        assertEquals(1, table.select(new int[] {0}).label(0));
    }
}
