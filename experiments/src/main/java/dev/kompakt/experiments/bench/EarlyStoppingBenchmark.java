package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.RecordedRun;
import dev.kompakt.experiments.SearchRunner;
import dev.kompakt.experiments.report.RunComparison;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * {@code bin/kompakt bench early-stopping}: per seed, the quickstart problem with longer training searched twice on embedded
 * Spark ({@code local[*]}): at full fidelity ({@code --trials} trials, every one trained to the end), then with early
 * stopping ({@code search.earlyStopping}) for half the full run's search time ({@code budget.maxMinutes}, as many trials
 * as fit). Both runs' hypervolumes come from {@link RunComparison} (one normalisation over both runs, as
 * {@code kompakt compare}); the early-stopping run's hypervolume is followed trial by trial in finishing order, to say
 * when it first reached the full run's. Search time is from the first trial's start to the last trial's end (the
 * baseline, trained by the first run and read from the cache by the second, and Spark's start are left out of both).
 */
public final class EarlyStoppingBenchmark {
    /** What the benchmark runs with. */
    public record Settings(List<Long> seeds, int trials, int fineTuneEpochs, int studentEpochs, String rule, int minEpochs, int reductionFactor,
                           Path runsDir, Path quickstart) {
    }

    private EarlyStoppingBenchmark() {
    }

    record Outcome(long seed, RecordedRun full, RecordedRun stopping, Duration fullTime, Duration stoppingTime, double fullHv, double stoppingHv,
                   Duration reached, long stopped, long complete, double fullHvAtHalf) {
    }

    public static void run(Settings s, PrintStream out) throws Exception {
        Instant begun = Instant.now();
        Files.createDirectories(s.runsDir());
        String quickstart = Files.readString(s.quickstart());
        List<Outcome> outcomes = new ArrayList<>();
        for (long seed : s.seeds()) {
            String full = spec(quickstart, "full-" + seed, seed, s, s.trials(), 0, null);
            RecordedRun fullRun = search(s, "full-" + seed, full, out);
            Duration fullTime = searchTime(fullRun.trials());
            double minutes = fullTime.toMillis() / 2.0 / 60_000;
            String stopping = spec(quickstart, s.rule() + "-" + seed, seed, s, 100_000, minutes, s.rule());
            RecordedRun stoppingRun = search(s, s.rule() + "-" + seed, stopping, out);
            RunComparison cmp = RunComparison.of(List.of(fullRun, stoppingRun));
            double fullHv = cmp.rows().get(0).hypervolume();
            Duration reached = reached(cmp, stoppingRun.trials(), fullHv);
            Outcome o = new Outcome(seed, fullRun, stoppingRun, fullTime, searchTime(stoppingRun.trials()), fullHv, cmp.rows().get(1).hypervolume(),
                    reached, count(stoppingRun, TrialState.STOPPED), count(stoppingRun, TrialState.COMPLETE),
                    cmp.hypervolumeOf(finishedBy(fullRun.trials(), fullTime.dividedBy(2))));
            outcomes.add(o);
            out.printf("  seed %d: full HV %.4f in %s; %s HV %.4f in %s, reached the full run's at %s%n", seed, fullHv, fmt(fullTime), s.rule(),
                    o.stoppingHv(), fmt(o.stoppingTime()), reached == null ? "never" : fmt(reached));
        }
        report(s, outcomes, Duration.between(begun, Instant.now()), out);
    }

    /** The quickstart spec with this benchmark's name, seed, trials, epochs, wall-time budget and early stopping. */
    static String spec(String quickstart, String name, long seed, Settings s, int trials, double maxMinutes, String rule) {
        String spec = replace(quickstart, "name: quickstart ", "name: " + name + " ");
        spec = replace(spec, "seed: 42 ", "seed: " + seed + " ");
        spec = replace(spec, "  trials: 30 ", "  trials: " + trials + " ");
        spec = replace(spec, "  fineTuneEpochs: 1 ", "  fineTuneEpochs: " + s.fineTuneEpochs() + " ");
        spec = replace(spec, "  studentEpochs: 2 ", "  studentEpochs: " + s.studentEpochs() + " ");
        if (maxMinutes > 0) {
            spec = replace(spec, "  # maxMinutes: 480 ", String.format(Locale.ROOT, "  maxMinutes: %.4f ", maxMinutes));
        }
        if (rule != null) {
            spec = replace(spec, "  objectives:\n", String.format(Locale.ROOT, "  earlyStopping: { rule: %s, minEpochs: %d, reductionFactor: %d }%n"
                    + "  objectives:%n", rule, s.minEpochs(), s.reductionFactor()));
        }
        return "# written by bin/kompakt bench early-stopping from experiments/quickstart.yaml\n" + spec;
    }

