package dev.kompakt.evaluator.data.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The formats a spec can name in {@code data.format}: {@code idx}, {@code cifar10}, {@code cifar100}, {@code folder}, {@code csv}. */
public final class DatasetFormats {
    private static final Map<String, DatasetFormat> FORMATS = new LinkedHashMap<>();

    static {
        for (DatasetFormat f : List.of(new IdxFormat(), CifarFormat.cifar10(), CifarFormat.cifar100(), new FolderFormat(), new CsvFormat())) {
            FORMATS.put(f.name(), f);
        }
    }

    private DatasetFormats() {
    }

    /** The spec names, in a fixed order. */
    public static List<String> names() {
        return List.copyOf(FORMATS.keySet());
    }

    /** The format of that spec name; an {@link IllegalArgumentException} listing the known names otherwise. */
    public static DatasetFormat get(String name) {
        DatasetFormat f = FORMATS.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown data format '" + name + "'; known: " + String.join(", ", names()));
        }
        return f;
    }

    /** Reads {@code input} in the named format into packed train and test sets under {@code cacheDir}. */
    public static TrainTest read(String format, Path input, ReadOptions options, Path cacheDir) throws IOException {
        return get(format).read(input, options, cacheDir);
    }
}
