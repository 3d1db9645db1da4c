package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.quantization.ChannelQuantization;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Locale;

/**
 * Sparsity-inducing regularisation of the weight tensors while training, applied as a proximal step after every
 * optimiser step (proximal gradient descent: the optimiser steps on the loss, then the weights move to the proximal
 * point of the penalty for a step of the layer's learning rate). Only the "W" tensors of {@link WeightTensors} are
 * touched; biases and batch-norm parameters are left alone. A new penalty is one small implementation of
 * {@link #proximal}. Implementations are immutable values.
 */
public interface Regularization {
    /** No regularisation. */
    String NONE = "none";
    /** Element-wise L1 (lasso). */
    String L1 = "l1";
    /** Group lasso over output channels. */
    String GROUP_LASSO = "group_lasso";
    /** The penalty names a spec or plan may use, in the order documentation lists them. */
    List<String> NAMES = List.of(NONE, L1, GROUP_LASSO);

    /**
     * Replaces {@code weights}, in place, by the proximal point of the penalty for step size {@code step}.
     *
     * @param weights     one weight tensor (conv [out, in, kh, kw], dense [in, out]), any ordering
     * @param channelAxis the axis of its output channels (0 for conv, 1 for dense)
     * @param step        the step size, the layer's learning rate; the penalty's strength is scaled by it
     */
    void proximal(INDArray weights, int channelAxis, double step);

    /**
     * The proximal step on every weight tensor of {@code net}, each with its layer's current learning rate (of its
     * updater, at the network's iteration and epoch counts). Call it after every optimiser step.
     */
    default void apply(ComputationGraph net) {
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            proximal(t.weights(), t.channelAxis(), learningRate(net, t));
        }
    }

    /** Whether this is {@link #none()} (training can skip it). */
    default boolean isNone() {
        return false;
    }

    static Regularization none() {
        return new None();
    }

    /** Element-wise L1 with strength {@code lambda} > 0. */
    static Regularization l1(double lambda) {
        return new L1(lambda);
    }

    /** Group lasso over output channels with strength {@code lambda} > 0. */
    static Regularization groupLasso(double lambda) {
        return new GroupLasso(lambda);
    }

    /** The penalty named in a spec or plan ({@link #NAMES}); {@code lambda} is ignored for {@code none}. */
    static Regularization named(String name, double lambda) {
        String n = name == null ? NONE : name.toLowerCase(Locale.ROOT);
        return switch (n) {
            case NONE -> none();
            case L1 -> l1(lambda);
            case GROUP_LASSO -> groupLasso(lambda);
            default -> throw new IllegalArgumentException("unknown regularization '" + name + "' (known: none, l1, group_lasso)");
        };
    }

    /** No penalty: {@link #proximal} leaves the weights as they are. */
    record None() implements Regularization {
        @Override
        public void proximal(INDArray weights, int channelAxis, double step) {
        }

        @Override
        public void apply(ComputationGraph net) {
        }

        @Override
        public boolean isNone() {
            return true;
        }
    }

    /**
     * L1 penalty {@code lambda * sum |w|}: element-wise soft-thresholding, {@code w <- sign(w) max(|w| - lambda * step, 0)}
     * (Tibshirani 1996; the proximal operator of the L1 norm). Weights within {@code lambda * step} of zero become exactly
     * zero.
     */
    record L1(double lambda) implements Regularization {
        public L1 {
            requireStrength(lambda);
        }

        @Override
        public void proximal(INDArray weights, int channelAxis, double step) {
            double t = lambda * step;
            float[] v = weights.dup('c').data().asFloat();
            for (int i = 0; i < v.length; i++) {
                double shrunk = Math.abs((double) v[i]) - t;
                v[i] = shrunk > 0 ? (float) Math.copySign(shrunk, v[i]) : 0f;
            }
            weights.assign(Nd4j.create(v, weights.shape(), 'c'));
        }
    }

    /**
     * Group-lasso penalty {@code lambda * sum_g ||w_g||_2} over the output channels g (a conv filter, a dense layer's
     * column of one output unit): block soft-thresholding, {@code w_g <- w_g max(0, 1 - lambda * step / ||w_g||_2)}
     * (Wen et al. 2016, "Learning Structured Sparsity in Deep Neural Networks", filter-wise sparsity, in proximal form).
     * A channel whose norm is at most {@code lambda * step} becomes exactly zero as a whole, which a structured pruner
     * then removes (its L1 and L2 scores are 0). {@link #apply} leaves the output layer alone: its channels are the
     * classes, which structured pruning keeps.
     */
    record GroupLasso(double lambda) implements Regularization {
        public GroupLasso {
            requireStrength(lambda);
        }

        @Override
        public void apply(ComputationGraph net) {
            for (WeightTensors.Target t : WeightTensors.of(net)) {
                if (!(net.getLayer(t.layer()) instanceof IOutputLayer)) {
                    proximal(t.weights(), t.channelAxis(), learningRate(net, t));
                }
            }
        }

        @Override
        public void proximal(INDArray weights, int channelAxis, double step) {
            double t = lambda * step;
            long[] shape = weights.shape();
            int channels = (int) shape[channelAxis];
            long stride = ChannelQuantization.stride(shape, channelAxis);
            float[] v = weights.dup('c').data().asFloat();
            double[] norm = new double[channels];
            for (int i = 0; i < v.length; i++) {
                norm[(int) ((i / stride) % channels)] += (double) v[i] * v[i];
            }
            double[] factor = new double[channels];
            for (int c = 0; c < channels; c++) {
                double n = Math.sqrt(norm[c]);
                factor[c] = n > t ? 1 - t / n : 0;
            }
            for (int i = 0; i < v.length; i++) {
                double f = factor[(int) ((i / stride) % channels)];
                v[i] = f == 0 ? 0f : (float) (v[i] * f);
            }
            weights.assign(Nd4j.create(v, weights.shape(), 'c'));
        }
    }

    private static void requireStrength(double lambda) {
        if (!(lambda > 0) || Double.isInfinite(lambda)) {
            throw new IllegalArgumentException("regularization strength must be finite and > 0, got " + lambda);
        }
    }

    /** The learning rate of the layer's updater now. */
    private static double learningRate(ComputationGraph net, WeightTensors.Target t) {
        Layer conf = net.getLayer(t.layer()).conf().getLayer();
        if (!(conf instanceof BaseLayer base) || base.getIUpdater() == null || !base.getIUpdater().hasLearningRate()) {
            throw new IllegalArgumentException("layer " + t.layer()
                    + " has no updater with a learning rate, which the regularization's proximal step needs");
        }
        return base.getIUpdater().getLearningRate(net.getConfiguration().getIterationCount(), net.getConfiguration().getEpochCount());
    }
}
