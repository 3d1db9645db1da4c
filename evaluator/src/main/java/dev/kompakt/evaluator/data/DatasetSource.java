package dev.kompakt.evaluator.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a Fashion-MNIST-style dataset comes from: a directory with
 * {@code train-images-idx3-ubyte(.gz)}, {@code train-labels-idx1-ubyte(.gz)}, {@code t10k-images-idx3-ubyte(.gz)}
 * and {@code t10k-labels-idx1-ubyte(.gz)}.
 */
public final class DatasetSource {
    /** Where Debian's package {@code dataset-fashion-mnist} installs the full set. */
    public static final Path DEBIAN_FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private DatasetSource() {
    }

    /** The train and test splits. */
    public record Splits(SampleSet train, SampleSet test, Path directory) {
    }

    public static Splits load(String name, Path directory, int classes) throws IOException {
        if (!Files.isDirectory(directory)) {
            throw new IOException(directory + ": dataset directory not found");
        }
        SampleSet train = IdxReader.read(name + "/train", file(directory, "train-images-idx3-ubyte"),
                file(directory, "train-labels-idx1-ubyte"), classes);
        SampleSet test = IdxReader.read(name + "/test", file(directory, "t10k-images-idx3-ubyte"),
                file(directory, "t10k-labels-idx1-ubyte"), classes);
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new IOException(directory + ": train images are " + train.rows() + "x" + train.cols() + " but test images are "
                    + test.rows() + "x" + test.cols());
        }
        return new Splits(train, test, directory);
    }

    /** The gzip file if present, else the plain one (the error then names the .gz name users expect). */
    private static Path file(Path dir, String stem) {
        Path gz = dir.resolve(stem + ".gz");
        Path plain = dir.resolve(stem);
        return Files.exists(gz) || !Files.exists(plain) ? gz : plain;
    }
}
