package dev.kompakt.experiments;

import dev.kompakt.cluster.EpochReportClient;
import dev.kompakt.cluster.TrialOutcome;
import dev.kompakt.cluster.TrialSpec;
import dev.kompakt.cluster.Wire;
import org.apache.spark.api.java.function.Function;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * A trial's task for cluster tests of early stopping, without DL4J: trains "epochs" of {@code epochMs} each (trial 0
 * {@code firstTrialEpochs} of them, the others {@code otherEpochs}),
 * sleeping in slices of 20 ms and checking for interruption between them (as {@code Training.fit} does between
 * minibatches), and reports each epoch to the driver. It ignores the driver's "stop" answer and trains on, so only the
 * cancellation of its job can free its core. Its outcome carries {@code started_ms}, the wall-clock time its task began.
 */
final class EpochSleepTrial implements Function<byte[], byte[]> {
    private static final long serialVersionUID = 1L;
    private final int firstTrialEpochs;
    private final int otherEpochs;
    private final long epochMs;

    EpochSleepTrial(int firstTrialEpochs, int otherEpochs, long epochMs) {
        this.firstTrialEpochs = firstTrialEpochs;
        this.otherEpochs = otherEpochs;
        this.epochMs = epochMs;
    }

    @Override
    public byte[] call(byte[] specBytes) {
        long started = System.currentTimeMillis();
        TrialSpec spec = Wire.fromBytes(specBytes, TrialSpec.class);
        int epochs = spec.trialNumber() == 0 ? firstTrialEpochs : otherEpochs;
        EpochReportClient reports = new EpochReportClient(spec.reportTo(), spec.trialNumber(), "executor");
        for (int e = 1; e <= epochs; e++) {
            for (long slept = 0; slept < epochMs; slept += 20) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    System.err.println("kompakt test executor " + ManagementFactory.getRuntimeMXBean().getName() + ": trial " + spec.trialNumber()
                            + " interrupted in epoch " + e);
                    throw new IllegalStateException("interrupted in epoch " + e);
                }
            }
            reports.epochEnded(e, epochs, Map.of("accuracy", 0.5, "size_bytes", 100.0));   // the answer is ignored on purpose
        }
        return Wire.toBytes(new TrialOutcome(spec.trialNumber(), true, Map.of("accuracy", 0.5, "size_bytes", 100.0, "started_ms", (double) started),
                null, "executor", (System.currentTimeMillis() - started) / 1000.0));
    }
}
