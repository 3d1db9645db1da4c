package dev.kompakt.cluster;

import java.time.Duration;

/**
 * A snapshot of a running search, for the console and logs. ETA is null until a trial has finished.
 *
 * @param interrupted trials the infrastructure could not run (a resumed search runs them)
 * @param executors   executors registered with the cluster manager, or -1 where that is not known (local mode)
 */
public record SearchProgress(int total, int finished, int inFlight, int failed, int interrupted, int frontSize, Duration elapsed,
                             Duration eta, int executors) {

    /** Nothing interrupted, executors unknown. */
    public SearchProgress(int total, int finished, int inFlight, int failed, int frontSize, Duration elapsed, Duration eta) {
        this(total, finished, inFlight, failed, 0, frontSize, elapsed, eta, -1);
    }

    public String line() {
        return String.format("trials %d/%d done, %d in flight, %d failed%s | front %d | elapsed %s | ETA %s%s",
                finished, total, inFlight, failed, interrupted > 0 ? ", " + interrupted + " interrupted (resume runs them)" : "",
                frontSize, format(elapsed), eta == null ? "?" : format(eta),
                executors == 0 ? " | no executor is registered with the cluster manager: trials wait for one" : "");
    }

    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
