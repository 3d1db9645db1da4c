package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.quantization.ChannelQuantization;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Scores the output channels of a weight tensor for structured pruning: the channels with the highest scores
 * are kept. A new criterion is one small implementation of {@link #scores}.
 */
@FunctionalInterface
public interface ImportanceCriterion {

    /**
     * @param weights     the layer's weights (conv [out, in, kh, kw], dense [in, out])
     * @param channelAxis the axis of output channels (0 for conv, 1 for dense)
     * @param gradient    dLoss/dWeights on a calibration batch, same shape, or null when the criterion needs none
     * @return one score per output channel
     */
    double[] scores(INDArray weights, int channelAxis, INDArray gradient);

    /** Whether {@link #scores} reads the gradient (the caller then computes one). */
    default boolean needsGradient() {
        return false;
    }

    /**
     * Whether the criterion reads the scale (gamma) of the batch normalisation that follows the layer; the caller then
     * finds it and calls {@link #scores(INDArray, int, INDArray, INDArray)}.
     */
    default boolean needsBatchNormScale() {
        return false;
    }

    /**
     * As {@link #scores(INDArray, int, INDArray)}, also given {@code batchNormScale}, the gamma of the batch-norm layer
     * that follows the layer (one value per output channel), or null when none does or the criterion needs none. The
     * default ignores it, so criteria that read only the weights need not implement it.
     */
    default double[] scores(INDArray weights, int channelAxis, INDArray gradient, INDArray batchNormScale) {
        return scores(weights, channelAxis, gradient);
    }

    /** Sum of |w| per channel (Li et al. 2017, "Pruning Filters for Efficient ConvNets"). */
    static ImportanceCriterion l1() {
        return (w, axis, g) -> perChannel(w, axis, Math::abs);
    }

    /** Euclidean norm per channel (He et al. 2018, soft filter pruning). */
    static ImportanceCriterion l2() {
        return (w, axis, g) -> {
            double[] s = perChannel(w, axis, x -> x * x);
            for (int i = 0; i < s.length; i++) {
                s[i] = Math.sqrt(s[i]);
            }
            return s;
        };
    }

    /**
     * First-order Taylor estimate of the loss change from removing a channel, |sum over the channel of w * dL/dw|
     * (Molchanov et al. 2019, "Importance Estimation for Neural Network Pruning", on weights).
     */
    static ImportanceCriterion taylor() {
        return new ImportanceCriterion() {
            @Override
            public double[] scores(INDArray w, int axis, INDArray g) {
                if (g == null) {
                    throw new IllegalArgumentException("the taylor criterion needs the weights' gradient");
                }
                float[] wv = w.dup('c').data().asFloat();
                float[] gv = g.dup('c').data().asFloat();
                long[] shape = w.shape();
                int channels = (int) shape[axis];
                long stride = ChannelQuantization.stride(shape, axis);
                double[] s = new double[channels];
                for (int i = 0; i < wv.length; i++) {
                    s[(int) ((i / stride) % channels)] += (double) wv[i] * gv[i];
                }
                for (int c = 0; c < channels; c++) {
                    s[c] = Math.abs(s[c]);
                }
                return s;
            }

            @Override
            public boolean needsGradient() {
                return true;
            }
        };
    }

    /** Uniform random scores, a baseline for the other criteria; deterministic for a seed. */
    static ImportanceCriterion random(long seed) {
        return (w, axis, g) -> {
            SplittableRandom r = new SplittableRandom(seed + w.length() * 31 + w.size(axis));
            double[] s = new double[(int) w.size(axis)];
            for (int i = 0; i < s.length; i++) {
                s[i] = r.nextDouble();
            }
            return s;
        };
    }

    /**
     * Network slimming (Liu et al. 2017, "Learning Efficient Convolutional Networks through Network Slimming"): |gamma|
     * of the batch-norm layer that follows, per channel; the weights are not read. Only for layers followed by batch
     * normalisation: {@link #scores(INDArray, int, INDArray)} without the scale throws.
     */
    static ImportanceCriterion bnScale() {
        return new ImportanceCriterion() {
            @Override
            public double[] scores(INDArray w, int axis, INDArray g) {
                return scores(w, axis, g, null);
            }

            @Override
            public double[] scores(INDArray w, int axis, INDArray g, INDArray gamma) {
                if (gamma == null) {
                    throw new IllegalArgumentException("the bn_scale criterion needs the scale (gamma) of a batch normalisation after the layer");
                }
                if (gamma.length() != w.size(axis)) {
                    throw new IllegalArgumentException("the bn_scale criterion got " + gamma.length() + " batch-norm scales for "
                            + w.size(axis) + " channels");
                }
                float[] v = gamma.dup('c').data().asFloat();
                double[] s = new double[v.length];
                for (int c = 0; c < v.length; c++) {
                    s[c] = Math.abs(v[c]);
                }
                return s;
            }

            @Override
            public boolean needsBatchNormScale() {
                return true;
            }
        };
    }

    /** The criterion names a spec or plan may use. */
    java.util.List<String> NAMES = java.util.List.of("l1", "l2", "taylor", "random", "bn_scale");

    /** The criterion named in a spec or search space: l1, l2, taylor, random or bn_scale. */
    static ImportanceCriterion named(String name, long seed) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "l1" -> l1();
            case "l2" -> l2();
            case "taylor" -> taylor();
            case "random" -> random(seed);
            case "bn_scale" -> bnScale();
            default -> throw new IllegalArgumentException("unknown importance criterion '" + name + "' (known: l1, l2, taylor, random, bn_scale)");
        };
    }

    /** Sum of {@code f(w)} over each output channel. */
    static double[] perChannel(INDArray w, int axis, java.util.function.DoubleUnaryOperator f) {
        float[] v = w.dup('c').data().asFloat();
        long[] shape = w.shape();
        int channels = (int) shape[axis];
        long stride = ChannelQuantization.stride(shape, axis);
        double[] s = new double[channels];
        for (int i = 0; i < v.length; i++) {
            s[(int) ((i / stride) % channels)] += f.applyAsDouble(v[i]);
        }
        return s;
    }

}
