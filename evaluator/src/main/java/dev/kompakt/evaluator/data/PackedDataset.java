package dev.kompakt.evaluator.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A dataset in a memory-mapped cache file, read-only: the data never needs to fit in heap, only in the page cache
 * or on disk. The file is mapped in chunks of at most 1 GiB (each holding whole samples), so files over 2 GiB work.
 * Reads are thread-safe.
 *
 * <p>Layout (big-endian): magic {@code KPKD}, version, header length, channels, height, width, tabular flag (byte),
 * sample type (byte), classes, count, the name and the class names (each {@link DataOutputStream#writeUTF}), padding
 * to 8 bytes; then {@code count} int32 labels; then {@code count} samples of {@code channels*height*width} values,
 * CHW, as uint8 or float32. Written by a streaming {@link Writer}.
 */
public final class PackedDataset implements Dataset {
    static final int MAGIC = 0x4B504B44; // "KPKD"
    static final int VERSION = 1;
    static final long DEFAULT_CHUNK_BYTES = 1L << 30;

    /** How one sample value is stored. */
    public enum SampleType {
        /** Unsigned bytes: image pixels 0..255. */
        UINT8(1),
        /** 32-bit floats: table values. */
        FLOAT32(4);

        private final int bytes;

        SampleType(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }
    }

    private final Path file;
    private final String name;
    private final DataShape shape;
    private final int classes;
    private final List<String> classNames;
    private final SampleType type;
    private final int count;
    private final Chunks labels;
    private final Chunks samples;

    private PackedDataset(Path file, Header h, Chunks labels, Chunks samples) {
        this.file = file;
        this.name = h.name;
        this.shape = h.shape;
        this.classes = h.classNames.size();
        this.classNames = h.classNames;
        this.type = h.type;
        this.count = h.count;
        this.labels = labels;
        this.samples = samples;
    }

    /** Opens a packed file read-only. */
    public static PackedDataset open(Path file) throws IOException {
        return open(file, DEFAULT_CHUNK_BYTES);
    }

    /** Opens a packed file with chunks of at most {@code chunkBytes} (rounded down to whole samples, at least one). */
    static PackedDataset open(Path file, long chunkBytes) throws IOException {
        Header h;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 12))) {
            h = Header.read(in, file);
        } catch (EOFException e) {
            throw new DataException(file, "truncated packed dataset header", e);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long sampleBytes = (long) h.shape.features() * h.type.bytes();
            long labelsStart = h.headerLength;
            long samplesStart = labelsStart + 4L * h.count;
            long expected = samplesStart + sampleBytes * h.count;
            if (ch.size() != expected) {
                throw new DataException(file, "packed dataset is " + ch.size() + " bytes but its header promises " + expected);
            }
            Chunks labels = new Chunks(ch, labelsStart, 4, h.count, chunkBytes);
            Chunks samples = new Chunks(ch, samplesStart, sampleBytes, h.count, chunkBytes);
            return new PackedDataset(file, h, labels, samples);
        }
    }

    /**
     * Starts writing a packed file of exactly {@code count} samples. The data goes to a temporary file beside
     * {@code file}, renamed atomically to {@code file} by {@link Writer#finish()}; closing an unfinished writer
     * deletes it.
     */
    public static Writer writer(Path file, String name, DataShape shape, List<String> classNames, SampleType type, int count)
            throws IOException {
        return new Writer(file, new Header(name, shape, List.copyOf(classNames), type, count, 0));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DataShape shape() {
        return shape;
    }

    @Override
    public int classes() {
        return classes;
    }

    /** The class names, one per class (numbers as text where the data has none). */
    public List<String> classNames() {
        return classNames;
    }

    public SampleType sampleType() {
        return type;
    }

    /** The packed file. */
    public Path file() {
        return file;
    }

    @Override
    public int size() {
        return count;
    }

    @Override
    public int label(int i) {
        checkIndex(i);
        return labels.buffer(i).getInt(labels.offset(i));
    }

    @Override
    public void features(int i, float[] out, int offset) {
        checkIndex(i);
        int f = shape.features();
        ByteBuffer b = samples.buffer(i);
        int at = samples.offset(i);
        if (type == SampleType.UINT8) {
            byte[] raw = new byte[f];
            b.get(at, raw, 0, f);
            for (int k = 0; k < f; k++) {
                out[offset + k] = raw[k] & 0xff;
            }
        } else {
            for (int k = 0; k < f; k++) {
                out[offset + k] = b.getFloat(at + 4 * k);
            }
        }
    }

    /** How many mapped chunks hold the samples (for tests). */
    int sampleChunks() {
        return samples.buffers.length;
    }

    private void checkIndex(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException(name + ": sample " + i + " outside [0, " + count + ")");
        }
    }

    @Override
    public String toString() {
        return "PackedDataset[" + name + ", " + count + " samples of " + shape + ", " + classes + " classes, " + file + "]";
    }

    /** A region of fixed-size records mapped in chunks of whole records. */
    private static final class Chunks {
        final MappedByteBuffer[] buffers;
        final long recordsPerChunk;
        final long recordBytes;

        Chunks(FileChannel ch, long start, long recordBytes, int records, long chunkBytes) throws IOException {
            this.recordBytes = recordBytes;
            this.recordsPerChunk = Math.max(1, Math.min(chunkBytes, Integer.MAX_VALUE) / recordBytes);
            int n = records == 0 ? 0 : (int) ((records + recordsPerChunk - 1) / recordsPerChunk);
            buffers = new MappedByteBuffer[n];
            for (int k = 0; k < n; k++) {
                long first = k * recordsPerChunk;
                long len = Math.min(recordsPerChunk, records - first) * recordBytes;
                buffers[k] = ch.map(FileChannel.MapMode.READ_ONLY, start + first * recordBytes, len);
            }
        }

        ByteBuffer buffer(int i) {
            return buffers[(int) (i / recordsPerChunk)];
        }

        int offset(int i) {
            return (int) ((i % recordsPerChunk) * recordBytes);
        }
    }

    private record Header(String name, DataShape shape, List<String> classNames, SampleType type, int count, int headerLength) {
        byte[] bytes() throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(body);
            out.writeInt(shape.channels());
            out.writeInt(shape.height());
            out.writeInt(shape.width());
            out.writeByte(shape.tabular() ? 1 : 0);
            out.writeByte(type.ordinal());
            out.writeInt(classNames.size());
            out.writeInt(count);
            out.writeUTF(name);
            for (String c : classNames) {
                out.writeUTF(c);
            }
            out.flush();
            int length = 12 + body.size();
            int padded = (length + 7) / 8 * 8;
            ByteArrayOutputStream all = new ByteArrayOutputStream(padded);
            DataOutputStream head = new DataOutputStream(all);
            head.writeInt(MAGIC);
            head.writeInt(VERSION);
            head.writeInt(padded);
            body.writeTo(head);
            head.write(new byte[padded - length]);
            head.flush();
            return all.toByteArray();
        }

        static Header read(DataInputStream in, Path file) throws IOException {
            int magic = in.readInt();
            if (magic != MAGIC) {
                throw new DataException(file, "not a packed dataset (magic " + Integer.toHexString(magic) + ")");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new DataException(file, "packed dataset version " + version + ", expected " + VERSION);
            }
            int headerLength = in.readInt();
            int c = in.readInt();
            int h = in.readInt();
            int w = in.readInt();
            boolean tabular = in.readByte() != 0;
            int typeCode = in.readByte();
            int classes = in.readInt();
            int count = in.readInt();
            if (typeCode < 0 || typeCode >= SampleType.values().length || classes < 1 || count < 0 || headerLength < 12) {
                throw new DataException(file, "corrupt packed dataset header");
            }
            DataShape shape;
            try {
                shape = new DataShape(c, h, w, tabular);
            } catch (IllegalArgumentException e) {
                throw new DataException(file, "corrupt packed dataset header: " + e.getMessage(), e);
            }
            String name = in.readUTF();
            List<String> names = new ArrayList<>(classes);
            for (int k = 0; k < classes; k++) {
                names.add(in.readUTF());
            }
            return new Header(name, shape, List.copyOf(names), SampleType.values()[typeCode], count, headerLength);
        }
    }

    /**
     * Streams samples into a packed file, one at a time: samples go straight to disk, only the labels (4 bytes per
     * sample) stay in heap until {@link #finish()}.
     */
    public static final class Writer implements Closeable {
        private final Path target;
        private final Path temp;
        private final Header header;
        private final FileChannel channel;
        private final OutputStream out;
        private final int[] labels;
        private final byte[] sampleBytes;
        private final int headerLength;
        private int written;
        private boolean done;

        private Writer(Path target, Header header) throws IOException {
            this.target = target;
            this.header = header;
            this.labels = new int[header.count];
            this.sampleBytes = new byte[header.shape.features() * header.type.bytes()];
            Path dir = target.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            this.temp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
            byte[] head = header.bytes();
            this.headerLength = head.length;
            this.channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            channel.write(ByteBuffer.wrap(head), 0);
            channel.position(headerLength + 4L * header.count);
            this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
        }

        /** The number of samples written so far. */
        public int written() {
            return written;
        }

        /** Appends an image sample of {@code channels*height*width} unsigned bytes, CHW. */
        public void add(int label, byte[] sample) throws IOException {
            check(label, sample.length, SampleType.UINT8);
            out.write(sample);
            labels[written++] = label;
        }

        /** Appends a float32 sample of {@code channels*height*width} values, CHW. */
        public void add(int label, float[] sample) throws IOException {
            check(label, sample.length, SampleType.FLOAT32);
            ByteBuffer b = ByteBuffer.wrap(sampleBytes);
            for (float v : sample) {
                b.putFloat(v);
            }
            out.write(sampleBytes);
            labels[written++] = label;
        }

        private void check(int label, int length, SampleType type) {
            if (done) {
                throw new IllegalStateException(target + ": writer already finished");
            }
            if (type != header.type) {
                throw new IllegalArgumentException(target + ": samples are " + header.type + ", not " + type);
            }
            if (length != header.shape.features()) {
                throw new IllegalArgumentException(target + ": sample of " + length + " values, expected " + header.shape.features());
            }
            if (label < 0 || label >= header.classNames.size()) {
                throw new IllegalArgumentException(target + ": label " + label + " outside [0, " + header.classNames.size() + ")");
            }
            if (written == header.count) {
                throw new IllegalStateException(target + ": more than the " + header.count + " samples announced");
            }
        }

        /** Writes the labels, moves the file into place atomically and opens it. */
        public PackedDataset finish() throws IOException {
            if (written != header.count) {
                throw new IllegalStateException(target + ": " + written + " samples written but " + header.count + " announced");
            }
            out.flush();
            ByteBuffer lab = ByteBuffer.allocate(1 << 16);
            long pos = headerLength;
            for (int label : labels) {
                if (!lab.hasRemaining()) {
                    pos += flush(lab, pos);
                }
                lab.putInt(label);
            }
            flush(lab, pos);
            channel.force(false);
            out.close();
            done = true;
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return open(target);
        }

        private int flush(ByteBuffer b, long pos) throws IOException {
            b.flip();
            int n = b.remaining();
            while (b.hasRemaining()) {
                pos += channel.write(b, pos);
            }
            b.clear();
            return n;
        }

        /** Closes; an unfinished file is deleted. */
        @Override
        public void close() throws IOException {
            if (!done) {
                done = true;
                try {
                    out.close();
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
        }
    }
}
