package dev.kompakt.search;

/** Life cycle of a trial. STOPPED (early-stopped) is not a failure: its partial results are valid data. */
public enum TrialState {
    RUNNING,
    COMPLETE,
    STOPPED,
    FAILED;

    public boolean isFinished() {
        return this != RUNNING;
    }
}
