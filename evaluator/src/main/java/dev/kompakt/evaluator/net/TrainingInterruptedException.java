package dev.kompakt.evaluator.net;

/** Training stopped between two minibatches because its thread was interrupted (its Spark job was cancelled). */
public final class TrainingInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingInterruptedException(String message) {
        super(message);
    }
}
