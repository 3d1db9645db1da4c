package dev.kompakt.strategies;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Post-training weight quantization with a {@link QuantizationScheme}; by default per output channel, symmetric,
 * min-max: for each channel c, {@code scale_c = max|w_c| / (2^(b-1) - 1)} and
 * {@code w <- clamp(round(w / scale_c)) * scale_c}. The network keeps float weights that take at most
 * {@code 2^b - 1} distinct values per channel (2^b when asymmetric, per tensor when per-tensor) ("fake
 * quantization"), so the accuracy measured afterwards is the accuracy of the integer model. Zeros stay zero, so
 * pruning survives quantization. The scales are returned for size accounting and export. Arithmetic:
 * {@link ChannelQuantization}. Deterministic; stateless, so one instance may be shared by threads that quantize
 * different networks.
 */
public final class WeightQuantizer {
    private final QuantizationScheme scheme;

    /** The default scheme at {@code bits}: per channel, symmetric, min-max. */
    public WeightQuantizer(int bits) {
        this(QuantizationScheme.perChannelSymmetric(bits));
    }

    public WeightQuantizer(QuantizationScheme scheme) {
        if (scheme == null) {
            throw new IllegalArgumentException("a weight quantizer needs a quantization scheme");
        }
        this.scheme = scheme;
    }

    public int bits() {
        return scheme.bits();
    }

    public QuantizationScheme scheme() {
        return scheme;
    }

    /** The quantization of one tensor: its layer and its scales (one per output channel, or one when per tensor). */
    public record QuantizedTensor(int layerIndex, int bits, float[] scales) {
    }

    public List<QuantizedTensor> quantize(MultiLayerNetwork net) {
        List<QuantizedTensor> result = new ArrayList<>();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            result.add(new QuantizedTensor(t.layerIndex(), scheme.bits(), quantize(t.weights(), t.channelAxis())));
        }
        return result;
    }

    /** Quantizes {@code w} in place along {@code channelAxis}; returns the scales. */
    public float[] quantize(INDArray w, int channelAxis) {
        long[] shape = w.shape();
        ChannelQuantization q = ChannelQuantization.of(w.dup('c').data().asFloat(), shape, channelAxis, scheme);
        w.assign(Nd4j.create(q.dequantized(), shape, 'c').castTo(w.dataType()));
        return q.scales();
    }
}
