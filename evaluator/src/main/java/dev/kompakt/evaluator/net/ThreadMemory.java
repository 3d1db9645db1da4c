package dev.kompakt.evaluator.net;

import org.nd4j.linalg.factory.Nd4j;

/**
 * Gives back the native memory that DL4J training attached to the calling thread. ND4J workspaces live per thread and
 * keep their native memory until destroyed, so a thread that trains networks one after another (a Spark task thread, a
 * benchmark's pool thread) calls {@link #release()} when a unit of work ends.
 */
public final class ThreadMemory {
    private ThreadMemory() {
    }

    /** Destroys every ND4J workspace of the current thread; does nothing when ND4J was never used on it. */
    public static void release() {
        try {
            Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        } catch (RuntimeException | LinkageError e) {
            // nothing to free (ND4J not loaded on this thread)
        }
    }
}
