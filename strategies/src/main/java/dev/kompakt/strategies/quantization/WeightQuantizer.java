package dev.kompakt.strategies.quantization;

import dev.kompakt.strategies.WeightTensors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Post-training weight quantization with a {@link QuantizationScheme}; by default per output channel, symmetric,
 * min-max: for each channel c, {@code scale_c = max|w_c| / (2^(b-1) - 1)} and
 * {@code w <- clamp(round(w / scale_c)) * scale_c}. The network keeps float weights that take at most
 * {@code 2^b - 1} distinct values per channel (2^b when asymmetric, per tensor when per-tensor) ("fake
 * quantization"), so the accuracy measured afterwards is the accuracy of the integer model. Zeros stay zero, so
 * pruning survives quantization. The scales are returned for size accounting and export. Arithmetic:
 * {@link ChannelQuantization}. Mixed precision ({@link #perLayer}): each listed layer at its own bits, the others left
 * float. Deterministic; stateless, so one instance may be shared by threads that quantize different networks.
 */
public final class WeightQuantizer {
    /** The scheme of layers without one of their own; null for a per-layer quantizer (such layers stay float). */
    private final QuantizationScheme scheme;
    /** Layer (vertex) name -> that layer's scheme. */
    private final Map<String, QuantizationScheme> layerSchemes;

    /** The default scheme at {@code bits}: per channel, symmetric, min-max. */
    public WeightQuantizer(int bits) {
        this(QuantizationScheme.perChannelSymmetric(bits));
    }

    public WeightQuantizer(QuantizationScheme scheme) {
        if (scheme == null) {
            throw new IllegalArgumentException("a weight quantizer needs a quantization scheme");
        }
        this.scheme = scheme;
        this.layerSchemes = Map.of();
    }

    private WeightQuantizer(Map<String, QuantizationScheme> layerSchemes) {
        this.scheme = null;
        this.layerSchemes = Map.copyOf(layerSchemes);
    }

    /**
     * Mixed precision: the layers in {@code bitsByLayer} (by layer name; every weight tensor of a layer, e.g. both parts of a separable convolution), each at its own bits with the default scheme
     * (per channel, symmetric, min-max); layers not in the map keep their float weights.
     */
    public static WeightQuantizer perLayer(Map<String, Integer> bitsByLayer) {
        return perLayer(bitsByLayer, new MinMaxCalibration());
    }

    /** Mixed precision as {@link #perLayer(Map)}, each layer's ranges chosen by {@code calibration} (per channel, symmetric). */
    public static WeightQuantizer perLayer(Map<String, Integer> bitsByLayer, Calibration calibration) {
        if (bitsByLayer == null || bitsByLayer.isEmpty()) {
            throw new IllegalArgumentException("a per-layer weight quantizer needs the bits of at least one layer");
        }
        Map<String, QuantizationScheme> schemes = new TreeMap<>();
        bitsByLayer.forEach((layer, bits) -> schemes.put(layer, QuantizationScheme.perChannelSymmetric(bits).withCalibration(calibration)));
        return new WeightQuantizer(schemes);
    }

    /** The scheme's bits; for a per-layer quantizer, the widest layer's bits. */
    public int bits() {
        return scheme != null ? scheme.bits() : layerSchemes.values().stream().mapToInt(QuantizationScheme::bits).max().orElseThrow();
    }

    /** The scheme of every layer; null for a per-layer quantizer. */
    public QuantizationScheme scheme() {
        return scheme;
    }

    /** The quantization of one tensor: its layer, its parameter key and its scales (one per output channel, or one when per tensor). */
    public record QuantizedTensor(String layer, String param, int bits, float[] scales) {
    }

    public List<QuantizedTensor> quantize(ComputationGraph net) {
        List<QuantizedTensor> result = new ArrayList<>();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            QuantizationScheme s = layerSchemes.getOrDefault(t.layer(), scheme);
            if (s != null) {
                result.add(new QuantizedTensor(t.layer(), t.param(), s.bits(), quantize(t.weights(), t.channelAxis(), s)));
            }
        }
        return result;
    }

    /** Quantizes {@code w} in place along {@code channelAxis} with the scheme of every layer; returns the scales. */
    public float[] quantize(INDArray w, int channelAxis) {
        if (scheme == null) {
            throw new IllegalStateException("a per-layer weight quantizer quantizes whole networks, not single tensors");
        }
        return quantize(w, channelAxis, scheme);
    }

    private static float[] quantize(INDArray w, int channelAxis, QuantizationScheme scheme) {
        long[] shape = w.shape();
        ChannelQuantization q = ChannelQuantization.of(w.dup('c').data().asFloat(), shape, channelAxis, scheme);
        w.assign(Nd4j.create(q.dequantized(), shape, 'c').castTo(w.dataType()));
        return q.scales();
    }
}
