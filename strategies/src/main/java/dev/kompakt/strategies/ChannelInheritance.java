package dev.kompakt.strategies;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Structured pruning that physically shrinks a network: initialises a narrower network from a wider one of
 * the same layer sequence by keeping, in every conv and dense layer, the output channels that an
 * {@link ImportanceCriterion} ranks highest (L1 norm by default: Li et al. 2017, "Pruning Filters for
 * Efficient ConvNets"), and the matching input channels of the next layer. A dense layer that follows a
 * convolution keeps the flattened positions of the kept channels (DL4J flattens [c, h, w] in C order).
 * The output layer keeps all classes. Pooling layers pass channels through. A batch-normalisation layer
 * between two such layers keeps the kept channels' parameters (gamma, beta and the running mean and variance, or
 * log10 standard deviation, as the layer is configured), so a channel whose gamma and beta are zero is removed without
 * changing the network's outputs. The narrow network must have the same layer types in the same order, each with at
 * most as many outputs as the wide one.
 */
public final class ChannelInheritance {
    private ChannelInheritance() {
    }

    public static void copyStrongestChannels(MultiLayerNetwork wide, MultiLayerNetwork narrow) {
        copyStrongestChannels(wide, narrow, ImportanceCriterion.l1(), java.util.Map.of());
    }

    /**
     * As {@link #copyStrongestChannels(MultiLayerNetwork, MultiLayerNetwork)}, ranking output channels by
     * {@code criterion}; {@code gradients} holds dLoss/dW of the wide network by layer index when the criterion
     * needs it.
     */
    public static void copyStrongestChannels(MultiLayerNetwork wide, MultiLayerNetwork narrow, ImportanceCriterion criterion,
                                             java.util.Map<Integer, INDArray> gradients) {
        if (wide.getnLayers() != narrow.getnLayers()) {
            throw new IllegalArgumentException("networks differ in depth: " + wide.getnLayers() + " vs " + narrow.getnLayers());
        }
        int[] keptInputs = null;      // kept output channels of the previous parametrised layer
        long previousChannels = -1;   // that layer's output channel count in the wide network
        boolean previousWasConv = false;
        for (int i = 0; i < wide.getnLayers(); i++) {
            Layer wc = wide.getLayer(i).conf().getLayer();
            Layer nc = narrow.getLayer(i).conf().getLayer();
            if (!wc.getClass().equals(nc.getClass())) {
                throw new IllegalArgumentException("layer " + i + " differs: " + wc.getClass().getSimpleName() + " vs " + nc.getClass().getSimpleName());
            }
            if (wc instanceof BatchNormalization) {
                copyBatchNorm(wide, narrow, i, keptInputs);
                continue;
            }
            if (!(wc instanceof FeedForwardLayer) || wide.getLayer(i).getParam("W") == null) {
                continue;
            }
            INDArray ww = wide.getLayer(i).getParam("W");
            INDArray wb = wide.getLayer(i).getParam("b");
            INDArray nw = narrow.getLayer(i).getParam("W");
            INDArray nb = narrow.getLayer(i).getParam("b");
            boolean conv = wc instanceof ConvolutionLayer;
            int outAxis = conv ? 0 : 1;
            int inAxis = conv ? 1 : 0;
            int keepOut = (int) nw.size(outAxis);
            if (keepOut > ww.size(outAxis)) {
                throw new IllegalArgumentException("layer " + i + ": narrow network has " + keepOut + " outputs, more than the wide network's "
                        + ww.size(outAxis) + "; channels can only be inherited by a network that is not wider");
            }
            int[] outs = keepOut == ww.size(outAxis) ? range(keepOut)
                    : top(criterion.scores(ww, outAxis, criterion.needsGradient() ? gradient(gradients, i) : null,
                    criterion.needsBatchNormScale() ? followingBatchNormScale(wide, i) : null), keepOut);
            int[] ins;
            if (keptInputs == null) {
                ins = range((int) ww.size(inAxis));
            } else if (!conv && previousWasConv) {
                long perChannel = ww.size(0) / previousChannels;
                ins = expand(keptInputs, (int) perChannel);
            } else {
                ins = keptInputs;
            }
            if (ins.length != nw.size(inAxis)) {
                throw new IllegalArgumentException("layer " + i + ": narrow network takes " + nw.size(inAxis) + " inputs, " + ins.length + " were kept");
            }
            nw.assign(conv ? select(ww, outs, ins) : select(ww, ins, outs));
            if (wb != null && nb != null) {
                nb.assign(gather(wb, outs, nb.shape()));
            }
            keptInputs = outs;
            previousChannels = ww.size(outAxis);
            previousWasConv = conv;
        }
    }

