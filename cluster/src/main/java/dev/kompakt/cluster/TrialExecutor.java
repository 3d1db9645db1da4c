package dev.kompakt.cluster;

import java.util.concurrent.CompletionStage;

/**
 * Runs trials somewhere and completes each stage when its outcome is back. The stage completes
 * exceptionally only when the infrastructure failed (a lost executor, a cancelled job); a failing candidate
 * completes normally with a failed {@link TrialOutcome}.
 */
public interface TrialExecutor extends AutoCloseable {

    CompletionStage<TrialOutcome> submit(TrialSpec spec);

    /** How many trials can make progress at the same time (e.g. executor cores). */
    int parallelism();

    /**
     * Stops trial {@code number}'s run if it is still running (its stage then completes however the executor ends it; the
     * caller has stopped waiting for it). Best effort; nothing by default.
     */
    default void cancel(int number) {
    }

    /** Executors registered to run trials now, or -1 where that is not known or not meaningful (e.g. in-process). */
    default int executors() {
        return -1;
    }

    @Override
    void close();
}
