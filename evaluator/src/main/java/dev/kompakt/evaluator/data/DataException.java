package dev.kompakt.evaluator.data;

import java.io.IOException;
import java.nio.file.Path;

/** Bad input data: the message starts with the file (or directory) at fault and then says the problem. */
public class DataException extends IOException {
    private final transient Path file;

    public DataException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public DataException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file or directory at fault. */
    public Path file() {
        return file;
    }
}
