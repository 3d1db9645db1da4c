package dev.kompakt.evaluator.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reads MNIST-format IDX files, gzip-compressed (".gz") or plain: images (magic 2051, unsigned bytes
 * n x rows x cols) and labels (magic 2049, n unsigned bytes). Every error names the file and the problem.
 */
public final class IdxReader {
    static final int IMAGES_MAGIC = 2051;
    static final int LABELS_MAGIC = 2049;

    private IdxReader() {
    }

    public static SampleSet read(String name, Path images, Path labels, int classes) throws IOException {
        int rows;
        int cols;
        byte[] pixels;
        try (DataInputStream in = open(images)) {
            int n = header(in, images, IMAGES_MAGIC, "images");
            rows = in.readInt();
            cols = in.readInt();
            if (rows <= 0 || cols <= 0) {
                throw new IOException(images + ": bad image size " + rows + "x" + cols);
            }
            pixels = new byte[Math.multiplyExact(n, rows * cols)];
            readFully(in, pixels, images, n + " images of " + rows + "x" + cols);
        }
        byte[] lab;
        try (DataInputStream in = open(labels)) {
            int n = header(in, labels, LABELS_MAGIC, "labels");
            lab = new byte[n];
            readFully(in, lab, labels, n + " labels");
        }
        if ((long) lab.length * rows * cols != pixels.length) {
            throw new IOException(labels + ": holds " + lab.length + " labels but " + images + " holds "
                    + pixels.length / (rows * cols) + " images");
        }
        for (int i = 0; i < lab.length; i++) {
            if ((lab[i] & 0xff) >= classes) {
                throw new IOException(labels + ": label " + (lab[i] & 0xff) + " at index " + i + " is not below " + classes);
            }
        }
        return new SampleSet(name, rows, cols, classes, pixels, lab);
    }

    private static DataInputStream open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "IDX file not found");
        }
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        try {
            if (file.getFileName().toString().endsWith(".gz")) {
                raw = new GZIPInputStream(raw, 1 << 16);
            }
        } catch (IOException e) {
            raw.close();
            throw new IOException(file + ": not a gzip file (" + e.getMessage() + ")", e);
        }
        return new DataInputStream(raw);
    }

    private static int header(DataInputStream in, Path file, int expectedMagic, String what) throws IOException {
        try {
            int magic = in.readInt();
            if (magic != expectedMagic) {
                throw new IOException(file + ": wrong magic number " + magic + " for IDX " + what + " (expected " + expectedMagic + ")");
            }
            int n = in.readInt();
            if (n < 0) {
                throw new IOException(file + ": negative item count " + n);
            }
            return n;
        } catch (EOFException e) {
            throw new IOException(file + ": truncated IDX header", e);
        }
    }

    private static void readFully(DataInputStream in, byte[] into, Path file, String what) throws IOException {
        try {
            in.readFully(into);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated; header promises " + what, e);
        }
    }
}
