package dev.kompakt.strategies.quantization;

import dev.kompakt.strategies.WeightTensors;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Empirical bias correction after weight quantization (Nagel et al. 2019, "Data-Free Quantization Through Weight
 * Equalization and Bias Correction", section 4.2; Banner et al. 2019, "Post training 4-bit quantization of
 * convolutional networks for rapid-deployment"): quantization error in the weights shifts the mean of each
 * layer's output, {@code E[W_q x] - E[W x]}, and the next ReLU turns that shift into an error that does not
 * average out. On a small batch of training inputs, layer by layer from the input, the correction subtracts that
 * shift from the layer's bias, so each quantized layer's mean pre-activation output (per output channel, and over
 * positions for convolutions) equals the float layer's. The quantized network's own inputs are used (the
 * layers before it already quantized and corrected), so a shift that earlier layers pass on is corrected too.
 *
 * <p>The mean output is computed exactly from the mean input, since a layer is affine before its activation: dense,
 * {@code mean(x) W + b}; convolution, the weights times the mean of the im2col patches. Convolutions in Truncate or
 * Strict mode (explicit padding, any stride and dilation) are supported; Same mode is rejected. Works on the
 * "W"/"b" layers of {@link WeightTensors}; layers without a bias are left alone. Deterministic.
 */
public final class BiasCorrection {
    private BiasCorrection() {
    }

    /**
     * Corrects the biases of {@code quantized} in place against {@code reference}, the same graph before its weights
     * were quantized. Returns the shift removed from each corrected layer's bias, by vertex name. Dense and (plain)
     * convolution layers are corrected; depthwise and separable convolutions are left as they are.
     *
     * @param inputs a few hundred representative network inputs, in the shape the graph takes
     */
    public static Map<String, float[]> correct(ComputationGraph reference, ComputationGraph quantized, INDArray inputs) {
        Map<String, INDArray> referenceActivations = reference.feedForward(inputs, false);
        Map<String, float[]> shifts = new LinkedHashMap<>();
        for (WeightTensors.Target t : WeightTensors.of(quantized)) {
            if (t.kind() != WeightTensors.Kind.DENSE && t.kind() != WeightTensors.Kind.CONV) {
                continue;
            }
            String layer = t.layer();
            INDArray bias = quantized.getLayer(layer).getParam("b");
            if (bias == null) {
                continue;
            }
            float[] expected = meanFromPrevious(reference, layer, previous(reference, layer, referenceActivations, inputs));
            float[] actual = meanFromPrevious(quantized, layer, previous(quantized, layer, quantized.feedForward(inputs, false), inputs));
            float[] shift = new float[expected.length];
            for (int c = 0; c < shift.length; c++) {
                shift[c] = actual[c] - expected[c];
            }
            bias.subi(Nd4j.create(shift, bias.shape(), 'c').castTo(bias.dataType()));
            shifts.put(layer, shift);
        }
        return shifts;
    }

    /** The mean pre-activation output of {@code layer}, per output channel, over the network inputs {@code inputs}. */
    public static float[] meanPreActivation(ComputationGraph net, String layer, INDArray inputs) {
        return meanFromPrevious(net, layer, previous(net, layer, net.feedForward(inputs, false), inputs));
    }

    /** The activations that feed {@code layer} (its single input vertex's output, or the network input). */
    private static INDArray previous(ComputationGraph net, String layer, Map<String, INDArray> activations, INDArray inputs) {
        List<String> in = net.getConfiguration().getVertexInputs().get(layer);
        if (in == null || in.size() != 1) {
            throw new IllegalArgumentException("bias correction: layer " + layer + " must have exactly one input, has " + in);
        }
        String source = in.get(0);
        if (net.getConfiguration().getNetworkInputs().contains(source)) {
            return inputs;
        }
        return activations.get(source);
    }

    /** Same, given the output of the vertex before, before this layer's preprocessor. */
    private static float[] meanFromPrevious(ComputationGraph net, String layer, INDArray previousOutput) {
        INDArray x = previousOutput;
        InputPreProcessor pre = ((LayerVertex) net.getConfiguration().getVertices().get(layer)).getPreProcessor();
        if (pre != null) {
            x = pre.preProcess(x, (int) x.size(0), LayerWorkspaceMgr.noWorkspaces());
        }
        x = x.castTo(DataType.FLOAT);
        INDArray w = net.getLayer(layer).getParam("W").castTo(DataType.FLOAT).dup('c');
        INDArray b = net.getLayer(layer).getParam("b");
        INDArray mean;
        if (net.getLayer(layer).conf().getLayer() instanceof ConvolutionLayer conv) {
            // W is [out, in, kh, kw]; the mean over examples and output positions of each (in, kh, kw) patch element
            if (conv.getConvolutionMode() != ConvolutionMode.Truncate && conv.getConvolutionMode() != ConvolutionMode.Strict) {
                throw new IllegalArgumentException("bias correction: layer " + layer + " uses convolution mode " + conv.getConvolutionMode()
                        + "; only Truncate and Strict are supported");
            }
            int[] k = conv.getKernelSize();
            int[] s = conv.getStride();
            int[] p = conv.getPadding();
            int[] d = conv.getDilation();
            INDArray cols = Convolution.im2col(x, k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], false);
            INDArray patch = cols.mean(0, 4, 5).reshape('c', w.size(1) * k[0] * k[1], 1);
            mean = w.reshape('c', w.size(0), w.size(1) * k[0] * k[1]).mmul(patch).reshape(1, w.size(0));
        } else {
            // W is [in, out]
            mean = x.mean(0).reshape(1, x.size(1)).mmul(w);
        }
        if (b != null) {
            mean = mean.add(b.castTo(DataType.FLOAT).reshape(1, mean.length()));
        }
        return mean.toFloatVector();
    }
}
