package dev.kompakt.strategies.quantization;

import dev.kompakt.strategies.QuantizedActivation;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Simulated activation quantization of a network's hidden layers: for each hidden layer with an activation function
 * (parametrised and activation layers; not the network's output, whose softmax stays float), from the input on, the layer's
 * outputs on calibration inputs (with the layers before it already quantized) give its range by a {@link Calibration}
 * (asymmetric: a ReLU's range is [0, clip]), and the layer's activation is replaced in place by a
 * {@link QuantizedActivation} of {@code bits} bits over that range. Quantizing again recalibrates from the float
 * activations. Fine-tuning afterwards is quantization-aware for the activations (straight-through estimator, see
 * {@link QuantizedActivation}). Deterministic.
 */
public final class ActivationQuantizer {
    /** Values per layer a calibration sees at most: larger sets are strided down to this many. */
    static final int MAX_CALIBRATION_VALUES = 1 << 18;

    private final int bits;
    private final Calibration calibration;

    /**
     * @param bits        2 to 16
     * @param calibration how each layer's range is chosen from its activations
     */
    public ActivationQuantizer(int bits, Calibration calibration) {
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("activation bits must be in [2, 16], got " + bits);
        }
        if (calibration == null) {
            throw new IllegalArgumentException("an activation quantizer needs a calibration");
        }
        this.bits = bits;
        this.calibration = calibration;
    }

    public int bits() {
        return bits;
    }

    /**
     * Calibrates and swaps the hidden layers' activations of {@code net} in place, in topological order.
     *
     * @param inputs a few hundred representative network inputs, in the shape the graph takes
     * @return the calibrated range of each quantized layer, by vertex name
     */
    public Map<String, Calibration.Range> quantize(ComputationGraph net, INDArray inputs) {
        Map<String, Calibration.Range> ranges = new LinkedHashMap<>();
        for (String layer : hiddenLayers(net)) {
            IActivation base = floatActivation(activation(net, layer));
            set(net, layer, base);
            INDArray acts = net.feedForward(inputs, false).get(layer);
            float[] values = sample(acts.castTo(DataType.FLOAT).dup('c').data().asFloat());
            Calibration.Range range = calibration.range(values, bits, false);
            set(net, layer, new QuantizedActivation(base, bits, range));
            ranges.put(layer, range);
        }
        return ranges;
    }

    /**
     * The layers whose activations are quantized, in topological order: every layer with an activation function (a
     * parametrised layer other than batch norm, whose activation DL4J never applies, or an activation layer) that is not a network output (whose softmax stays float).
     */
    public static List<String> hiddenLayers(ComputationGraph net) {
        List<String> layers = new ArrayList<>();
        List<String> outputs = net.getConfiguration().getNetworkOutputs();
        for (String name : net.getConfiguration().getTopologicalOrderStr()) {
            if (!outputs.contains(name) && activation(net, name) != null) {
                layers.add(name);
            }
        }
        return layers;
    }

    /** The activation bits of each layer whose activation is a {@link QuantizedActivation}, by vertex name. */
    public static Map<String, Integer> quantizedLayers(ComputationGraph net) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String name : net.getConfiguration().getTopologicalOrderStr()) {
            if (activation(net, name) instanceof QuantizedActivation q) {
                out.put(name, q.bits());
            }
        }
        return out;
    }

    /** The float activation a (possibly quantized) activation computes before rounding. */
    public static IActivation floatActivation(IActivation a) {
        return a instanceof QuantizedActivation q ? q.wrapped() : a;
    }

    /** Puts every quantized activation of {@code net} back to its float activation, in place. */
    public static void restore(ComputationGraph net) {
        for (String layer : quantizedLayers(net).keySet()) {
            set(net, layer, floatActivation(activation(net, layer)));
        }
    }

    /** The activation function of vertex {@code name}: of a parametrised or activation layer; null for other vertices. */
    static IActivation activation(ComputationGraph net, String name) {
        Layer conf = layerConf(net, name);
        if (conf instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
            return null;   // DL4J's batch-norm layer never applies its activation function
        }
        if (conf instanceof BaseLayer b) {
            return b.getActivationFn();
        }
        return conf instanceof ActivationLayer a ? a.getActivationFn() : null;
    }

    private static Layer layerConf(ComputationGraph net, String name) {
        return net.getConfiguration().getVertices().get(name) instanceof LayerVertex v ? v.getLayerConf().getLayer() : null;
    }

    private static void set(ComputationGraph net, String layer, IActivation activation) {
        setOn(layerConf(net, layer), activation);
        // the live layer normally shares its configuration with the graph's; set both in case it holds a copy
        if (net.getLayer(layer) != null) {
            setOn(net.getLayer(layer).conf().getLayer(), activation);
        }
    }

    private static void setOn(Layer conf, IActivation activation) {
        if (conf instanceof BaseLayer b) {
            b.setActivationFn(activation);
        } else if (conf instanceof ActivationLayer a) {
            a.setActivationFn(activation);
        }
    }

    private static float[] sample(float[] values) {
        if (values.length <= MAX_CALIBRATION_VALUES) {
            return values;
        }
        float[] out = new float[MAX_CALIBRATION_VALUES];
        double step = (double) values.length / MAX_CALIBRATION_VALUES;
        for (int i = 0; i < out.length; i++) {
            out[i] = values[(int) (i * step)];
        }
        return out;
    }
}