    /** The values of {@code v} (in C order) at {@code idx}, all of them when null, as a new C-order array of {@code shape}. */
    static INDArray gather(INDArray v, int[] idx, long[] shape) {
        float[] src = v.dup('c').data().asFloat();
        if (idx == null) {
            return Nd4j.create(src, shape, 'c');
        }
        float[] dst = new float[idx.length];
        for (int k = 0; k < idx.length; k++) {
            dst[k] = src[idx[k]];
        }
        return Nd4j.create(dst, shape, 'c');
    }

    /** The rows of the kept channels of a flattened tensor in which each channel owns {@code inner} consecutive rows (C order). */
    static int[] expand(int[] channels, int inner) {
        return Arrays.stream(channels).flatMap(c -> IntStream.range(0, inner).map(s -> c * inner + s)).toArray();
    }

    /** The sub-array {@code w[rows, cols, ...]} of a rank >= 2 array, as a new C-order array. */
    static INDArray select(INDArray w, int[] rows, int[] cols) {
        long[] shape = w.shape();
        int inner = 1;
        for (int d = 2; d < shape.length; d++) {
            inner *= (int) shape[d];
        }
        float[] src = w.dup('c').data().asFloat();
        float[] dst = new float[rows.length * cols.length * inner];
        int n1 = (int) shape[1];
        for (int a = 0; a < rows.length; a++) {
            for (int b = 0; b < cols.length; b++) {
                System.arraycopy(src, (rows[a] * n1 + cols[b]) * inner, dst, (a * cols.length + b) * inner, inner);
            }
        }
        long[] out = shape.clone();
        out[0] = rows.length;
        out[1] = cols.length;
        return Nd4j.create(dst, out, 'c');
    }

    /**
     * Copies the parameters of the kept channels of batch-norm layer {@code i} (every parameter holds one value per
     * channel); all of them when no layer before it chose channels.
     */
    private static void copyBatchNorm(MultiLayerNetwork wide, MultiLayerNetwork narrow, int i, int[] kept) {
        java.util.Map<String, INDArray> wp = wide.getLayer(i).paramTable();
        java.util.Map<String, INDArray> np = narrow.getLayer(i).paramTable();
        for (java.util.Map.Entry<String, INDArray> e : wp.entrySet()) {
            INDArray w = e.getValue();
            INDArray n = np.get(e.getKey());
            if (n == null) {
                throw new IllegalArgumentException("layer " + i + " (batch normalisation " + name(wide, i) + "): the narrow network's has no '"
                        + e.getKey() + "' parameter");
            }
            int[] channels = kept == null ? range((int) w.length()) : kept;
            if (n.length() != channels.length) {
                throw new IllegalArgumentException("layer " + i + " (batch normalisation " + name(wide, i) + "): the narrow network's has "
                        + n.length() + " channels, " + channels.length + " were kept");
            }
            n.assign(gather(w, channels, n.shape()));
        }
    }

    /**
     * The gamma of the batch-norm layer that follows layer {@code i}, past layers without parameters (pooling,
     * activation, dropout); the scale a network-slimming criterion ranks its channels by.
     */
    static INDArray followingBatchNormScale(MultiLayerNetwork net, int i) {
        for (int j = i + 1; j < net.getnLayers(); j++) {
            Layer conf = net.getLayer(j).conf().getLayer();
            if (conf instanceof BatchNormalization) {
                INDArray gamma = net.getLayer(j).getParam("gamma");
                if (gamma == null) {
                    throw new IllegalArgumentException("layer " + i + " (" + name(net, i) + "): the batch normalisation after it (layer " + j
                            + ", " + name(net, j) + ") has no learned scale (gamma is locked), which the criterion ranks channels by");
                }
                return gamma;
            }
            if (net.getLayer(j).numParams() > 0) {
                break;
            }
        }
        throw new IllegalArgumentException("layer " + i + " (" + name(net, i) + ") is not followed by a batch normalisation, whose scale (gamma)"
                + " the criterion ranks channels by; use a criterion that reads the weights (l1, l2, taylor) for this network");
    }

    private static String name(MultiLayerNetwork net, int i) {
        String n = net.getLayer(i).conf().getLayer().getLayerName();
        return n == null ? "layer" + i : n;
    }

    private static INDArray gradient(java.util.Map<Integer, INDArray> gradients, int layer) {
        INDArray g = gradients.get(layer);
        if (g == null) {
            throw new IllegalArgumentException("layer " + layer + ": the criterion needs a gradient and none was given");
        }
        return g;
    }

    /** Indices of the {@code k} highest scores, in ascending order; ties keep the lower index. */
    static int[] top(double[] scores, int k) {
        return IntStream.range(0, scores.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> -scores[c]).thenComparingInt(c -> c))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    /** Indices of the {@code k} channels with the largest L1 norm along {@code axis} (0 or 1), in ascending order. */
    static int[] strongest(INDArray w, int axis, int k) {
        return top(ImportanceCriterion.l1().scores(w, axis, null), k);
    }

    private static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }
}
