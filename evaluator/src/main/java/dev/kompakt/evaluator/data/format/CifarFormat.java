package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataException;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.PackedDataset;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * {@code cifar10} and {@code cifar100}: the official binary batches in a directory. CIFAR-10: {@code data_batch_1.bin}
 * .. {@code data_batch_5.bin} and {@code test_batch.bin}, each record a label byte and 3072 pixel bytes (3x32x32,
 * channel-first). CIFAR-100: {@code train.bin} and {@code test.bin}, each record a coarse label byte (20 classes), a
 * fine label byte (100 classes) and the pixels; fine labels unless {@link ReadOptions#coarseLabels()}.
 */
public final class CifarFormat implements DatasetFormat {
    static final DataShape SHAPE = DataShape.image(3, 32, 32);

    private final boolean hundred;

    private CifarFormat(boolean hundred) {
        this.hundred = hundred;
    }

    public static CifarFormat cifar10() {
        return new CifarFormat(false);
    }

    public static CifarFormat cifar100() {
        return new CifarFormat(true);
    }

    @Override
    public String name() {
        return hundred ? "cifar100" : "cifar10";
    }

    @Override
    public TrainTest read(Path dir, ReadOptions options, Path cacheDir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new DataException(dir, name().toUpperCase(java.util.Locale.ROOT) + " directory not found");
        }
        List<Path> train = new ArrayList<>();
        List<Path> test;
        if (hundred) {
            train.add(dir.resolve("train.bin"));
            test = List.of(dir.resolve("test.bin"));
        } else {
            for (int k = 1; k <= 5; k++) {
                train.add(dir.resolve("data_batch_" + k + ".bin"));
            }
            test = List.of(dir.resolve("test_batch.bin"));
        }
        List<Path> inputs = new ArrayList<>(train);
        inputs.addAll(test);
        int recordBytes = (hundred ? 2 : 1) + SHAPE.features();
        for (Path p : inputs) {
            if (!Files.isRegularFile(p)) {
                throw new DataException(p, name() + " batch file not found");
            }
            long size = Files.size(p);
            if (size % recordBytes != 0) {
                throw new DataException(p, "truncated batch: " + size + " bytes is not a multiple of the record size " + recordBytes);
            }
        }
        boolean coarse = hundred && options.coarseLabels();
        int natural = !hundred ? 10 : coarse ? 20 : 100;
        int classes = options.classes() > 0 ? options.classes() : natural;
        if (classes < 2) {
            throw new DataException(dir, "one class only: classification needs at least two classes");
        }
        List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        String key = "classes=" + classes + " coarse=" + coarse;
        return PackedCache.load(cacheDir, name(), key, dir, inputs, (trainFile, testFile) -> new TrainTest(
                pack(train, recordBytes, coarse, names, trainFile, name() + "/train"),
                pack(test, recordBytes, coarse, names, testFile, name() + "/test")));
    }

    private PackedDataset pack(List<Path> files, int recordBytes, boolean coarse, List<String> names, Path target, String name)
            throws IOException {
        long total = 0;
        for (Path p : files) {
            total += Files.size(p) / recordBytes;
        }
        if (total > Integer.MAX_VALUE) {
            throw new DataException(files.get(0), "too many records: " + total);
        }
        int classes = names.size();
        byte[] record = new byte[recordBytes];
        byte[] pixels = new byte[SHAPE.features()];
        int labelAt = hundred && !coarse ? 1 : 0;
        int pixelsAt = hundred ? 2 : 1;
        boolean[] seen = new boolean[classes];
        int distinct = 0;
        try (PackedDataset.Writer writer = PackedDataset.writer(target, name, SHAPE, names, PackedDataset.SampleType.UINT8, (int) total)) {
            for (Path p : files) {
                long records = Files.size(p) / recordBytes;
                try (InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16)) {
                    for (long r = 0; r < records; r++) {
                        if (in.readNBytes(record, 0, recordBytes) != recordBytes) {
                            throw new DataException(p, "truncated batch: record " + r + " is cut short");
                        }
                        int label = record[labelAt] & 0xff;
                        if (label >= classes) {
                            throw new DataException(p, "label " + label + " of record " + r + " is outside the class range [0, " + classes + ")");
                        }
                        if (!seen[label]) {
                            seen[label] = true;
                            distinct++;
                        }
                        System.arraycopy(record, pixelsAt, pixels, 0, pixels.length);
                        writer.add(label, pixels);
                    }
                }
            }
            if (distinct < 2 && name.endsWith("/train")) {
                throw new DataException(files.get(0), "one class only: every training record has the same label; classification needs "
                        + "at least two classes");
            }
            return writer.finish();
        }
    }
}
