package dev.kompakt.strategies;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Simulated activation quantization of a network's hidden layers: for each hidden layer with an activation function
 * (dense and convolution layers; not the output layer, whose softmax stays float), from the input on, the layer's
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
     * Calibrates and swaps the hidden layers' activations of {@code net} in place.
     *
     * @param inputs a few hundred representative network inputs, [n, features]
     * @return the calibrated range of each quantized layer, by layer index
     */
    public Map<Integer, Calibration.Range> quantize(MultiLayerNetwork net, INDArray inputs) {
        Map<Integer, Calibration.Range> ranges = new LinkedHashMap<>();
        for (int layer : hiddenLayers(net)) {
            BaseLayer conf = (BaseLayer) net.getLayerWiseConfigurations().getConf(layer).getLayer();
            IActivation base = floatActivation(conf.getActivationFn());
            set(net, layer, base);
            List<INDArray> acts = net.feedForwardToLayer(layer, inputs, false);
            float[] values = sample(acts.get(acts.size() - 1).castTo(DataType.FLOAT).dup('c').data().asFloat());
            Calibration.Range range = calibration.range(values, bits, false);
            set(net, layer, new QuantizedActivation(base, bits, range));
            ranges.put(layer, range);
        }
        return ranges;
    }

    /** The layers whose activations are quantized: every layer but the last with an activation function. */
    public static List<Integer> hiddenLayers(MultiLayerNetwork net) {
        List<Integer> layers = new ArrayList<>();
        for (int i = 0; i < net.getnLayers() - 1; i++) {
            if (net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof BaseLayer b && b.getActivationFn() != null) {
                layers.add(i);
            }
        }
        return layers;
    }

    /** The activation bits of each layer whose activation is a {@link QuantizedActivation}, by layer index. */
    public static Map<Integer, Integer> quantizedLayers(MultiLayerNetwork net) {
        Map<Integer, Integer> out = new LinkedHashMap<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            if (net.getLayerWiseConfigurations().getConf(i).getLayer() instanceof BaseLayer b
                    && b.getActivationFn() instanceof QuantizedActivation q) {
                out.put(i, q.bits());
            }
        }
        return out;
    }

    /** The float activation a (possibly quantized) activation computes before rounding. */
    public static IActivation floatActivation(IActivation a) {
        return a instanceof QuantizedActivation q ? q.wrapped() : a;
    }

    /** Puts every quantized activation of {@code net} back to its float activation, in place. */
    public static void restore(MultiLayerNetwork net) {
        for (int layer : quantizedLayers(net).keySet()) {
            set(net, layer, floatActivation(((BaseLayer) net.getLayerWiseConfigurations().getConf(layer).getLayer()).getActivationFn()));
        }
    }

    private static void set(MultiLayerNetwork net, int layer, IActivation activation) {
        ((BaseLayer) net.getLayerWiseConfigurations().getConf(layer).getLayer()).setActivationFn(activation);
        // the live layer normally shares its configuration with the network's; set both in case it holds a copy
        if (net.getLayer(layer).conf().getLayer() instanceof BaseLayer live) {
            live.setActivationFn(activation);
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
