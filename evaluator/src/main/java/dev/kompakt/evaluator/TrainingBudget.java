package dev.kompakt.evaluator;

/**
 * How much training one candidate gets: epochs of fine-tuning when it starts from the baseline's weights,
 * epochs of training when it is a freshly initialised (narrower) student, minibatch size and Adam
 * learning rates, and how many training samples (stratified) are used.
 */
public record TrainingBudget(int fineTuneEpochs, int studentEpochs, int batchSize, double fineTuneLearningRate,
                             double studentLearningRate, int trainSamples) {
    public TrainingBudget {
        if (fineTuneEpochs < 0 || studentEpochs < 1) {
            throw new IllegalArgumentException("budget needs fineTuneEpochs >= 0 and studentEpochs >= 1, got "
                    + fineTuneEpochs + ", " + studentEpochs);
        }
        if (batchSize < 1 || trainSamples < 1) {
            throw new IllegalArgumentException("budget needs batchSize >= 1 and trainSamples >= 1");
        }
        if (!(fineTuneLearningRate > 0) || !(studentLearningRate > 0)) {
            throw new IllegalArgumentException("learning rates must be > 0");
        }
    }
}
