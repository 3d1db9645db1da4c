package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.function.LongToDoubleFunction;

/**
 * The learning rate of one training, step by step: before optimiser step s (counted over every
 * {@link Training#fit} call it is passed to, so a training in rounds follows one schedule) the rate is
 * {@code initial * factor(s)}. DL4J's {@link ComputationGraph#setLearningRate(double)} sets it on every layer and rebuilds
 * the updater around its state (Adam's moments are kept); it is called only when the rate moved by more than
 * {@link #RESOLUTION} of the initial rate since it was last set, so a training makes at most ~200 such calls.
 * Kompakt's own loop rather than an ND4J {@code ISchedule} on the updater: ND4J 1.0.0-M2.1 has no cosine schedule, and a
 * schedule class of our own would be written into every saved network's configuration.
 */
public final class LearningRateSteps {
    /** The change of rate, as a share of the initial rate, below which the network keeps the rate it has. */
    public static final double RESOLUTION = 0.005;
    private final double initial;
    private final LongToDoubleFunction factor;
    private long step;
    private double applied = Double.NaN;

    public LearningRateSteps(double initial, LongToDoubleFunction factor) {
        if (!(initial > 0)) {
            throw new IllegalArgumentException("initial learning rate must be > 0, got " + initial);
        }
        this.initial = initial;
        this.factor = factor;
    }

    /** Sets the rate of the next step on {@code net} (when it moved enough) and counts the step. */
    void beforeStep(ComputationGraph net) {
        double lr = rate(step++);
        if (Double.isNaN(applied) || Math.abs(lr - applied) > RESOLUTION * initial) {
            net.setLearningRate(lr);
            applied = lr;
        }
    }

    /** The scheduled rate at step {@code s} (0-based). */
    public double rate(long s) {
        return initial * factor.applyAsDouble(s);
    }

    /** Steps counted so far. */
    public long steps() {
        return step;
    }

    /** The rate the network was last set to (NaN before the first step). */
    public double applied() {
        return applied;
    }
}
