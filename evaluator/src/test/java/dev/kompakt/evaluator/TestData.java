package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.DatasetSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The Fashion-MNIST subset bundled in the repository, loaded once per test JVM. */
public final class TestData {
    public static final Path BUNDLED = Path.of("..", "experiments", "data", "fashion-mnist-subset");
    private static DatasetSource.Splits splits;

    private TestData() {
    }

    public static synchronized DatasetSource.Splits bundled() {
        if (splits == null) {
            try {
                splits = DatasetSource.load("fashion-mnist-subset", BUNDLED, 10);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return splits;
    }
}
