package dev.kompakt.strategies;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The weight tensors of a graph that compression operates on: the "W" parameter of every dense, output and convolution
 * layer (depthwise and separable included; a separable convolution also contributes its pointwise "pW"), in the graph's
 * topological order. Biases and batch-norm parameters are left alone. The arrays are live views: writing to them
 * changes the network.
 */
public final class WeightTensors {
    private WeightTensors() {
    }

    /** How a tensor's elements map to output channels. */
    public enum Kind {
        /** dense W [in, out]: output channels along axis 1 */
        DENSE,
        /** convolution W [out, in, kh, kw]: axis 0 */
        CONV,
        /**
         * the depthwise part of a depthwise convolution, W [kh, kw, in, multiplier] (axis 2), or of a separable one,
         * W [multiplier, in, kh, kw] (axis 1): per input channel, one output channel each at multiplier 1
         */
        DEPTHWISE,
        /** a separable convolution's pointwise pW [out, in * multiplier, 1, 1]: axis 0 */
        POINTWISE
    }

    /**
     * One weight tensor.
     *
     * @param layer       the layer's vertex name
     * @param param       its parameter key ("W", or "pW" for a separable convolution's pointwise part)
     * @param channelAxis the axis along which its output channels run
     */
    public record Target(String layer, String param, INDArray weights, int channelAxis, Kind kind) {
        /** The tensor's key in per-tensor maps: the layer name, with ".pointwise" for a separable pointwise part. */
        public String id() {
            return param.equals("W") ? layer : layer + ".pointwise";
        }

        /** The layer's name (alias of {@link #layer()}, used in metric names). */
        public String layerName() {
            return layer;
        }

        public boolean convolution() {
            return kind != Kind.DENSE;
        }

        public long outputChannels() {
            return weights.size(channelAxis);
        }
    }

    public static List<Target> of(ComputationGraph graph) {
        List<Target> targets = new ArrayList<>();
        for (String name : graph.getConfiguration().getTopologicalOrderStr()) {
            org.deeplearning4j.nn.api.Layer live = graph.getLayer(name);
            if (live == null) {
                continue;
            }
            Layer conf = live.conf().getLayer();
            if (!(conf instanceof FeedForwardLayer)) {
                continue;
            }
            INDArray w = live.getParam("W");
            if (w == null) {
                continue;
            }
            if (conf instanceof SeparableConvolution2D) {
                targets.add(new Target(name, "W", w, 1, Kind.DEPTHWISE));
                targets.add(new Target(name, "pW", live.getParam("pW"), 0, Kind.POINTWISE));
            } else if (conf instanceof DepthwiseConvolution2D) {
                targets.add(new Target(name, "W", w, 2, Kind.DEPTHWISE));
            } else if (conf instanceof ConvolutionLayer) {
                targets.add(new Target(name, "W", w, 0, Kind.CONV));
            } else {
                targets.add(new Target(name, "W", w, 1, Kind.DENSE));
            }
        }
        return targets;
    }
}
