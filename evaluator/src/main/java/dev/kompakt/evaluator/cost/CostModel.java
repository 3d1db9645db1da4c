package dev.kompakt.evaluator.cost;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Per-layer MACs, parameter counts and exact storage of a DL4J network, for batch 1. */
public final class CostModel {
    private CostModel() {
    }

    /**
     * Costs with float32 activations: weight-only quantization shrinks storage and bytes moved, the arithmetic
     * stays float.
     *
     * @param weightBits bits per stored weight by layer index (absent = 32-bit float)
     */
    public static List<LayerCost> of(MultiLayerNetwork net, InputType input, Map<Integer, Integer> weightBits) {
        return of(net, input, weightBits, Map.of());
    }

    /**
     * @param weightBits     bits per stored weight by layer index (absent = 32-bit float)
     * @param activationBits bits per activation element of a layer's inputs and outputs by layer index (absent = 32)
     */
    public static List<LayerCost> of(MultiLayerNetwork net, InputType input, Map<Integer, Integer> weightBits,
                                     Map<Integer, Integer> activationBits) {
        List<InputType> outputs = net.getLayerWiseConfigurations().getLayerActivationTypes(input);
        List<LayerCost> costs = new ArrayList<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer conf = net.getLayer(i).conf().getLayer();
            InputType in = i == 0 ? input : outputs.get(i - 1);
            InputType out = outputs.get(i);
            long inElems = in.arrayElementsPerExample();
            long outElems = out.arrayElementsPerExample();
            String name = conf.getLayerName() == null ? "layer" + i : conf.getLayerName();
            int aBits = activationBits.getOrDefault(i, 32);
            if (conf instanceof FeedForwardLayer ff && net.getLayer(i).getParam("W") != null) {
                INDArray w = net.getLayer(i).getParam("W");
                INDArray b = net.getLayer(i).getParam("b");
                long weights = w.length();
                long nnz = w.neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
                long biases = b == null ? 0 : b.length();
                int bits = weightBits.getOrDefault(i, 32);
                long rows = ff.getNOut();
                long cols = weights / rows;
                long macs;
                String kind;
                if (conf instanceof DepthwiseConvolution2D) {
                    // W is [kH, kW, nIn, multiplier]: each output element takes kH*kW MACs
                    macs = outElems * cols;
                    kind = "depthwise";
                } else if (conf instanceof ConvolutionLayer) {
                    macs = outElems * cols;
                    kind = "conv";
                } else {
                    macs = weights;
                    kind = "dense";
                }
                long storage = SparseStorage.smallest(rows, cols, nnz, bits).bytes() + biases * 4L + (bits < 32 ? rows * 4L : 0L);
                costs.add(new LayerCost(i, name, kind, macs, outElems, weights, nnz, biases, bits, storage, inElems, outElems, aBits));
            } else if (conf instanceof SubsamplingLayer pool) {
                int[] k = pool.getKernelSize();
                costs.add(new LayerCost(i, name, "pool", 0, outElems * k[0] * k[1], 0, 0, 0, 32, 0, inElems, outElems, aBits));
            } else if (conf instanceof GlobalPoolingLayer) {
                costs.add(new LayerCost(i, name, "pool", 0, inElems, 0, 0, 0, 32, 0, inElems, outElems, aBits));
            } else {
                String kind = conf instanceof ActivationLayer ? "activation"
                        : conf instanceof BatchNormalization ? "batchnorm" : conf.getClass().getSimpleName();
                costs.add(new LayerCost(i, name, kind, 0, outElems, 0, 0, 0, 32, 0, inElems, outElems, aBits));
            }
        }
        return costs;
    }

    public static long totalMacs(List<LayerCost> costs) {
        return costs.stream().mapToLong(LayerCost::macs).sum();
    }

    public static long totalStorageBytes(List<LayerCost> costs) {
        return costs.stream().mapToLong(LayerCost::storageBytes).sum();
    }

    public static long totalParameters(List<LayerCost> costs) {
        return costs.stream().mapToLong(c -> c.weights() + c.biases()).sum();
    }

    public static long nonzeroParameters(List<LayerCost> costs) {
        return costs.stream().mapToLong(c -> c.nonzeroWeights() + c.biases()).sum();
    }
}
