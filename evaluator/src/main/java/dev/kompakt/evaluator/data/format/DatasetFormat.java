package dev.kompakt.evaluator.data.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A data format on disk, read into two packed datasets (train and test) in a cache directory. Readers stream their
 * input one record or file at a time, so the input may be larger than the heap; a second read of unchanged input with
 * the same options reuses the cache. Bad input is a {@link dev.kompakt.evaluator.data.DataException} naming the file.
 */
public interface DatasetFormat {
    /** The spec name, e.g. {@code cifar10}. */
    String name();

    /** Reads {@code input} (a file or directory, as the format says) into packed train and test sets under {@code cacheDir}. */
    TrainTest read(Path input, ReadOptions options, Path cacheDir) throws IOException;
}
