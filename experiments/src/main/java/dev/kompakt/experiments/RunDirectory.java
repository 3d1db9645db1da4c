package dev.kompakt.experiments;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Chooses a run's output directory. An existing directory is never reused or overwritten. */
public final class RunDirectory {
    private RunDirectory() {
    }

    /**
     * An explicit directory must not exist yet. Without one, {@code <runsRoot>/<name>} is used, or the first free
     * {@code <name>-2}, {@code <name>-3}, ... when it exists (the caller prints which).
     */
    public static Path create(Path explicit, Path runsRoot, String name) throws IOException {
        if (explicit != null) {
            if (Files.exists(explicit)) {
                throw new FileAlreadyExistsException(explicit.toString(), null,
                        "run directory already exists; Kompakt never overwrites a run (use `kompakt report` to re-render it, or choose a new --run-dir)");
            }
            Files.createDirectories(explicit);
            return explicit;
        }
        Files.createDirectories(runsRoot);
        for (int i = 1; ; i++) {
            Path candidate = runsRoot.resolve(i == 1 ? name : name + "-" + i);
            try {
                Files.createDirectory(candidate);
                return candidate;
            } catch (FileAlreadyExistsException e) {
                // taken: try the next suffix
            }
        }
    }
}