    private static String replace(String text, String what, String with) {
        if (!text.contains(what)) {
            throw new IllegalStateException("the quickstart spec has no '" + what.strip() + "' to change; the benchmark needs updating");
        }
        return text.replace(what, with);
    }

    /**
     * Runs one search, or reuses a finished full-fidelity run of the same spec in the runs directory (a benchmark interrupted
     * after it: the same spec, comments aside, every trial finished), which the output then says.
     */
    private static RecordedRun search(Settings s, String name, String specText, PrintStream out) throws Exception {
        Path specFile = s.runsDir().resolve(name + ".yaml");
        Path runDir = s.runsDir().resolve(name);
        ExperimentSpec wanted = SpecLoader.parse(specText, specFile.toString(), s.runsDir(), ProfileRegistry.builtIn().all().keySet());
        if (Files.isRegularFile(specFile) && Files.isRegularFile(runDir.resolve("trials.jsonl"))) {
            RecordedRun earlier = RecordedRun.load(runDir, ProfileRegistry.builtIn().all().keySet());
            ExperimentSpec spec = SpecLoader.load(specFile, ProfileRegistry.builtIn().all().keySet());
            if (spec.equals(wanted) && spec.budget().maxMinutes() == 0 && earlier.trials().size() == spec.budget().trials()
                    && earlier.trials().stream().allMatch(t -> t.state().isFinished())) {
                out.printf("reusing %s: the same spec, all %d trials finished%n", runDir, earlier.trials().size());
                return earlier;
            }
        }
        Files.writeString(specFile, specText);
        ExperimentSpec spec = SpecLoader.load(specFile, ProfileRegistry.builtIn().all().keySet());
        out.printf("searching %s (%s) ...%n", name, runDir);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try {
            SearchRunner.run(spec, specText, new SearchRunner.Options("local[*]", runDir, null, null, null),
                    new PrintStream(console, true, StandardCharsets.UTF_8));
        } finally {
            Files.writeString(s.runsDir().resolve(name + ".log"), console.toString(StandardCharsets.UTF_8));
        }
        return RecordedRun.load(runDir, ProfileRegistry.builtIn().all().keySet());
    }

    /** From the first trial's start to the last trial's end. */
    static Duration searchTime(List<Trial> trials) {
        Instant first = trials.stream().map(Trial::started).filter(java.util.Objects::nonNull).min(Comparator.naturalOrder()).orElseThrow();
        Instant last = trials.stream().map(Trial::finished).filter(java.util.Objects::nonNull).max(Comparator.naturalOrder()).orElseThrow();
        return Duration.between(first, last);
    }

    /** When (search time) the trials finished so far first had a hypervolume of at least {@code target}; null if never. */
    static Duration reached(RunComparison cmp, List<Trial> trials, double target) {
        Instant first = trials.stream().map(Trial::started).filter(java.util.Objects::nonNull).min(Comparator.naturalOrder()).orElseThrow();
        List<Trial> byEnd = trials.stream().filter(t -> t.finished() != null).sorted(Comparator.comparing(Trial::finished)).toList();
        List<Trial> done = new ArrayList<>();
        for (Trial t : byEnd) {
            done.add(t);
            if (t.state() == TrialState.COMPLETE && cmp.hypervolumeOf(done) >= target) {
                return Duration.between(first, t.finished());
            }
        }
        return null;
    }

    /** The trials finished within {@code time} of the first trial's start. */
    static List<Trial> finishedBy(List<Trial> trials, Duration time) {
        Instant first = trials.stream().map(Trial::started).filter(java.util.Objects::nonNull).min(Comparator.naturalOrder()).orElseThrow();
        return trials.stream().filter(t -> t.finished() != null && !t.finished().isAfter(first.plus(time))).toList();
    }

