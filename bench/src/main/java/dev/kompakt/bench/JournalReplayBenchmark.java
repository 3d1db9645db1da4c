package dev.kompakt.bench;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.sampler.RandomSampler;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Times resuming a study from its journal: a 10,000-trial journal (a Started event, then per trial an Asked event
 * with 10 parameters of every kind and a Finished event with 20 metrics, 2% of trials FAILED) is written once with
 * {@link TrialJournal}; then {@link TrialJournal#read}, {@link TrialJournal#replay}, restoring every trial into a new
 * {@link Study} and computing its Pareto front on 4 objectives are timed: median of 5 runs after a warm-up (the
 * warm-up, a cold JVM's first run, is reported too). Prints a markdown table and PASS/FAIL of the median against 2 s.
 */
public final class JournalReplayBenchmark {
    private static final int TRIALS = 10_000;
    private static final int REPEATS = 5;
    private static final double LIMIT_MS = 2000;

    private static final SearchSpace SPACE = new SearchSpace(List.of(
            new Parameter.FloatParam("prune.amount", 0.0, 0.95),
            new Parameter.FloatParam("train.lr", 1e-5, 1e-1, true, 0, java.util.Optional.empty()),
            new Parameter.FloatParam("distill.temperature", 1.0, 8.0),
            new Parameter.FloatParam("distill.alpha", 0.0, 1.0),
            new Parameter.IntParam("quant.bits", 2, 8, false, 2, java.util.Optional.empty()),
            new Parameter.IntParam("train.epochs", 1, 20),
            new Parameter.IntParam("lowrank.rank", 1, 256),
            new Parameter.Categorical("prune.method", List.of("magnitude", "movement", "random", "structured")),
            new Parameter.Categorical("quant.scheme", List.of("per-tensor", "per-channel")),
            new Parameter.Categorical("train.finetune", List.of(true, false))));
    private static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"), Objective.minimize("size_mb"),
            Objective.minimize("latency_ms"), Objective.minimize("energy_mj"));
    private static final List<Constraint> CONSTRAINTS = List.of(new Constraint("accuracy_drop", 0.05));

    private JournalReplayBenchmark() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("kompakt-journal-bench");
        Path file = dir.resolve("journal.jsonl");
        try {
            long events = write(file, new SplittableRandom(20240611L));
            double[] readMs = new double[REPEATS];
            double[] replayMs = new double[REPEATS];
            double[] restoreMs = new double[REPEATS];
            double[] frontMs = new double[REPEATS];
            double[] totalMs = new double[REPEATS];
            int frontSize = 0;
            int trials = 0;
            double coldMs = 0;
            for (int run = -1; run < REPEATS; run++) { // run -1 is the warm-up
                long t0 = System.nanoTime();
                List<JournalEvent> read = TrialJournal.read(file);
                long t1 = System.nanoTime();
                List<Trial> replayed = TrialJournal.replay(read);
                long t2 = System.nanoTime();
                Study study = new Study("bench", SPACE, OBJECTIVES, CONSTRAINTS, new RandomSampler(1));
                for (Trial t : replayed) {
                    study.restore(t);
                }
                long t3 = System.nanoTime();
                List<Trial> front = study.paretoFront();
                long t4 = System.nanoTime();
                if (read.size() != events || replayed.size() != TRIALS) {
                    throw new IllegalStateException("read " + read.size() + " events and " + replayed.size() + " trials");
                }
                frontSize = front.size();
                trials = replayed.size();
                if (run < 0) {
                    coldMs = (t4 - t0) / 1e6;
                } else {
                    readMs[run] = (t1 - t0) / 1e6;
                    replayMs[run] = (t2 - t1) / 1e6;
                    restoreMs[run] = (t3 - t2) / 1e6;
                    frontMs[run] = (t4 - t3) / 1e6;
                    totalMs[run] = (t4 - t0) / 1e6;
                }
            }
            double total = IndicatorBenchmark.median(totalMs);
            System.out.println("## Journal replay: read + replay + restore into a Study + Pareto front (4 objectives)");
            System.out.println();
            System.out.println("| trials | events | file size (MB) | read (ms) | replay (ms) | restore (ms) | Pareto front (ms) | total (ms) | first run, cold JVM (ms) | front size |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            System.out.printf(Locale.ROOT, "| %,d | %,d | %.2f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %,d |%n", trials, events,
                    Files.size(file) / 1e6, IndicatorBenchmark.median(readMs), IndicatorBenchmark.median(replayMs),
                    IndicatorBenchmark.median(restoreMs), IndicatorBenchmark.median(frontMs), total, coldMs, frontSize);
            System.out.println();
            System.out.printf(Locale.ROOT, "%s: replaying a %,d-trial journal <= 2 s (median %.1f ms)%n",
                    total <= LIMIT_MS ? "PASS" : "FAIL", TRIALS, total);
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    /** Writes the journal; returns the number of events. */
    private static long write(Path file, SplittableRandom random) throws IOException {
        Instant now = Instant.parse("2025-06-01T08:00:00Z");
        long events = 0;
        try (TrialJournal journal = TrialJournal.open(file)) {
            journal.append(new JournalEvent.Started("bench", "0".repeat(64), 20240611L, now.toString()));
            events++;
            for (int i = 0; i < TRIALS; i++) {
                Map<String, Object> params = new LinkedHashMap<>();
                for (Parameter p : SPACE.parameters()) {
                    params.put(p.name(), p.fromUnit(random.nextDouble()));
                }
                now = now.plusMillis(1 + random.nextInt(5000));
                journal.append(new JournalEvent.Asked(i, params, now.toString()));
                now = now.plusMillis(1 + random.nextInt(60_000));
                if (random.nextInt(50) == 0) {
                    journal.append(new JournalEvent.Finished(i, TrialState.FAILED, Map.of(), "java.lang.OutOfMemoryError: trial " + i,
                            "worker-" + (i % 8), now.toString()));
                } else {
                    journal.append(new JournalEvent.Finished(i, TrialState.COMPLETE, metrics(random), null, "worker-" + (i % 8),
                            now.toString()));
                }
                events += 2;
            }
        }
        return events;
    }

    private static Map<String, Double> metrics(SplittableRandom random) {
        Map<String, Double> m = new LinkedHashMap<>();
        double accuracy = 0.6 + 0.35 * random.nextDouble();
        m.put("accuracy", accuracy);
        m.put("size_mb", 1 + 99 * random.nextDouble());
        m.put("latency_ms", 0.5 + 20 * random.nextDouble());
        m.put("energy_mj", 10 + 500 * random.nextDouble());
        m.put("accuracy_drop", 0.95 - accuracy);
        String[] extra = {"top5_accuracy", "loss", "params_m", "flops_g", "sparsity", "bits_avg", "compression_ratio",
                "train_seconds", "eval_seconds", "peak_memory_mb", "throughput_qps", "p50_latency_ms", "p99_latency_ms",
                "calibration_error", "teacher_agreement"};
        for (String name : extra) {
            m.put(name, random.nextDouble() * 100);
        }
        return m;
    }
}
