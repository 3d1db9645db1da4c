package dev.kompakt.evaluator.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PackedDatasetTest {
    @TempDir
    Path dir;

    private static byte[] image(int i, int features) {
        byte[] b = new byte[features];
        for (int k = 0; k < features; k++) {
            b[k] = (byte) (i * 31 + k * 7);
        }
        return b;
    }

    private PackedDataset writeImages(Path file, int n, DataShape shape, int classes) throws IOException {
        List<String> names = Stream.iterate(0, k -> k + 1).limit(classes).map(k -> "c" + k).toList();
        try (PackedDataset.Writer w = PackedDataset.writer(file, "imgs", shape, names, PackedDataset.SampleType.UINT8, n)) {
            for (int i = 0; i < n; i++) {
                w.add(i % classes, image(i, shape.features()));
            }
            assertEquals(n, w.written());
            return w.finish();
        }
    }

    @Test
    void uint8SamplesComeBackExactlyAsFloats() throws IOException {
        DataShape shape = DataShape.image(3, 2, 5);
        PackedDataset d = writeImages(dir.resolve("a.kpk"), 7, shape, 3);
        PackedDataset reopened = PackedDataset.open(dir.resolve("a.kpk"));
        for (PackedDataset p : List.of(d, reopened)) {
            assertEquals("imgs", p.name());
            assertEquals(shape, p.shape());
            assertEquals(3, p.classes());
            assertEquals(List.of("c0", "c1", "c2"), p.classNames());
            assertEquals(7, p.size());
            assertEquals(PackedDataset.SampleType.UINT8, p.sampleType());
            float[] out = new float[shape.features() + 2];
            for (int i = 0; i < 7; i++) {
                assertEquals(i % 3, p.label(i));
                p.features(i, out, 2);
                byte[] expected = image(i, shape.features());
                for (int k = 0; k < expected.length; k++) {
                    assertEquals(expected[k] & 0xff, out[2 + k], 0f);
                }
            }
        }
        assertThrows(IndexOutOfBoundsException.class, () -> d.label(7));
    }

    @Test
    void float32SamplesComeBackExactly() throws IOException {
        DataShape shape = DataShape.tabular(3);
        PackedDataset d;
        try (PackedDataset.Writer w = PackedDataset.writer(dir.resolve("t.kpk"), "tab", shape, List.of("x", "y"),
                PackedDataset.SampleType.FLOAT32, 2)) {
            w.add(1, new float[] {-1.5f, 3e10f, Float.MIN_VALUE});
            w.add(0, new float[] {0f, 1f / 3, -7f});
            d = w.finish();
        }
        float[] out = new float[3];
        d.features(0, out, 0);
        assertArrayEquals(new float[] {-1.5f, 3e10f, Float.MIN_VALUE}, out);
        d.features(1, out, 0);
        assertArrayEquals(new float[] {0f, 1f / 3, -7f}, out);
        assertEquals(1, d.label(0));
        assertTrue(d.shape().tabular());
    }

    @Test
    void manySmallChunksReadTheSameAsOne() throws IOException {
        DataShape shape = DataShape.image(1, 3, 3);
        Path file = dir.resolve("c.kpk");
        PackedDataset one = writeImages(file, 50, shape, 4);
        assertEquals(1, one.sampleChunks());
        PackedDataset chunked = PackedDataset.open(file, 4 * 9 + 5); // four samples per chunk
        assertEquals(13, chunked.sampleChunks());
        PackedDataset tiny = PackedDataset.open(file, 1); // smaller than one sample: one sample per chunk
        assertEquals(50, tiny.sampleChunks());
        float[] a = new float[9];
        float[] b = new float[9];
        float[] c = new float[9];
        for (int i = 0; i < 50; i++) {
            one.features(i, a, 0);
            chunked.features(i, b, 0);
            tiny.features(i, c, 0);
            assertArrayEquals(a, b);
            assertArrayEquals(a, c);
            assertEquals(one.label(i), chunked.label(i));
            assertEquals(one.label(i), tiny.label(i));
        }
    }

    @Test
    void anUnfinishedWriterLeavesNothing() throws IOException {
        Path file = dir.resolve("u.kpk");
        try (PackedDataset.Writer w = PackedDataset.writer(file, "u", DataShape.image(1, 1, 2), List.of("a", "b"),
                PackedDataset.SampleType.UINT8, 3)) {
            w.add(0, new byte[] {1, 2});
            assertThrows(IllegalArgumentException.class, () -> w.add(2, new byte[] {1, 2}));
            assertThrows(IllegalArgumentException.class, () -> w.add(1, new byte[] {1}));
            assertThrows(IllegalArgumentException.class, () -> w.add(1, new float[] {1, 2}));
            assertThrows(IllegalStateException.class, w::finish);
        }
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of(), left.toList());
        }
        assertFalse(Files.exists(file));
    }

    @Test
    void aDamagedFileIsRefusedNamingIt() throws IOException {
        Path file = dir.resolve("d.kpk");
        writeImages(file, 5, DataShape.image(1, 2, 2), 2);
        byte[] all = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(all, all.length - 1));
        DataException e = assertThrows(DataException.class, () -> PackedDataset.open(file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        Files.write(file, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
        assertTrue(assertThrows(DataException.class, () -> PackedDataset.open(file)).getMessage().contains("not a packed dataset"));
    }
}
