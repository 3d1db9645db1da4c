package dev.kompakt.cluster;

import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs each trial as its own small Spark job of one partition ({@code collectAsync}), so results stream back
 * one by one instead of waiting for a batch (Spark is a batch engine; see hyperopt#414). The job payload
 * is broadcast once. Spark's Java futures have no callbacks, so one daemon thread per in-flight trial waits
 * on each and completes a {@link CompletableFuture}.
 */
public final class SparkTrialExecutor implements TrialExecutor {
    private final JavaSparkContext spark;
    private final String runId;
    private final Broadcast<byte[][]> payload;
    private final ExecutorService waiters;
    private final AtomicInteger waiterCount = new AtomicInteger();
    /** What a task does with a trial's encoded spec (its encoded outcome back). */
    private final Function<byte[], byte[]> body;

    public SparkTrialExecutor(JavaSparkContext spark, JobPayload payload) {
        this.spark = spark;
        this.runId = payload.header().id();
        this.payload = spark.broadcast(payload.toBytes());
        this.body = new EvaluateTrial(runId, this.payload);
        this.waiters = waiters();
    }

    /**
     * Runs {@code body} as each trial's task instead of the evaluation (benchmarks of the scheduling itself: a body that
     * sleeps measures what Spark and the coordinator add around a trial). Nothing is broadcast.
     */
    public SparkTrialExecutor(JavaSparkContext spark, String runId, Function<byte[], byte[]> body) {
        this.spark = spark;
        this.runId = runId;
        this.payload = null;
        this.body = body;
        this.waiters = waiters();
    }

    private ExecutorService waiters() {
        return Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "kompakt-trial-waiter-" + waiterCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletionStage<TrialOutcome> submit(TrialSpec spec) {
        spark.setJobGroup(jobGroup(spec.trialNumber()), "Kompakt trial " + spec.trialNumber(), true);
        JavaFutureAction<List<byte[]>> job = spark.parallelize(List.of(Wire.toBytes(spec)), 1)
                .map(body)
                .collectAsync();
        spark.clearJobGroup();
        CompletableFuture<TrialOutcome> result = new CompletableFuture<>();
        waiters.execute(() -> {
            try {
                List<byte[]> out = job.get();
                result.complete(Wire.fromBytes(out.get(0), TrialOutcome.class));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                result.completeExceptionally(e);
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private String jobGroup(int number) {
        return "kompakt-" + runId + "-trial-" + number;
    }

    /** Cancels the trial's job group; its task thread is interrupted (interruptOnCancel), which training checks per minibatch. */
    @Override
    public void cancel(int number) {
        spark.cancelJobGroup(jobGroup(number));
    }

    @Override
    public int parallelism() {
        return Math.max(1, spark.defaultParallelism());
    }

    /** On a cluster, the executors registered now (the block managers less the driver's); -1 in local mode. */
    @Override
    public int executors() {
        if (spark.isLocal()) {
            return -1;
        }
        return Math.max(0, spark.sc().getExecutorMemoryStatus().size() - 1);
    }

    @Override
    public void close() {
        waiters.shutdownNow();
        if (payload != null) {
            payload.destroy();
        }
    }

    /** The task body: decode the trial, evaluate it with this executor's cached context, encode the outcome. */
    static final class EvaluateTrial implements Function<byte[], byte[]> {
        private static final long serialVersionUID = 1L;
        private final String runId;
        private final Broadcast<byte[][]> payload;

        EvaluateTrial(String runId, Broadcast<byte[][]> payload) {
            this.runId = runId;
            this.payload = payload;
        }

        @Override
        public byte[] call(byte[] specBytes) {
            TrialSpec spec = Wire.fromBytes(specBytes, TrialSpec.class);
            return Wire.toBytes(ExecutorRuntime.run(runId, payload.value(), spec));
        }
    }
}
