package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataException;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * {@code idx}: a directory with the Fashion-MNIST file names ({@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte}, each plain or {@code .gz};
 * image files may also be called {@code ...-idx4-ubyte}) holding unsigned-byte images of any size: IDX3
 * {@code (n, h, w)} grey or IDX4 {@code (n, h, w, c)} with channels last, stored channel-first. The class count is the
 * largest label plus one over both splits unless given.
 */
public final class IdxFormat implements DatasetFormat {
    static final int LABELS_MAGIC = 0x801;
    static final int IMAGES3_MAGIC = 0x803;
    static final int IMAGES4_MAGIC = 0x804;
    /** The largest image the header may announce (h x w x c bytes): 256 MiB, far above any image a network reads. */
    static final long MAX_IMAGE_BYTES = 1L << 28;

    @Override
    public String name() {
        return "idx";
    }

    @Override
    public TrainTest read(Path dir, ReadOptions options, Path cacheDir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir, "IDX dataset directory not found");
        }
        Path trainImages = images(dir, "train");
        Path trainLabels = file(dir, "train-labels-idx1-ubyte");
        Path testImages = images(dir, "t10k");
        Path testLabels = file(dir, "t10k-labels-idx1-ubyte");
        List<Path> inputs = List.of(trainImages, trainLabels, testImages, testLabels);
        return PackedCache.load(cacheDir, name(), "classes=" + options.classes(), dir, inputs, (trainFile, testFile) -> {
            byte[] trainLab = labels(trainLabels);
            byte[] testLab = labels(testLabels);
            int classes = classes(options.classes(), trainLabels, trainLab, testLabels, testLab);
            List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
            PackedDataset train = pack(trainImages, trainLabels, trainLab, names, trainFile, name() + "/train", null);
            PackedDataset test = pack(testImages, testLabels, testLab, names, testFile, name() + "/test", train.shape());
            return new TrainTest(train, test);
        });
    }

    private static int classes(int given, Path trainFile, byte[] train, Path testFile, byte[] test) throws IOException {
        int max = Math.max(max(train), max(test));
        if (given > 0) {
            check(trainFile, train, given);
            check(testFile, test, given);
        }
        int classes = given > 0 ? given : max + 1;
        boolean[] seen = new boolean[256];
        int distinct = 0;
        for (byte b : train) {
            if (!seen[b & 0xff]) {
                seen[b & 0xff] = true;
                distinct++;
            }
        }
        if (distinct < 2 || classes < 2) {
            throw new DataException(trainFile, "one class only: every training label is " + (train.length == 0 ? "absent" : train[0] & 0xff)
                    + "; classification needs at least two classes");
        }
        return classes;
    }

    private static int max(byte[] labels) {
        int max = 0;
        for (byte b : labels) {
            max = Math.max(max, b & 0xff);
        }
        return max;
    }

    private static void check(Path file, byte[] labels, int classes) throws IOException {
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xff) >= classes) {
                throw new DataException(file, "label " + (labels[i] & 0xff) + " at index " + i + " is outside the class range [0, "
                        + classes + ")");
            }
        }
    }

    private static byte[] labels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            int magic = readInt(in, file);
            if (magic != LABELS_MAGIC) {
                throw new DataException(file, "wrong magic number " + magic + " for IDX labels (expected " + LABELS_MAGIC + ")");
            }
            int n = readInt(in, file);
            if (n < 0) {
                throw new DataException(file, "negative label count " + n + " in the IDX header");
            }
            checkSize(file, 8, n, 1, "labels");
            // read in pieces: a header that promises more than a compressed file holds must not allocate it up front
            ByteArrayOutputStream labels = new ByteArrayOutputStream(Math.min(n, 1 << 20));
            byte[] piece = new byte[1 << 16];
            while (labels.size() < n) {
                int got = in.read(piece, 0, Math.min(piece.length, n - labels.size()));
                if (got < 0) {
                    throw new DataException(file, "truncated: the header promises " + n + " labels but the file ends after "
                            + labels.size());
                }
                labels.write(piece, 0, got);
            }
            expectEnd(in, file, n + " labels");
            return labels.toByteArray();
        } catch (EOFException e) {
            throw new DataException(file, "truncated (" + e.getMessage() + ")", e);
        }
    }

    /**
     * An uncompressed file's size must be what its header promises: {@code header} bytes and {@code n} records of
     * {@code recordBytes}. (A compressed file is checked while it is read.)
     */
    private static void checkSize(Path file, int header, long n, long recordBytes, String what) throws IOException {
        if (file.getFileName().toString().endsWith(".gz")) {
            return;
        }
        long size = Files.size(file);
        long expected = header + n * recordBytes;
        if (size < expected) {
            throw new DataException(file, "truncated: the header promises " + n + " " + what + " (" + expected + " bytes) but the file holds "
                    + size + " bytes");
        }
        if (size > expected) {
            throw new DataException(file, "holds " + size + " bytes, but its header promises " + n + " " + what + " (" + expected
                    + " bytes): " + (size - expected) + " bytes follow them; the header's count or sizes are wrong");
        }
    }

    /** Nothing may follow the promised records (checked for compressed files, whose size says nothing). */
    private static void expectEnd(InputStream in, Path file, String what) throws IOException {
        if (in.read() >= 0) {
            throw new DataException(file, "more data follows the " + what + " its header promises; the header's count or sizes are wrong");
        }
    }

    private static PackedDataset pack(Path images, Path labelFile, byte[] labels, List<String> names, Path target, String name,
                                      DataShape expected) throws IOException {
        try (DataInputStream in = open(images)) {
            int magic = readInt(in, images);
            if (magic != IMAGES3_MAGIC && magic != IMAGES4_MAGIC) {
                throw new DataException(images, "wrong magic number " + magic + " for IDX images (expected " + IMAGES3_MAGIC
                        + " for n x h x w or " + IMAGES4_MAGIC + " for n x h x w x c unsigned bytes)");
            }
            int n = readInt(in, images);
            int h = readInt(in, images);
            int w = readInt(in, images);
            int c = magic == IMAGES4_MAGIC ? readInt(in, images) : 1;
            if (n < 0 || h <= 0 || w <= 0 || c <= 0 || (long) h * w * c > MAX_IMAGE_BYTES) {
                throw new DataException(images, "bad IDX image header: " + n + " images of " + h + "x" + w + "x" + c
                        + " (counts must not be negative, sizes must be positive, one image at most " + MAX_IMAGE_BYTES + " bytes)");
            }
            if (n == 0) {
                throw new DataException(images, "holds no images (its header's count is 0)");
            }
            DataShape shape = DataShape.image(c, h, w);
            if (expected != null && !expected.equals(shape)) {
                throw new DataException(images, "test images are " + shape + " but train images are " + expected);
            }
            if (n != labels.length) {
                throw new DataException(labelFile, "holds " + labels.length + " labels but " + images + " holds " + n + " images");
            }
            checkSize(images, magic == IMAGES4_MAGIC ? 20 : 16, n, shape.features(), "images of " + h + "x" + w + "x" + c);
            byte[] hwc = new byte[shape.features()];
            byte[] chw = c == 1 ? hwc : new byte[hwc.length];
            int pixels = h * w;
            try (PackedDataset.Writer writer = PackedDataset.writer(target, name, shape, names, PackedDataset.SampleType.UINT8, n)) {
                for (int i = 0; i < n; i++) {
                    try {
                        in.readFully(hwc);
                    } catch (EOFException e) {
                        throw new DataException(images, "truncated; header promises " + n + " images of " + shape + " but image " + i
                                + " is cut short", e);
                    }
                    if (c > 1) {
                        for (int p = 0; p < pixels; p++) {
                            for (int k = 0; k < c; k++) {
                                chw[k * pixels + p] = hwc[p * c + k];
                            }
                        }
                    }
                    writer.add(labels[i] & 0xff, chw);
                }
                expectEnd(in, images, n + " images");
                return writer.finish();
            }
        }
    }

    private static int readInt(DataInputStream in, Path file) throws IOException {
        try {
            return in.readInt();
        } catch (EOFException e) {
            String size = file.getFileName().toString().endsWith(".gz") ? "" : " (the file holds " + Files.size(file) + " bytes)";
            throw new DataException(file, "truncated IDX header" + size, e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            try {
                raw = new GZIPInputStream(raw, 1 << 16);
            } catch (IOException e) {
                raw.close();
                throw new DataException(file, "not a gzip file (" + e.getMessage() + ")", e);
            }
        }
        return new DataInputStream(raw);
    }

    private static Path images(Path dir, String split) throws IOException {
        Path idx4 = dir.resolve(split + "-images-idx4-ubyte");
        if (!exists(dir, split + "-images-idx3-ubyte") && exists(dir, split + "-images-idx4-ubyte")) {
            return file(dir, idx4.getFileName().toString());
        }
        return file(dir, split + "-images-idx3-ubyte");
    }

    private static boolean exists(Path dir, String stem) {
        return Files.isRegularFile(dir.resolve(stem + ".gz")) || Files.isRegularFile(dir.resolve(stem));
    }

    /** The gzip file if present, else the plain one; an error naming the .gz name when neither exists. */
    private static Path file(Path dir, String stem) throws IOException {
        Path gz = dir.resolve(stem + ".gz");
        Path plain = dir.resolve(stem);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        if (Files.isRegularFile(plain)) {
            return plain;
        }
        throw new DataException(gz, "IDX file not found (nor " + plain.getFileName() + ")");
    }
}
