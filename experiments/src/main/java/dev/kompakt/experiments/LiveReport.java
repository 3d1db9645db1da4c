package dev.kompakt.experiments;

import dev.kompakt.experiments.report.ProgressNote;
import dev.kompakt.experiments.report.RunSummary;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps the result files of a running search ({@code report.html}, {@code pareto.json}, {@code pareto.csv}) up to date as
 * trials finish, each report saying that the run is in progress ({@link ProgressNote}). {@link #request} is called on the
 * coordinator's actor thread, so it only marks the files stale and returns; one writer thread renders them from a
 * snapshot of the study taken when it writes, at most once per {@code interval}: requests that arrive while a write is
 * pending add nothing, and the one write covers them all. The files are written atomically ({@link AtomicFiles}).
 * {@link #close} drops a write not yet begun and waits for one under way, so that the search's final report, written
 * after it, is the last word.
 */
public final class LiveReport implements AutoCloseable {
    /**
     * At most one rewrite per 5 s: a person watching sees a page at most 5 s behind the search, and rendering and
     * writing the three files (measured: 0.06 to 0.14 s for 300 trials, 0.5 to 0.6 s for 3,000, fsync included, on a
     * shared 2-core machine) stays a few percent of one core even when trials finish every second.
     */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

    private final Path runDir;
    private final Duration interval;
    private final Supplier<RunSummary> snapshot;
    private final int budget;
    private final double maxMinutes;
    private final Consumer<String> warnings;
    private final ScheduledThreadPoolExecutor writer;
    private final AtomicBoolean pending = new AtomicBoolean();
    /** {@link System#nanoTime} when the last write began. */
    private volatile long lastWrite;

    private LiveReport(Path runDir, Duration interval, Supplier<RunSummary> snapshot, int budget, double maxMinutes,
                       Consumer<String> warnings) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must be >= 0, got " + interval);
        }
        this.runDir = runDir;
        this.interval = interval;
        this.snapshot = snapshot;
        this.budget = budget;
        this.maxMinutes = maxMinutes;
        this.warnings = warnings;
        this.writer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "kompakt-live-report");
            t.setDaemon(true);
            return t;
        });
        writer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * Writes the files now, on the calling thread, and returns the live report that rewrites them on {@link #request}.
     *
     * @param snapshot   the run as it is now; called on the writer thread, so it must be safe to call from there
     * @param budget     the spec's {@code budget.trials}
     * @param maxMinutes the spec's {@code budget.maxMinutes} (0: none)
     * @param warnings   where a failed rewrite is reported (the search goes on: the final report is written at its end)
     */
    public static LiveReport start(Path runDir, Duration interval, Supplier<RunSummary> snapshot, int budget, double maxMinutes,
                                   Consumer<String> warnings) throws IOException {
        LiveReport live = new LiveReport(runDir, interval, snapshot, budget, maxMinutes, warnings);
        live.write();
        return live;
    }

    /**
     * Asks for the files to be rewritten and returns at once. The write happens on the writer thread, {@code interval}
     * after the previous one began at the earliest, and shows the run as it is then.
     */
    public void request() {
        if (!pending.compareAndSet(false, true)) {
            return;
        }
        long wait = Math.max(0, lastWrite + interval.toNanos() - System.nanoTime());
        try {
            writer.schedule(this::writePending, wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed: the search is over and writes its final report itself
        }
    }

    private void writePending() {
        pending.set(false); // a request from now on schedules another write, which will see what this one misses
        try {
            write();
        } catch (IOException | RuntimeException e) {
            warnings.accept("warning: could not rewrite the report in " + runDir + " (" + e + "); the search goes on and writes "
                    + "it at its end");
        }
    }

    private void write() throws IOException {
        lastWrite = System.nanoTime();
        RunSummary run = snapshot.get();
        RunFiles.writeAll(runDir, run, ProgressNote.of(run.trials(), budget, maxMinutes));
    }

    /** Drops a write not yet begun and waits for one under way: after this, nothing of this object writes. */
    @Override
    public void close() {
        writer.shutdown();
        try {
            if (!writer.awaitTermination(1, TimeUnit.MINUTES)) {
                warnings.accept("warning: a rewrite of the report in " + runDir + " has taken over a minute and is still under way");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
