package dev.kompakt.experiments;

import dev.kompakt.experiments.report.ProgressNote;
import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.pareto.ParetoFront;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The live report without Spark: a fake study whose snapshots count how often the writer renders. */
class LiveReportTest {
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size_bytes"));

    @TempDir
    Path dir;

    private final List<Trial> study = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger snapshots = new AtomicInteger();
    private final List<String> snapshotThreads = Collections.synchronizedList(new ArrayList<>());
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

    private RunSummary snapshot(long renderMillis) {
        snapshots.incrementAndGet();
        snapshotThreads.add(Thread.currentThread().getName());
        try {
            Thread.sleep(renderMillis); // a slow render, to show that request() never waits for one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Trial> trials = List.copyOf(study);
        return new RunSummary("live", OBJECTIVES, List.of(), trials, ParetoFront.of(trials, OBJECTIVES, List.of()),
                Map.of("accuracy", 0.9, "size_bytes", 5000.0), Map.of());
    }

    private void finish(int n) {
        study.add(new Trial(n, TrialState.COMPLETE, new Assignment(Map.of("bits", 8)), Map.of("accuracy", 0.8 + n / 1000.0,
                "size_bytes", 4000.0 - n), null, "w", Instant.now(), Instant.now()));
    }

    private String report() throws Exception {
        return Files.readString(dir.resolve("report.html"));
    }

    @Test
    void writesAtStartThenAtMostOncePerIntervalOffTheCallersThread() throws Exception {
        LiveReport live = LiveReport.start(dir, Duration.ofMillis(400), () -> snapshot(200), 50, 0, warnings::add);
        assertEquals(1, snapshots.get(), "written once at the start, on the caller's thread");
        assertEquals(Thread.currentThread().getName(), snapshotThreads.get(0));
        assertTrue(report().contains("0 of 50 trials done, 0 asked"), report());
        assertTrue(Files.isRegularFile(dir.resolve("pareto.json")) && Files.isRegularFile(dir.resolve("pareto.csv")));

        // 40 trials finish within about 0.4 s: each request returns at once, and the writes coalesce
        long slowest = 0;
        long t0 = System.nanoTime();
        for (int n = 0; n < 40; n++) {
            finish(n);
            long r0 = System.nanoTime();
            live.request();
            slowest = Math.max(slowest, System.nanoTime() - r0);
            Thread.sleep(10);
        }
        long requestsMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(slowest < 100_000_000L, "request() returns at once (a render takes 200 ms here); slowest " + slowest / 1e6 + " ms");
        for (int i = 0; i < 100 && !report().contains("40 of 50 trials done"); i++) {
            Thread.sleep(50);
        }
        assertTrue(report().contains("40 of 50 trials done, 40 asked (budget: 50 trials)"), "the last request is written: " + report());
        int writes = snapshots.get() - 1;
        long allowed = requestsMillis / 400 + 2;
        assertTrue(writes >= 1 && writes <= allowed, writes + " rewrites for 40 requests in " + requestsMillis + " ms (at most one per 400 ms)");
        assertTrue(snapshotThreads.subList(1, snapshotThreads.size()).stream().allMatch("kompakt-live-report"::equals), snapshotThreads.toString());

        // a request, then close before its turn: nothing is written after close (the final report is the search's)
        finish(40);
        live.request();
        live.close();
        int atClose = snapshots.get();
        Thread.sleep(600);
        assertEquals(atClose, snapshots.get(), "no write after close");
        live.request(); // a late trial callback after close is ignored
        Thread.sleep(100);
        assertEquals(atClose, snapshots.get());
        assertTrue(warnings.isEmpty(), warnings.toString());
        assertTrue(ProgressNote.isIn(report()));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("pareto.csv", "pareto.json", "report.html"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "written atomically: no temporary file left");
        }
    }

    @Test
    void aFailedRewriteIsAWarningAndTheSearchGoesOn() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        try (LiveReport live = LiveReport.start(dir, Duration.ZERO, () -> {
            if (calls.incrementAndGet() > 1) {
                throw new IllegalStateException("render failed");
            }
            return snapshot(0);
        }, 4, 0, warnings::add)) {
            live.request();
            for (int i = 0; i < 100 && warnings.isEmpty(); i++) {
                Thread.sleep(20);
            }
        }
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("warning: could not rewrite the report in " + dir
                + " (java.lang.IllegalStateException: render failed); the search goes on"), warnings.get(0));
        assertTrue(report().contains("0 of 4 trials done"), "the last good report stays");
    }
}
