package dev.kompakt.search;

/**
 * Life cycle of a trial. STOPPED (early-stopped) is not a failure: its partial results are valid data. INTERRUPTED is
 * not a result at all: the infrastructure could not run the trial (executors lost, a connection or the job cancelled,
 * retries spent), so it has no metrics and a resumed search runs it again; FAILED is the candidate's own failure
 * (an exception in its evaluation, NaN) and is data.
 */
public enum TrialState {
    RUNNING,
    COMPLETE,
    STOPPED,
    FAILED,
    INTERRUPTED;

    /** Whether the trial has its final result (RUNNING and INTERRUPTED trials run again on resume). */
    public boolean isFinished() {
        return this != RUNNING && this != INTERRUPTED;
    }
}
