package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataException;
import dev.kompakt.evaluator.data.Dataset;
import org.junit.jupiter.api.function.Executable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared checks of the format tests. */
final class DataAssert {
    private DataAssert() {
    }

    /** The call fails with a DataException whose message starts with {@code file} and contains {@code problem}. */
    static DataException assertFailsNaming(Path file, String problem, Executable call) {
        DataException e = assertThrows(DataException.class, call);
        assertTrue(e.getMessage().startsWith(file.toString() + ": "), "message starts with " + file + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), "message says '" + problem + "': " + e.getMessage());
        assertEquals(file, e.file());
        return e;
    }

    /** The cache directory holds no file at all (nothing written after a failure). */
    static void assertEmpty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.toList());
            }
        }
    }

    static float[] features(Dataset d, int i) {
        float[] out = new float[d.shape().features()];
        d.features(i, out, 0);
        return out;
    }
}
