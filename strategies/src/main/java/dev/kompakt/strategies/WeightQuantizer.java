package dev.kompakt.strategies;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * Post-training weight quantization, per output channel, symmetric: for each channel c,
 * {@code scale_c = max|w_c| / (2^(b-1) - 1)} and {@code w <- clamp(round(w / scale_c)) * scale_c}. The network
 * keeps float weights that take at most {@code 2^b - 1} distinct values per channel ("fake quantization"),
 * so the accuracy measured afterwards is the accuracy of the integer model. Zeros stay zero, so pruning
 * survives quantization. The scales are returned for size accounting and export.
 */
public final class WeightQuantizer {
    private final int bits;

    public WeightQuantizer(int bits) {
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("weight bits must be in [2, 16], got " + bits);
        }
        this.bits = bits;
    }

    public int bits() {
        return bits;
    }

    /** The quantization of one tensor: its layer and one scale per output channel. */
    public record QuantizedTensor(int layerIndex, int bits, float[] scales) {
    }

    public List<QuantizedTensor> quantize(MultiLayerNetwork net) {
        List<QuantizedTensor> result = new ArrayList<>();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            result.add(new QuantizedTensor(t.layerIndex(), bits, quantize(t.weights(), t.channelAxis())));
        }
        return result;
    }

    /** Quantizes {@code w} in place along {@code channelAxis}; returns the per-channel scales. */
    public float[] quantize(INDArray w, int channelAxis) {
        long[] shape = w.shape();
        ChannelQuantization q = ChannelQuantization.of(w.dup('c').data().asFloat(), shape, channelAxis, bits);
        w.assign(Nd4j.create(q.dequantized(), shape, 'c').castTo(w.dataType()));
        return q.scales();
    }
}
