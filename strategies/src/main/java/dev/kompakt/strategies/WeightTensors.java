package dev.kompakt.strategies;

import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * The weight tensors of a network that compression operates on: the "W" parameter of every dense,
 * output and convolution layer (biases and batch-norm parameters are left alone). The arrays are live
 * views: writing to them changes the network.
 */
public final class WeightTensors {
    private WeightTensors() {
    }

    /** One weight tensor and the axis along which its output channels run. */
    public record Target(int layerIndex, String layerName, INDArray weights, int channelAxis, boolean convolution) {
        public long outputChannels() {
            return weights.size(channelAxis);
        }
    }

    public static List<Target> of(MultiLayerNetwork net) {
        List<Target> targets = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer conf = net.getLayer(i).conf().getLayer();
            if (!(conf instanceof FeedForwardLayer)) {
                continue;
            }
            INDArray w = net.getLayer(i).getParam("W");
            if (w == null) {
                continue;
            }
            boolean conv = conf instanceof ConvolutionLayer;
            // DL4J layouts: conv W is [out, in, kH, kW]; dense W is [in, out].
            targets.add(new Target(i, conf.getLayerName() == null ? "layer" + i : conf.getLayerName(), w, conv ? 0 : 1, conv));
        }
        return targets;
    }
}
