package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.sampler.MotpeSampler;
import dev.kompakt.strategies.plan.CompressionSpace;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bin/kompakt bench ask}: how long the driver's MO-TPE takes to propose a trial when the history is long and
 * several trials are in flight, on the quickstart's compression space, objectives and constraint. The history is
 * restored (as a resumed search's is) with random assignments and synthetic metrics; then, with {@code inFlight} trials
 * running, each step tells the oldest running trial its result and asks a new one, timing the ask.
 */
public final class AskLatencyBenchmark {
    private AskLatencyBenchmark() {
    }

    public static void run(Path spec, List<Integer> histories, int inFlight, int asks, long seed, PrintStream out) throws Exception {
        ExperimentSpec s = SpecLoader.load(spec, ProfileRegistry.builtIn().all().keySet());
        SearchSpace space = CompressionSpace.of(s.strategies());
        out.printf("# bench ask%n%nSpace: %s (%d parameters), objectives %s, constraints %s; MO-TPE defaults; %d in flight (constant liar); "
                        + "%d timed asks after the history is restored; synthetic metrics; seed %d; %s, %d cores%n%n", spec, space.parameters().size(),
                s.search().objectives().stream().map(Objective::metric).toList(), s.search().constraints(), inFlight, asks, seed,
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        out.println("| finished trials | median ask ms | p90 ms | max ms | mean ms |");
        out.println("|---:|---:|---:|---:|---:|");
        for (int finished : histories) {
            double[] ms = measure(space, s, finished, inFlight, asks, seed);
            double[] sorted = ms.clone();
            Arrays.sort(sorted);
            out.printf("| %,d | %.1f | %.1f | %.1f | %.1f |%n", finished, sorted[sorted.length / 2], sorted[(int) Math.floor(0.9 * (sorted.length - 1))],
                    sorted[sorted.length - 1], Arrays.stream(ms).average().orElse(Double.NaN));
        }
    }

    /**
     * What keeping the Pareto front costs the coordinator per result (the progress line after every trial): the whole front
     * recomputed from all trials ({@link dev.kompakt.search.pareto.ParetoFront#of}, what it did before) against one
     * {@link dev.kompakt.search.pareto.IncrementalFront#add} per result (what it does now).
     */
    public static void frontUpdates(Path spec, List<Integer> histories, long seed, PrintStream out) throws Exception {
        ExperimentSpec s = SpecLoader.load(spec, ProfileRegistry.builtIn().all().keySet());
        out.printf("%n## Front per result%n%nThe coordinator's progress line after each result needs the front's size. Synthetic metrics as above;"
                + " recompute = ParetoFront.of over all trials (median of 5); incremental = IncrementalFront.add, mean over adding the same"
                + " trials one by one.%n%n");
        out.println("| finished trials | front size | recompute ms per result | incremental us per result |");
        out.println("|---:|---:|---:|---:|");
        for (int n : histories) {
            SplittableRandom random = new SplittableRandom(seed);
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            List<Trial> trials = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                trials.add(new Trial(i, TrialState.COMPLETE, new Assignment(Map.of()), metrics(s, random), null, "bench", t, t));
            }
            double[] recompute = new double[5];
            int size = 0;
            for (int k = 0; k < recompute.length; k++) {
                long t0 = System.nanoTime();
                size = dev.kompakt.search.pareto.ParetoFront.of(trials, s.search().objectives(), s.search().constraints()).size();
                recompute[k] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(recompute);
            dev.kompakt.search.pareto.IncrementalFront front = new dev.kompakt.search.pareto.IncrementalFront(s.search().objectives(),
                    s.search().constraints());
            long t0 = System.nanoTime();
            trials.forEach(front::add);
            double perAddUs = (System.nanoTime() - t0) / 1e3 / n;
            if (front.size() != size) {
                throw new IllegalStateException("incremental front has " + front.size() + " members, ParetoFront.of " + size);
            }
            out.printf("| %,d | %d | %.2f | %.1f |%n", n, size, recompute[2], perAddUs);
        }
    }

    static double[] measure(SearchSpace space, ExperimentSpec s, int finished, int inFlight, int asks, long seed) {
        Study study = new Study("bench-ask", space, s.search().objectives(), s.search().constraints(), new MotpeSampler(seed));
        SplittableRandom random = new SplittableRandom(seed);
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        for (int i = 0; i < finished; i++) {
            Assignment a = space.fromUnit(p -> random.nextDouble());
            study.restore(new Trial(i, TrialState.COMPLETE, a, metrics(s, random), null, "bench", t, t));
        }
        ArrayDeque<Integer> running = new ArrayDeque<>();
        for (int i = 0; i < inFlight; i++) {
            running.add(study.ask().number());
        }
        double[] ms = new double[asks];
        for (int i = 0; i < asks; i++) {
            study.tell(running.poll(), TrialResult.complete(metrics(s, random), "bench"));
            long t0 = System.nanoTime();
            running.add(study.ask().number());
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return ms;
    }

    /** Random values for the objectives and constraints: accuracy-like in [0.5, 1], costs log-uniform over 3 decades. */
    private static Map<String, Double> metrics(ExperimentSpec s, SplittableRandom random) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (Objective o : s.search().objectives()) {
            m.put(o.metric(), o.metric().startsWith("accuracy") ? 0.5 + 0.5 * random.nextDouble() : Math.pow(10, 3 * random.nextDouble()));
        }
        s.search().constraints().forEach(c -> m.putIfAbsent(c.metric(), 0.1 * random.nextDouble()));
        return m;
    }
}
