package dev.kompakt.evaluator;

import java.util.Map;

/**
 * Told after each epoch of a candidate's training what the candidate would measure if its training ended there (see
 * {@link CandidateEvaluator#evaluate(dev.kompakt.strategies.plan.CompressionPlan, TrainingBudget, long, EpochListener)}),
 * and answers whether to go on: the hook through which a search stops unpromising trials early.
 */
@FunctionalInterface
public interface EpochListener {

    /**
     * @param epoch  epochs of the candidate's training done so far (1-based)
     * @param epochs epochs its training has in all (after the last one, stopping saves nothing)
     * @param values {@link CandidateEvaluator#EPOCH_METRICS} of the candidate as it would be if its training ended now
     * @return true to go on training, false to stop now (the evaluation then ends with a
     * {@link dev.kompakt.evaluator.net.TrainingInterruptedException})
     */
    boolean epochEnded(int epoch, int epochs, Map<String, Double> values);
}
