package dev.kompakt.cluster;

import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.EvaluationContext;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.ModelBytes;
import dev.kompakt.evaluator.onnx.HostCalibration;
import dev.kompakt.search.TrialResult;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-JVM state of an executor: the evaluation context of each search run, decoded from its broadcast once
 * and reused by every task in this JVM (the teacher, the datasets as ND4J arrays, the teacher's soft
 * predictions). Thread-safe.
 */
public final class ExecutorRuntime {
    private static final Map<String, CandidateEvaluator> EVALUATORS = new HashMap<>();
    /** This executor's CPU model, recorded with every trial it measures. */
    private static final String CPU = LatencyProbe.hostCpu();

    static {
        dev.kompakt.evaluator.net.NativeRuntime.configure(); // an executor JVM loads ND4J after this class
    }

    private ExecutorRuntime() {
    }

    static synchronized CandidateEvaluator evaluator(String runId, byte[][] payloadBytes) {
        return EVALUATORS.computeIfAbsent(runId, id -> {
            JobPayload payload = JobPayload.fromBytes(payloadBytes);
            JobPayload.Header h = payload.header();
            EvaluationContext context = new EvaluationContext(ModelBytes.read(payload.baselineModel()),
                    payload.train(), payload.validation(), payload.test(), h.baselineAccuracy(), h.baselineSizeBytes(), h.profiles());
            return new CandidateEvaluator(context, new LatencyProbe(h.latencyWarmup(), h.latencyRepeats(), h.latencyBatch(), h.intraOpThreads()),
                    hostCalibration(h.intraOpThreads()));
        });
    }

    /**
     * This JVM's host calibration (see {@link HostCalibration}): measured at the first trial, before any trial of this
     * JVM trains (the other task threads wait on this class's lock for their evaluator); cached for the JVM's life.
     * Work outside the trials (another process, or the driver in local mode) can still disturb its timings.
     */
    static HostCalibration hostCalibration(int intraOpThreads) {
        boolean fresh = !HostCalibration.isCached(intraOpThreads);
        HostCalibration c = HostCalibration.forThisJvm(intraOpThreads);
        if (fresh) {
            System.err.println("kompakt executor " + ManagementFactory.getRuntimeMXBean().getName() + ": " + c.describe() + "; "
                    + dev.kompakt.evaluator.net.NativeRuntime.describe());
        }
        return c;
    }

    /**
     * Runs one trial. Never throws for a failing candidate: an exception or error inside the evaluation
     * becomes a failed outcome with its cause, so one bad candidate cannot fail the Spark job.
     */
    public static TrialOutcome run(String runId, byte[][] payload, TrialSpec spec) {
        long t0 = System.nanoTime();
        try {
            CandidateEvaluator evaluator = evaluator(runId, payload);
            EpochReportClient reports = spec.reportTo() == null ? null : new EpochReportClient(spec.reportTo(), spec.trialNumber(), workerName());
            Map<String, Double> metrics = evaluator.evaluate(spec.plan(), spec.budget(), spec.seed(), reports);
            return new TrialOutcome(spec.trialNumber(), true, metrics, null, workerName(), (System.nanoTime() - t0) / 1e9);
        } catch (dev.kompakt.evaluator.net.TrainingInterruptedException e) {
            // the driver stopped it early, or cancelled its job (early stop, trial timeout): it no longer waits for this outcome;
            // say so in the executor's log
            System.err.println("kompakt executor " + ManagementFactory.getRuntimeMXBean().getName() + ": trial " + spec.trialNumber()
                    + " ended by the driver (early stop or cancelled job): " + e.getMessage());
            return new TrialOutcome(spec.trialNumber(), false, Map.of(), TrialResult.describe(e), workerName(), (System.nanoTime() - t0) / 1e9);
        } catch (Exception | OutOfMemoryError | StackOverflowError | NoClassDefFoundError | UnsatisfiedLinkError e) {
            return new TrialOutcome(spec.trialNumber(), false, Map.of(), TrialResult.describe(e), workerName(),
                    (System.nanoTime() - t0) / 1e9);
        } finally {
            // the ND4J workspaces training attached to this thread: Spark may retire this task thread, and a retired
            // thread's workspaces were never given back (the quickstart's resident memory grew by hundreds of MB per trial)
            dev.kompakt.evaluator.net.ThreadMemory.release();
        }
    }

    /** The executor's id (when inside Spark), host and process id. */
    static String workerName() {
        String executor = "driver";
        org.apache.spark.TaskContext task = org.apache.spark.TaskContext.get();
        if (task != null) {
            executor = org.apache.spark.SparkEnv.get().executorId();
        }
        return "executor-" + executor + "@" + ManagementFactory.getRuntimeMXBean().getName() + " (" + CPU + ")";
    }
}
