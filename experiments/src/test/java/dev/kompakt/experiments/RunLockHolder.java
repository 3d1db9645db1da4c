package dev.kompakt.experiments;

import java.nio.file.Path;

/** Holds a run directory's lock in its own JVM until killed (for {@link RunDirectorySafetyTest}). */
public final class RunLockHolder {
    private RunLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        try (RunLock lock = RunLock.acquire(Path.of(args[0]), "search")) {
            System.out.println("locked " + lock.file());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
