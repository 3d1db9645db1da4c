package dev.kompakt.cluster;

import java.util.Map;

/**
 * What an executor tells the driver after each epoch of a trial's training (see {@link EpochReportServer}): the trial,
 * the epochs done and in all, where it runs, and the candidate's {@link dev.kompakt.evaluator.CandidateEvaluator#EPOCH_METRICS}.
 * The driver answers with a {@link Decision}. Both cross as JSON.
 */
public record EpochReport(int trial, int epoch, int epochs, String worker, Map<String, Double> values) {
    public EpochReport {
        values = values == null ? Map.of() : Map.copyOf(values);
    }

    /** The driver's answer: stop the trial's training now, or go on. */
    public record Decision(boolean stop) {
    }
}
