package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.IdxReader;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.data.Normalization;
import dev.kompakt.evaluator.data.PackedDataset;
import dev.kompakt.evaluator.net.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.zip.GZIPOutputStream;

import static dev.kompakt.evaluator.data.format.DataAssert.assertEmpty;
import static dev.kompakt.evaluator.data.format.DataAssert.assertFailsNaming;
import static dev.kompakt.evaluator.data.format.DataAssert.features;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class IdxFormatTest {
    @TempDir
    Path dir;

    private final IdxFormat idx = new IdxFormat();

    /** Pixel (y, x, channel k) of image i. */
    private static int pixel(int i, int y, int x, int k) {
        return (i * 37 + y * 5 + x * 3 + k * 101) & 0xff;
    }

    /** An IDX file of n images h x w (IDX3 when c == 0) or h x w x c (IDX4), channels last. */
    private static byte[] images(int n, int h, int w, int c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(c == 0 ? 0x803 : 0x804);
        out.writeInt(n);
        out.writeInt(h);
        out.writeInt(w);
        if (c != 0) {
            out.writeInt(c);
        }
        for (int i = 0; i < n; i++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    for (int k = 0; k < Math.max(1, c); k++) {
                        out.writeByte(pixel(i, y, x, k));
                    }
                }
            }
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] labels(int... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x801);
        out.writeInt(labels.length);
        for (int l : labels) {
            out.writeByte(l);
        }
        out.flush();
        return bytes.toByteArray();
    }

    private static Path write(Path dir, String name, byte[] content) throws IOException {
        Files.createDirectories(dir);
        Path p = dir.resolve(name);
        if (name.endsWith(".gz")) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
                out.write(content);
            }
        } else {
            Files.write(p, content);
        }
        return p;
    }

    private Path rgb32() throws IOException {
        Path in = dir.resolve("rgb");
        write(in, "train-images-idx3-ubyte.gz", images(6, 32, 32, 3));
        write(in, "train-labels-idx1-ubyte.gz", labels(0, 1, 2, 0, 1, 2));
        write(in, "t10k-images-idx3-ubyte", images(2, 32, 32, 3));
        write(in, "t10k-labels-idx1-ubyte", labels(4, 0));
        return in;
    }

    @Test
    void idx4ColourImagesAreStoredChannelFirst() throws IOException {
        TrainTest t = idx.read(rgb32(), ReadOptions.defaults(), dir.resolve("cache"));
        PackedDataset train = t.train();
        assertEquals(DataShape.image(3, 32, 32), train.shape());
        assertEquals(5, train.classes()); // largest label (4, in the test split) + 1
        assertEquals(6, train.size());
        assertEquals(2, t.test().size());
        assertEquals("idx/train", train.name());
        assertEquals(2, train.label(5));
        assertEquals(4, t.test().label(0));
        float[] x = features(train, 5);
        for (int k = 0; k < 3; k++) {
            for (int y = 0; y < 32; y += 7) {
                for (int xx = 0; xx < 32; xx += 5) {
                    assertEquals(pixel(5, y, xx, k), x[k * 1024 + y * 32 + xx], 0f, "channel " + k + " y " + y + " x " + xx);
                }
            }
        }
        assertEquals(pixel(1, 31, 31, 2), features(t.test(), 1)[3 * 1024 - 1], 0f);
    }

    @Test
    void twoClassGreyImagesMatchTodaysReaderBitForBit() throws IOException {
        Path in = dir.resolve("grey");
        write(in, "train-images-idx3-ubyte.gz", images(5, 3, 4, 0));
        write(in, "train-labels-idx1-ubyte.gz", labels(1, 0, 0, 1, 1));
        write(in, "t10k-images-idx3-ubyte.gz", images(3, 3, 4, 0));
        write(in, "t10k-labels-idx1-ubyte.gz", labels(0, 1, 0));
        TrainTest t = idx.read(in, ReadOptions.defaults(), dir.resolve("cache"));
        assertEquals(DataShape.image(1, 3, 4), t.train().shape());
        assertEquals(2, t.train().classes());
        SampleSet old = IdxReader.read("old", in.resolve("train-images-idx3-ubyte.gz"), in.resolve("train-labels-idx1-ubyte.gz"), 2);
        DataSet expected = Tensors.toDataSet(old);
        DataSet actual = t.train().batch(t.train().allIndices(), Normalization.none(1));
        assertArrayEquals(expected.getFeatures().data().asFloat(), actual.getFeatures().data().asFloat());
        assertArrayEquals(expected.getLabels().data().asFloat(), actual.getLabels().data().asFloat());
    }

    @Test
    void unchangedInputReusesTheCacheAndChangedInputDoesNot() throws IOException {
        Path in = rgb32();
        Path cache = dir.resolve("cache");
        TrainTest first = idx.read(in, ReadOptions.defaults(), cache);
        FileTime written = Files.getLastModifiedTime(first.train().file());
        TrainTest second = idx.read(in, ReadOptions.defaults(), cache);
        assertEquals(first.train().file(), second.train().file());
        assertEquals(written, Files.getLastModifiedTime(second.train().file()));
        TrainTest moreClasses = idx.read(in, ReadOptions.defaults().withClasses(7), cache);
        assertNotEquals(first.train().file(), moreClasses.train().file());
        assertEquals(7, moreClasses.train().classes());
        Files.setLastModifiedTime(in.resolve("t10k-labels-idx1-ubyte"), FileTime.fromMillis(written.toMillis() - 100_000));
        TrainTest changed = idx.read(in, ReadOptions.defaults(), cache);
        assertNotEquals(first.test().file(), changed.test().file());
        try (var files = Files.list(cache)) {
            assertEquals(6, files.count()); // three pairs, no temporary files left
        }
    }

    @Test
    void oneClassOnlyIsRefusedNamingTheLabels() throws IOException {
        Path in = dir.resolve("one");
        write(in, "train-images-idx3-ubyte", images(3, 2, 2, 0));
        Path labels = write(in, "train-labels-idx1-ubyte", labels(0, 0, 0));
        write(in, "t10k-images-idx3-ubyte", images(1, 2, 2, 0));
        write(in, "t10k-labels-idx1-ubyte", labels(0));
        Path cache = dir.resolve("cache");
        assertFailsNaming(labels, "one class only", () -> idx.read(in, ReadOptions.defaults(), cache));
        assertEmpty(cache);
    }

    @Test
    void labelOutsideAGivenClassCountIsRefused() throws IOException {
        Path in = rgb32();
        Path cache = dir.resolve("cache");
        assertFailsNaming(in.resolve("t10k-labels-idx1-ubyte"), "label 4 at index 0 is outside the class range [0, 3)",
                () -> idx.read(in, ReadOptions.defaults().withClasses(3), cache));
        assertEmpty(cache);
    }

    @Test
    void mismatchedTrainAndTestShapesAreRefused() throws IOException {
        Path in = rgb32();
        Path test = write(in, "t10k-images-idx3-ubyte", images(2, 32, 32, 0));
        Path cache = dir.resolve("cache");
        assertFailsNaming(test, "test images are 1x32x32 but train images are 3x32x32", () -> idx.read(in, ReadOptions.defaults(), cache));
        assertEmpty(cache);
    }

    @Test
    void missingAndTruncatedFilesAreNamed() throws IOException {
        Path in = rgb32();
        Files.delete(in.resolve("t10k-labels-idx1-ubyte"));
        assertFailsNaming(in.resolve("t10k-labels-idx1-ubyte.gz"), "IDX file not found",
                () -> idx.read(in, ReadOptions.defaults(), dir.resolve("cache")));
        write(in, "t10k-labels-idx1-ubyte", labels(4, 0));
        byte[] full = images(2, 32, 32, 3);
        Path cut = write(in, "t10k-images-idx3-ubyte", java.util.Arrays.copyOf(full, full.length - 10));
        assertFailsNaming(cut, "truncated", () -> idx.read(in, ReadOptions.defaults(), dir.resolve("cache")));
        assertEmpty(dir.resolve("cache"));
    }
}
