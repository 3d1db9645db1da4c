package dev.kompakt.experiments.bench;

import dev.kompakt.cluster.SearchCoordinator;
import dev.kompakt.cluster.SparkSetup;
import dev.kompakt.cluster.SparkTrialExecutor;
import dev.kompakt.cluster.TrialOutcome;
import dev.kompakt.cluster.TrialSpec;
import dev.kompakt.cluster.Wire;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.search.Trial;
import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.strategies.plan.CompressionPlan;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/kompakt bench scheduling}: what Spark and the driver add around trials. A real standalone cluster on this
 * machine ({@link LocalStandaloneCluster}: 2 workers x 2 cores by default) runs trials whose task only sleeps a fixed
 * time (no DL4J), through the same {@link SparkTrialExecutor} (one Spark job per trial) and {@link SearchCoordinator}
 * (as many in flight as there are slots) a search uses. Efficiency = the tasks' busy time / (slots x wall time), wall time
 * from the first submission to the last result. A warm-up round (2 trials per slot) runs first and is not counted.
 */
public final class SchedulingBenchmark {
    private SchedulingBenchmark() {
    }

    /** @param queued trials in flight beyond the slots (queued in Spark's scheduler, so a freed slot need not wait for the driver) */
    public static void run(int trials, int sleepMs, int workers, int cores, int queued, Path home, PrintStream out) throws Exception {
        int slots = workers * cores;
        out.printf("# bench scheduling%n%nA standalone cluster of %d workers x %d cores (executors of 512 MB) on this machine (%d cores), %d trials "
                + "of a task that sleeps %d ms, %d in flight (one Spark job per trial, MO-TPE not involved: random sampler), after a warm-up of "
                + "%d trials.%n%n", workers, cores, Runtime.getRuntime().availableProcessors(), trials, sleepMs, slots + queued, 2 * slots);
        try (LocalStandaloneCluster cluster = LocalStandaloneCluster.start(home, System.getProperty("java.class.path"), workers, cores, "1g")) {
            SparkConf conf = SparkSetup.conf("kompakt-bench-scheduling", cluster.masterUrl(), null);
            conf.set("spark.executor.memory", "512m");
            conf.set("spark.cores.max", Integer.toString(slots));
            try (JavaSparkContext spark = SparkSetup.start(conf);
                 SparkTrialExecutor executor = new SparkTrialExecutor(spark, "bench-scheduling", new SleepTrial(sleepMs))) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (executor.executors() < workers) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("only " + executor.executors() + " of " + workers + " executors registered in 120 s");
                    }
                    Thread.sleep(200);
                }
                search(executor, 2 * slots, slots);
                long t0 = System.nanoTime();
                List<Trial> done = search(executor, trials, slots + queued);
                double wall = (System.nanoTime() - t0) / 1e9;
                double busy = done.stream().mapToDouble(t -> t.metric("busy_s")).sum();
                double ideal = Math.ceil((double) trials / slots) * sleepMs / 1000.0;
                out.println("| trials | slots | task sleep s | wall s | ideal wall s | busy s | efficiency busy / (slots x wall) |");
                out.println("|---:|---:|---:|---:|---:|---:|---:|");
                out.printf("| %d | %d+%d | %.3f | %.1f | %.1f | %.1f | %.3f |%n", done.size(), slots, queued, sleepMs / 1000.0, wall, ideal, busy,
                        busy / (slots * wall));
                out.printf("%nOverhead per trial: (slots x wall - busy) / trials = %.0f ms.%n", 1000 * (slots * wall - busy) / done.size());
            }
        }
    }

    private static List<Trial> search(SparkTrialExecutor executor, int trials, int inFlight) throws Exception {
        SearchSpace space = new SearchSpace(List.of(new Parameter.FloatParam("x", 0, 1, false, 0, java.util.Optional.empty())));
        Study study = new Study("bench-scheduling", space, List.of(Objective.minimize("x")), List.of(), new RandomSampler(1));
        TrainingBudget budget = new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 1);
        CompletableFuture<List<Trial>> done = new CompletableFuture<>();
        ActorSystem<SearchCoordinator.Command> system = ActorSystem.create(SearchCoordinator.create(study, executor,
                r -> new TrialSpec(r.number(), CompressionPlan.identity(), budget, r.number()),
                new SearchCoordinator.Settings(trials, inFlight, null), SearchCoordinator.printing(l -> { }), done), "bench-scheduling");
        try {
            return done.get(1, TimeUnit.HOURS);
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /** The task: sleeps, then reports x (the trial's number, scaled) and how long it was busy. */
    static final class SleepTrial implements Function<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private final int sleepMs;

        SleepTrial(int sleepMs) {
            this.sleepMs = sleepMs;
        }

        @Override
        public byte[] call(byte[] specBytes) throws Exception {
            long t0 = System.nanoTime();
            TrialSpec spec = Wire.fromBytes(specBytes, TrialSpec.class);
            Thread.sleep(sleepMs);
            double busy = (System.nanoTime() - t0) / 1e9;
            return Wire.toBytes(new TrialOutcome(spec.trialNumber(), true, Map.of("x", spec.trialNumber() / 1000.0, "busy_s", busy), null,
                    "executor", busy));
        }
    }
}
