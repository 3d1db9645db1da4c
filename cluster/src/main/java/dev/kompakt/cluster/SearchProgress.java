package dev.kompakt.cluster;

import java.time.Duration;

/** A snapshot of a running search, for the console and logs. ETA is null until a trial has finished. */
public record SearchProgress(int total, int finished, int inFlight, int failed, int frontSize, Duration elapsed, Duration eta) {

    public String line() {
        return String.format("trials %d/%d done, %d in flight, %d failed | front %d | elapsed %s | ETA %s",
                finished, total, inFlight, failed, frontSize, format(elapsed), eta == null ? "?" : format(eta));
    }

    static String format(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return String.format("%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
