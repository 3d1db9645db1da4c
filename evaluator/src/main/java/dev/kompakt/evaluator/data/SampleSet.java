package dev.kompakt.evaluator.data;

import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Labelled samples held in memory, compact to broadcast and cheap to hash: images as unsigned bytes (CHW, sample after
 * sample) or table rows as floats, with their shape, their class count and the normalisation applied when they become
 * ND4J arrays ({@link #toDataSet}). What a run trains and measures on, and what executors receive; a {@link Dataset} on
 * disk becomes one by choosing samples ({@link #of}). Immutable by convention: the arrays are not copied, so callers must
 * not write to them.
 *
 * @param name          for messages and provenance, e.g. {@code cifar10/train}
 * @param shape         the shape of one sample
 * @param classes       the number of classes (at most 256: labels are unsigned bytes)
 * @param pixels        image samples, one unsigned byte per value, or null for a table
 * @param values        table rows, or null for images
 * @param labels        one unsigned byte per sample
 * @param normalization per-channel mean and std applied by {@link #toDataSet}
 */
public record SampleSet(String name, DataShape shape, int classes, byte[] pixels, float[] values, byte[] labels,
                        Normalization normalization) {
    /** The largest class count (labels are unsigned bytes). */
    public static final int MAX_CLASSES = 256;

    public SampleSet {
        if ((pixels == null) == (values == null)) {
            throw new IllegalArgumentException("samples '" + name + "': exactly one of pixels (images) and values (table rows) is held");
        }
        if (classes < 2 || classes > MAX_CLASSES) {
            throw new IllegalArgumentException("samples '" + name + "': " + classes + " classes; between 2 and " + MAX_CLASSES
                    + " are supported");
        }
        long expected = (long) labels.length * shape.features();
        long held = pixels != null ? pixels.length : values.length;
        if (held != expected) {
            throw new IllegalArgumentException("samples '" + name + "': " + labels.length + " labels but " + held + " values (expected "
                    + expected + ")");
        }
        for (byte label : labels) {
            if ((label & 0xff) >= classes) {
                throw new IllegalArgumentException("samples '" + name + "': label " + (label & 0xff) + " outside [0, " + classes + ")");
            }
        }
        normalization = normalization == null ? Normalization.none(shape.channels()) : normalization;
        if (normalization.channels() != shape.channels()) {
            throw new IllegalArgumentException("samples '" + name + "': normalisation of " + normalization.channels() + " channels for "
                    + shape.channels() + "-channel samples");
        }
    }

    /** Grey images of rows x cols, scaled to [0, 1] (as every dataset was before shapes and normalisation were choices). */
    public SampleSet(String name, int rows, int cols, int classes, byte[] pixels, byte[] labels) {
        this(name, DataShape.image(1, rows, cols), classes, pixels, null, labels, null);
    }

    /** The samples of {@code data} at {@code indices}, in that order, with {@code normalization}. */
    public static SampleSet of(Dataset data, int[] indices, Normalization normalization) {
        DataShape shape = data.shape();
        int f = shape.features();
        float[] row = new float[f];
        byte[] labels = new byte[indices.length];
        boolean image = !shape.tabular();
        byte[] pixels = image ? new byte[Math.multiplyExact(indices.length, f)] : null;
        float[] values = image ? null : new float[Math.multiplyExact(indices.length, f)];
        for (int k = 0; k < indices.length; k++) {
            labels[k] = (byte) data.label(indices[k]);
            data.features(indices[k], row, 0);
            if (image) {
                for (int j = 0; j < f; j++) {
                    pixels[k * f + j] = (byte) Math.round(row[j]);
                }
            } else {
                System.arraycopy(row, 0, values, k * f, f);
            }
        }
        return new SampleSet(data.name(), shape, data.classes(), pixels, values, labels, normalization);
    }

    public int size() {
        return labels.length;
    }

    /** Values per sample (channels x height x width, or table columns). */
    public int features() {
        return shape.features();
    }

    public int label(int i) {
        return labels[i] & 0xff;
    }

    public int rows() {
        return shape.height();
    }

    public int cols() {
        return shape.width();
    }

    public int channels() {
        return shape.channels();
    }

    /** The same samples with another normalisation. */
    public SampleSet withNormalization(Normalization n) {
        return new SampleSet(name, shape, classes, pixels, values, labels, n);
    }

    /** The samples at {@code indices}, in that order. */
    public SampleSet select(int[] indices) {
        int f = features();
        byte[] lb = new byte[indices.length];
        byte[] px = pixels == null ? null : new byte[indices.length * f];
        float[] vs = values == null ? null : new float[indices.length * f];
        for (int k = 0; k < indices.length; k++) {
            lb[k] = labels[indices[k]];
            if (px != null) {
                System.arraycopy(pixels, indices[k] * f, px, k * f, f);
            } else {
                System.arraycopy(values, indices[k] * f, vs, k * f, f);
            }
        }
        return new SampleSet(name, shape, classes, px, vs, lb, normalization);
    }

    /**
     * The first {@code total / classes} samples of each class, in order: a deterministic stratified subset. Returns this
     * set when it is no larger than requested.
     */
    public SampleSet stratified(int total) {
        if (total >= size()) {
            return this;
        }
        int perClass = Math.max(1, total / classes);
        int[] counts = new int[classes];
        int[] taken = new int[size()];
        int n = 0;
        for (int i = 0; i < size() && n < perClass * classes; i++) {
            if (counts[label(i)] < perClass) {
                counts[label(i)]++;
                taken[n++] = i;
            }
        }
        return select(java.util.Arrays.copyOf(taken, n));
    }

    /** Features {@code [n, features]} after the normalisation, labels one-hot {@code [n, classes]}. */
    public DataSet toDataSet() {
        int n = size();
        int f = features();
        float[] x = new float[Math.multiplyExact(n, f)];
        if (pixels != null && normalization.isNone()) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (pixels[i] & 0xff) / 255f;
            }
        } else {
            // raw values; the normalisation scales pixels by 1/255 before its mean and std (Normalization#apply)
            if (pixels != null) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = pixels[i] & 0xff;
                }
            } else {
                System.arraycopy(values, 0, x, 0, x.length);
            }
            for (int i = 0; i < n; i++) {
                normalization.apply(shape, x, i * f);
            }
        }
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            y[i * classes + label(i)] = 1f;
        }
        return new DataSet(Nd4j.create(x, new long[] {n, f}, 'c'), Nd4j.create(y, new long[] {n, classes}, 'c'));
    }

    /**
     * SHA-256 of the contents (not the name), for caching trained baselines. Grey images without normalisation hash as
     * they did before shapes and normalisation existed, so baselines cached by earlier versions are found.
     */
    public String sha256() {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(new byte[] {(byte) rows(), (byte) cols(), (byte) classes});
            if (pixels != null) {
                md.update(pixels);
            } else {
                ByteBuffer b = ByteBuffer.allocate(values.length * 4);
                b.asFloatBuffer().put(values);
                md.update(b.array());
            }
            md.update(labels);
            boolean legacy = pixels != null && shape.channels() == 1 && rows() < 256 && cols() < 256 && normalization.isNone();
            if (!legacy) {
                md.update(shape.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                md.update(normalization.describe().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A compact binary form for broadcasting to executors. */
    public byte[] toBytes() {
        long size = (pixels != null ? pixels.length : 4L * values.length) + labels.length + 128;
        try (ByteArrayOutputStream bytes = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, size));
             DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeUTF(name);
            out.writeInt(shape.channels());
            out.writeInt(shape.height());
            out.writeInt(shape.width());
            out.writeBoolean(shape.tabular());
            out.writeInt(classes);
            out.writeInt(labels.length);
            out.writeBoolean(pixels != null);
            if (pixels != null) {
                out.write(pixels);
            } else {
                for (float v : values) {
                    out.writeFloat(v);
                }
            }
            out.write(labels);
            for (int c = 0; c < shape.channels(); c++) {
                out.writeFloat(normalization.mean()[c]);
                out.writeFloat(normalization.std()[c]);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static SampleSet fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            String name = in.readUTF();
            int c = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            DataShape shape = in.readBoolean() ? DataShape.tabular(c) : DataShape.image(c, h, w);
            int classes = in.readInt();
            int n = in.readInt();
            boolean image = in.readBoolean();
            byte[] px = null;
            float[] vs = null;
            if (image) {
                px = new byte[Math.multiplyExact(n, shape.features())];
                in.readFully(px);
            } else {
                vs = new float[Math.multiplyExact(n, shape.features())];
                for (int i = 0; i < vs.length; i++) {
                    vs[i] = in.readFloat();
                }
            }
            byte[] lb = new byte[n];
            in.readFully(lb);
            float[] mean = new float[c];
            float[] std = new float[c];
            for (int i = 0; i < c; i++) {
                mean[i] = in.readFloat();
                std[i] = in.readFloat();
            }
            return new SampleSet(name, shape, classes, px, vs, lb, new Normalization(mean, std));
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt sample bytes", e);
        }
    }
}
