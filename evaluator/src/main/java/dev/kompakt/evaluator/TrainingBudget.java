package dev.kompakt.evaluator;

/**
 * How much training one candidate gets: epochs of fine-tuning when it starts from the baseline's weights,
 * epochs of training when it is a freshly initialised (narrower) student, minibatch size and Adam
 * learning rates, how many training samples (stratified) are used, how the learning rate moves over the training
 * ({@link Schedule}; null reads as {@link Schedule#CONSTANT}, as budgets recorded before schedules existed trained), and
 * how training images are augmented ({@link Augmentation}; null reads as none).
 */
public record TrainingBudget(int fineTuneEpochs, int studentEpochs, int batchSize, double fineTuneLearningRate,
                             double studentLearningRate, int trainSamples, Schedule learningRateSchedule, Augmentation augmentation) {
    /**
     * Random image augmentation of every training batch ({@link dev.kompakt.evaluator.net.ImageAugmentation}): horizontal
     * flips (probability 1/2) and shifts of up to {@code shift} pixels; {@link #NONE} trains on the images as they are.
     */
    public record Augmentation(boolean flip, int shift) {
        public static final Augmentation NONE = new Augmentation(false, 0);

        public Augmentation {
            if (shift < 0) {
                throw new IllegalArgumentException("augmentation shift must be >= 0, got " + shift);
            }
        }

        /** Whether it changes any image. */
        public boolean active() {
            return flip || shift > 0;
        }
    }

    /** The learning rate over one candidate's training, as a fraction of the budget's rate at optimiser step s of S. */
    public enum Schedule {
        /** The budget's rate throughout. */
        CONSTANT,
        /**
         * Cosine annealing without restarts (Loshchilov and Hutter 2017, "SGDR"): {@code 0.5 (1 + cos(pi s / S))}, from the
         * full rate at the first step to 0 after the last.
         */
        COSINE;

        /** The fraction of the initial rate at step {@code step} (0-based) of {@code steps}. */
        public double factor(long step, long steps) {
            if (this == CONSTANT || steps <= 0) {
                return 1.0;
            }
            return 0.5 * (1 + Math.cos(Math.PI * Math.min(step, steps) / steps));
        }
    }

    /** A budget at a constant learning rate. */
    public TrainingBudget(int fineTuneEpochs, int studentEpochs, int batchSize, double fineTuneLearningRate, double studentLearningRate,
                          int trainSamples) {
        this(fineTuneEpochs, studentEpochs, batchSize, fineTuneLearningRate, studentLearningRate, trainSamples, Schedule.CONSTANT);
    }

    /** A budget without augmentation. */
    public TrainingBudget(int fineTuneEpochs, int studentEpochs, int batchSize, double fineTuneLearningRate, double studentLearningRate,
                          int trainSamples, Schedule learningRateSchedule) {
        this(fineTuneEpochs, studentEpochs, batchSize, fineTuneLearningRate, studentLearningRate, trainSamples, learningRateSchedule,
                Augmentation.NONE);
    }

    public TrainingBudget {
        if (learningRateSchedule == null) {
            learningRateSchedule = Schedule.CONSTANT;
        }
        if (augmentation == null) {
            augmentation = Augmentation.NONE;
        }
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
