package dev.kompakt.evaluator.data;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Grey-scale images with class labels, kept as raw bytes (one byte per pixel, row-major, image after
 * image) so a dataset is compact to broadcast and cheap to hash. Immutable by convention: the arrays are
 * not copied, so callers must not write to them.
 */
public record ImageDataset(String name, int rows, int cols, int classes, byte[] pixels, byte[] labels) {
    public ImageDataset {
        if (rows <= 0 || cols <= 0) {
            throw new IllegalArgumentException("dataset '" + name + "': image size must be positive, got " + rows + "x" + cols);
        }
        if (pixels.length != (long) labels.length * rows * cols) {
            throw new IllegalArgumentException("dataset '" + name + "': " + labels.length + " labels but " + pixels.length
                    + " pixel bytes (expected " + (long) labels.length * rows * cols + ")");
        }
        for (byte label : labels) {
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("dataset '" + name + "': label " + label + " outside [0, " + classes + ")");
            }
        }
    }

    public int size() {
        return labels.length;
    }

    public int features() {
        return rows * cols;
    }

    public int label(int i) {
        return labels[i];
    }

    /**
     * The first {@code perClass} samples of each class, in file order: a deterministic stratified subset.
     * Returns this dataset when it is no larger than requested.
     */
    public ImageDataset stratified(int total) {
        if (total >= size()) {
            return this;
        }
        int perClass = Math.max(1, total / classes);
        int[] counts = new int[classes];
        int[] taken = new int[size()];
        int n = 0;
        for (int i = 0; i < size() && n < perClass * classes; i++) {
            if (counts[labels[i]] < perClass) {
                counts[labels[i]]++;
                taken[n++] = i;
            }
        }
        int f = features();
        byte[] px = new byte[n * f];
        byte[] lb = new byte[n];
        for (int k = 0; k < n; k++) {
            System.arraycopy(pixels, taken[k] * f, px, k * f, f);
            lb[k] = labels[taken[k]];
        }
        return new ImageDataset(name, rows, cols, classes, px, lb);
    }

    /** SHA-256 of the contents (not the name), for caching trained baselines. */
    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(new byte[] {(byte) rows, (byte) cols, (byte) classes});
            md.update(pixels);
            md.update(labels);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A compact binary form for broadcasting to executors. */
    public byte[] toBytes() {
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream(pixels.length + labels.length + 64);
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(name);
            out.writeInt(rows);
            out.writeInt(cols);
            out.writeInt(classes);
            out.writeInt(labels.length);
            out.write(pixels);
            out.write(labels);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ImageDataset fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            String name = in.readUTF();
            int rows = in.readInt();
            int cols = in.readInt();
            int classes = in.readInt();
            int n = in.readInt();
            byte[] px = new byte[n * rows * cols];
            in.readFully(px);
            byte[] lb = new byte[n];
            in.readFully(lb);
            return new ImageDataset(name, rows, cols, classes, px, lb);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt dataset bytes", e);
        }
    }
}
