package dev.kompakt.evaluator.data;

import dev.kompakt.evaluator.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {
    @TempDir
    Path dir;

    private static byte[] images(int magic, int n, int rows, int cols, byte[] pixels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(n);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(pixels);
        out.flush();
        return bytes.toByteArray();
    }

    private static byte[] labels(int magic, byte... labels) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(labels.length);
        out.write(labels);
        out.flush();
        return bytes.toByteArray();
    }

    private Path write(String name, byte[] content) throws IOException {
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

    private static byte[] pixels(int n) {
        byte[] px = new byte[n];
        for (int i = 0; i < n; i++) {
            px[i] = (byte) (i * 7);
        }
        return px;
    }

    private static void assertMessage(IOException e, Path file, String problem) {
        assertTrue(e.getMessage().contains(file.toString()), "message names " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message says '" + problem + "': " + e.getMessage());
    }

    @Test
    void readsAHandWrittenFileExactly() throws IOException {
        Path img = write("img.gz", images(2051, 3, 2, 2, pixels(12)));
        Path lab = write("lab.gz", labels(2049, (byte) 2, (byte) 0, (byte) 9));
        SampleSet d = IdxReader.read("tiny", img, lab, 10);
        assertEquals("tiny", d.name());
        assertEquals(3, d.size());
        assertEquals(2, d.rows());
        assertEquals(2, d.cols());
        assertEquals(10, d.classes());
        assertArrayEquals(pixels(12), d.pixels());
        assertArrayEquals(new byte[] {2, 0, 9}, d.labels());
    }

    @Test
    void missingFileIsNamed() throws IOException {
        Path lab = write("lab", labels(2049, (byte) 0));
        Path missing = dir.resolve("no-such-images-idx3-ubyte.gz");
        IOException e = assertThrows(IOException.class, () -> IdxReader.read("x", missing, lab, 10));
        assertMessage(e, missing, "IDX file not found");
        Path missingLabels = dir.resolve("no-such-labels.gz");
        Path img = write("img", images(2051, 1, 1, 1, pixels(1)));
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", img, missingLabels, 10)), missingLabels, "IDX file not found");
    }

    @Test
    void truncatedGzipFileIsReportedAsTruncated() throws IOException {
        byte[] real = Files.readAllBytes(TestData.BUNDLED.resolve("t10k-images-idx3-ubyte.gz"));
        Path half = dir.resolve("t10k-images-idx3-ubyte.gz");
        Files.write(half, Arrays.copyOf(real, real.length / 2));
        Path lab = TestData.BUNDLED.resolve("t10k-labels-idx1-ubyte.gz");
        IOException e = assertThrows(IOException.class, () -> IdxReader.read("cut", half, lab, 10));
        assertMessage(e, half, "truncated; header promises");
        assertTrue(e.getMessage().contains("images of 28x28"), e.getMessage());
    }

    @Test
    void truncatedHeaderAndPlainTruncationAreReported() throws IOException {
        Path lab = write("lab", labels(2049, (byte) 0, (byte) 1));
        Path stub = write("stub-images", new byte[] {0, 0, 8});
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", stub, lab, 10)), stub, "truncated IDX header");
        byte[] full = images(2051, 2, 2, 2, pixels(8));
        Path cut = write("cut-images", Arrays.copyOf(full, full.length - 3));
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", cut, lab, 10)), cut, "truncated; header promises 2 images of 2x2");
    }

    @Test
    void notGzipDespiteTheName() throws IOException {
        Path img = dir.resolve("images.gz");
        Files.write(img, images(2051, 1, 1, 1, pixels(1)));
        Path lab = write("lab", labels(2049, (byte) 0));
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", img, lab, 10)), img, "not a gzip file");
    }

    @Test
    void wrongMagicNumberIsNamed() throws IOException {
        Path lab = write("lab", labels(2049, (byte) 0));
        Path img = write("img", images(2049, 1, 1, 1, pixels(1)));
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", img, lab, 10)), img,
                "wrong magic number 2049 for IDX images (expected 2051)");
        Path goodImg = write("good-img", images(2051, 1, 1, 1, pixels(1)));
        Path badLab = write("bad-lab.gz", labels(2051, (byte) 0));
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", goodImg, badLab, 10)), badLab,
                "wrong magic number 2051 for IDX labels (expected 2049)");
    }

    @Test
    void imageAndLabelCountsMustMatch() throws IOException {
        Path img = write("img.gz", images(2051, 3, 2, 2, pixels(12)));
        Path lab = write("lab.gz", labels(2049, (byte) 0, (byte) 1));
        IOException e = assertThrows(IOException.class, () -> IdxReader.read("x", img, lab, 10));
        assertMessage(e, lab, "holds 2 labels but");
        assertMessage(e, img, "holds 3 images");
    }

    @Test
    void labelAtOrAboveClassCountIsRejected() throws IOException {
        Path img = write("img", images(2051, 3, 1, 1, pixels(3)));
        Path lab = write("lab", labels(2049, (byte) 0, (byte) 10, (byte) 1));
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", img, lab, 10)), lab,
                "label 10 at index 1 is not below 10");
        // unsigned: byte 200 is label 200, not -56
        Path lab200 = write("lab200", labels(2049, (byte) 0, (byte) 200, (byte) 1));
        assertMessage(assertThrows(IOException.class, () -> IdxReader.read("x", img, lab200, 10)), lab200,
                "label 200 at index 1 is not below 10");
    }

    @Test
    void plainFileReadsTheSameAsTheGzipOne() throws IOException {
        Path gzImages = TestData.BUNDLED.resolve("t10k-images-idx3-ubyte.gz");
        Path gzLabels = TestData.BUNDLED.resolve("t10k-labels-idx1-ubyte.gz");
        Path plainImages = gunzip(gzImages, dir.resolve("t10k-images-idx3-ubyte"));
        Path plainLabels = gunzip(gzLabels, dir.resolve("t10k-labels-idx1-ubyte"));
        SampleSet gz = IdxReader.read("t", gzImages, gzLabels, 10);
        SampleSet plain = IdxReader.read("t", plainImages, plainLabels, 10);
        assertEquals(gz.rows(), plain.rows());
        assertEquals(gz.cols(), plain.cols());
        assertEquals(28, plain.rows());
        assertTrue(plain.size() > 0);
        assertArrayEquals(gz.pixels(), plain.pixels());
        assertArrayEquals(gz.labels(), plain.labels());
        assertEquals(gz.sha256(), plain.sha256());
    }

    private static Path gunzip(Path gz, Path to) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, to);
        }
        return to;
    }
}