    private static long count(RecordedRun run, TrialState state) {
        return run.trials().stream().filter(t -> t.state() == state).count();
    }

    private static void report(Settings s, List<Outcome> outcomes, Duration total, PrintStream out) {
        out.printf("%n# Early stopping (%s) against full-fidelity search%n%n", s.rule());
        out.printf("Command: `bin/kompakt bench early-stopping --seeds %d --seed %d --trials %d --fine-tune-epochs %d --student-epochs %d --rule %s"
                        + " --min-epochs %d --reduction-factor %d`; %s in all, embedded Spark local[*] on %d cores.%n%n",
                s.seeds().size(), s.seeds().get(0), s.trials(), s.fineTuneEpochs(), s.studentEpochs(), s.rule(),
                s.minEpochs(), s.reductionFactor(), fmt(total), Runtime.getRuntime().availableProcessors());
        out.printf("Problem: experiments/quickstart.yaml (objectives accuracy, latency_ms@rpi4, energy_mj@stm32h7, size_bytes; constraint"
                + " accuracy_drop <= 0.05; MO-TPE) with fineTuneEpochs %d and studentEpochs %d. Per seed, the full run trains all %d trials to"
                + " the end; the early-stopping run (search.earlyStopping: {rule: %s, minEpochs: %d, reductionFactor: %d}) asks trials"
                + " for half the full run's search time (budget.maxMinutes), then finishes those in flight. Hypervolumes as `kompakt"
                + " compare` (both runs' feasible points normalised together, reference 1.1). Search time: first trial's start to the"
                + " last trial's end.%n%n", s.fineTuneEpochs(), s.studentEpochs(), s.trials(), s.rule(), s.minEpochs(), s.reductionFactor());
        out.println("| seed | full: trials | full: HV | full: search time | full: HV at half its time | ES: trials (complete / stopped) | ES: HV"
                + " | ES: search time | ES reached full HV at | as share of full time | met (<= 50%) |");
        out.println("|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|");
        int met = 0;
        for (Outcome o : outcomes) {
            double share = o.reached() == null ? Double.NaN : (double) o.reached().toMillis() / o.fullTime().toMillis();
            boolean ok = !Double.isNaN(share) && share <= 0.5;
            met += ok ? 1 : 0;
            out.printf("| %d | %d | %.4f | %s | %.4f | %d (%d / %d) | %.4f | %s | %s | %s | %s |%n", o.seed(), o.full().trials().size(), o.fullHv(),
                    fmt(o.fullTime()), o.fullHvAtHalf(), o.stopping().trials().size(), o.complete(), o.stopped(), o.stoppingHv(), fmt(o.stoppingTime()),
                    o.reached() == null ? "not reached" : fmt(o.reached()), Double.isNaN(share) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * share),
                    ok ? "yes" : "no");
        }
        out.printf("%n%d of %d seeds met the target. Epochs trained: ", met, outcomes.size());
        List<String> epochs = new ArrayList<>();
        for (Outcome o : outcomes) {
            epochs.add(String.format(Locale.ROOT, "seed %d: full %d, early stopping %d", o.seed(), epochsTrained(o.full(), s), epochsTrained(o.stopping(), s)));
        }
        out.println(String.join("; ", epochs) + " (a stopped trial counts the epochs it reported; a complete one its budget).");
        out.printf("Runs: %s.%n", s.runsDir());
    }

    /** Epochs of training in a run: a stopped trial's last reported epoch, a complete or failed one's full budget. */
    private static long epochsTrained(RecordedRun run, Settings s) {
        long sum = 0;
        for (Trial t : run.trials()) {
            if (t.state() == TrialState.STOPPED) {
                sum += t.lastStep().orElse(0);
            } else if (t.state().isFinished()) {
                double width = t.assignment().has("student.width") ? t.assignment().getDouble("student.width") : 1.0;
                sum += width < 1.0 ? s.studentEpochs() : s.fineTuneEpochs();
            }
        }
        return sum;
    }

    private static String fmt(Duration d) {
        return String.format(Locale.ROOT, "%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
    }
}
