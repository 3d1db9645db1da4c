package dev.kompakt.evaluator.onnx;

import dev.kompakt.strategies.ActivationQuantizer;
import dev.kompakt.strategies.ChannelQuantization;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * Exports a sequential DL4J network of convolution (Truncate or Same mode), max/average pooling, dense and
 * output layers with ReLU, identity or softmax activations to ONNX (opset 13). The model takes the flat float
 * input the network takes ({@code "input"}, [N, features]) and returns its class probabilities ({@code "output"}).
 *
 * <p>{@link #int8} writes static post-training quantization in the operator form for which ONNX Runtime runs
 * integer kernels: uint8 activations (scales from calibration data; ReLU folded into a zero point of 0),
 * int8 per-output-channel symmetric weights, {@code QLinearConv} with int32 bias for convolutions, max pooling on
 * uint8, and {@code MatMulInteger -> Cast -> Mul(scale) -> Add(bias)} for dense layers. A convolution with
 * fewer than {@value #MIN_INT8_CONV_INPUT_CHANNELS} input channels computes in float on its quantized weight
 * values, where ONNX Runtime's integer kernel is slower than its float one; when a max pool follows it, its ReLU is
 * written after the pool (the two commute), which keeps ONNX Runtime from moving the next {@code QuantizeLinear}
 * above the pool onto its slow uint8 NCHW pooling kernel. Weights that were already fake-quantized to b <= 8 bits
 * per channel map to the same integers.
 *
 * <p>Fake-quantized activations ({@link dev.kompakt.strategies.QuantizedActivation}) are exported as their float
 * activation: the INT8 form quantizes activations to 8 bits with ranges calibrated on the network's own (already
 * quantized) outputs, the float form keeps them float. ONNX has no sub-8-bit activation type that ONNX Runtime executes,
 * so a network with narrower activations is exported as it would be without them.
 */
public final class OnnxExporter {
    /** Convolutions with fewer input channels than this compute in float in INT8 exports (see convolution()). */
    static final int MIN_INT8_CONV_INPUT_CHANNELS = 4;

    private OnnxExporter() {
    }

    public enum Precision { FP32, INT8 }

    /** The layers an INT8 export computes on integer kernels: dense layers, and convolutions with enough input channels. */
    public static java.util.Set<Integer> integerLayers(MultiLayerNetwork net) {
        java.util.Set<Integer> layers = new java.util.TreeSet<>();
        for (int i = 0; i < net.getnLayers(); i++) {
            Layer conf = net.getLayer(i).conf().getLayer();
            INDArray w = net.getLayer(i).getParam("W");
            if (w == null || !(conf instanceof FeedForwardLayer)) {
                continue;
            }
            if (!(conf instanceof ConvolutionLayer) || w.size(1) >= MIN_INT8_CONV_INPUT_CHANNELS) {
                layers.add(i);
            }
        }
        return layers;
    }

    public static byte[] fp32(MultiLayerNetwork net) {
        return new Walk(net, null, java.util.Map.of()).run();
    }

    /**
     * @param calibration a few hundred representative inputs, [n, features], for activation ranges
     * @param weightBits  bits of layers whose weights were already fake-quantized per channel (by layer index);
     *                    their integers are stored exactly; other layers are quantized to 8 bits here
     */
    public static byte[] int8(MultiLayerNetwork net, INDArray calibration, java.util.Map<Integer, Integer> weightBits) {
        return new Walk(net, calibration, weightBits).run();
    }

    /** One pass over the layers, tracking the current tensor and, in INT8 mode, its quantization. */
    private static final class Walk {
        private final MultiLayerNetwork net;
        private final boolean int8;
        private final OnnxGraph g = new OnnxGraph();
        /** Activation ranges: index 0 = network input, i + 1 = output of layer i (after its activation). */
        private final List<float[]> ranges = new ArrayList<>();

        private String current = "input";
        private boolean quantized;
        /** A float convolution's ReLU moved behind the max pool that follows it (see pooling()). */
        private boolean reluAfterPool;
        private float scale;
        private int zeroPoint;
        /** Range of the current float tensor (for quantizing it when a layer needs uint8 input). */
        private float[] currentRange;

        private final java.util.Map<Integer, Integer> weightBits;

        Walk(MultiLayerNetwork net, INDArray calibration, java.util.Map<Integer, Integer> weightBits) {
            this.net = net;
            this.weightBits = weightBits;
            this.int8 = calibration != null;
            if (int8) {
                for (INDArray a : net.feedForward(calibration, false)) {
                    ranges.add(new float[] {a.minNumber().floatValue(), a.maxNumber().floatValue()});
                }
                currentRange = ranges.get(0);
            }
        }

        byte[] run() {
            long features = net.layerInputSize(0);
            long classes = 0;
            for (int i = 0; i < net.getnLayers(); i++) {
                InputPreProcessor pre = net.getLayerWiseConfigurations().getInputPreProcess(i);
                if (pre instanceof FeedForwardToCnnPreProcessor p) {
                    if (i == 0) {
                        features = p.getInputHeight() * p.getInputWidth() * p.getNumChannels();
                    }
                    current = g.node("Reshape", List.of(current, g.int64s("shape", new long[] {4},
                            new long[] {-1, p.getNumChannels(), p.getInputHeight(), p.getInputWidth()})));
                } else if (pre instanceof CnnToFeedForwardPreProcessor) {
                    current = g.node("Flatten", List.of(current), OnnxGraph.integer("axis", 1));
                } else if (pre != null) {
                    throw unsupported(i, "input preprocessor " + pre.getClass().getSimpleName());
                }
                Layer conf = net.getLayer(i).conf().getLayer();
                float[] outRange = int8 ? ranges.get(i + 1) : null;
                if (conf instanceof ConvolutionLayer c) {
                    convolution(i, c, outRange);
                } else if (conf instanceof SubsamplingLayer s) {
                    pooling(i, s);
                } else if (conf instanceof FeedForwardLayer d) {
                    dense(i, d, outRange);
                    classes = d.getNOut();
                } else {
                    throw unsupported(i, conf.getClass().getSimpleName());
                }
            }
            if (quantized) {
                dequantize();
            }
            return g.build(int8 ? "kompakt-int8" : "kompakt-fp32", current, features, classes);
        }

        private void convolution(int i, ConvolutionLayer c, float[] outRange) {
            INDArray w = net.getLayer(i).getParam("W");
            INDArray b = net.getLayer(i).getParam("b");
            long[] shape = w.shape();
            List<Onnx.AttributeProto> attrs = new ArrayList<>(List.of(
                    OnnxGraph.ints("kernel_shape", toLong(c.getKernelSize())), OnnxGraph.ints("strides", toLong(c.getStride())),
                    OnnxGraph.ints("dilations", toLong(c.getDilation()))));
            attrs.add(padding(i, c.getConvolutionMode(), c.getPadding()));
            IActivation act = ActivationQuantizer.floatActivation(c.getActivationFn());
            if (!int8) {
                current = g.node("Conv", List.of(current, g.floats("W", shape, cOrder(w)), g.floats("B", new long[] {shape[0]}, cOrder(b))),
                        attrs.toArray(Onnx.AttributeProto[]::new));
                activation(i, act);
                return;
            }
            PerChannel q = PerChannel.quantize(cOrder(w), shape, 0, bits(i));
            if (shape[1] < MIN_INT8_CONV_INPUT_CHANNELS) {
                // ONNX Runtime's QLinearConv is ~6x slower than its float Conv for a 1-channel input (measured with
                // its profiler at batch 64, baseline CNN, ORT 1.29: 1400-1457 us against 228-261 us; 1548 us as a
                // depthwise QLinearConv on the input tiled to 8 channels), so such a layer computes in float with its
                // weights quantized (the stored values are the int8 levels times their scales).
                if (quantized) {
                    dequantize();
                }
                current = g.node("Conv", List.of(current, g.floats("W", shape, q.dequantized()), g.floats("B", new long[] {shape[0]}, cOrder(b))),
                        attrs.toArray(Onnx.AttributeProto[]::new));
                if (act instanceof ActivationReLU && nextIsMaxPool(i)) {
                    reluAfterPool = true;   // see pooling()
                } else {
                    activation(i, act);
                }
                currentRange = outRange;
                return;
            }
            requireQuantizedInput();
            float[] bias = cOrder(b);
            int[] qBias = new int[bias.length];
            for (int o = 0; o < bias.length; o++) {
                qBias[o] = Math.round(bias[o] / (scale * q.scales()[o]));
            }
            float[] y = outputQuantization(i, act, outRange);
            current = g.node("QLinearConv", List.of(current, g.floats("x_scale", new long[0], new float[] {scale}),
                    g.uint8s("x_zp", new long[0], new byte[] {(byte) zeroPoint}),
                    g.int8s("w", shape, q.values()), g.floats("w_scale", new long[] {shape[0]}, q.scales()),
                    g.int8s("w_zp", new long[0], new byte[] {0}),
                    g.floats("y_scale", new long[0], new float[] {y[0]}), g.uint8s("y_zp", new long[0], new byte[] {(byte) (int) y[1]}),
                    g.int32s("bias", new long[] {shape[0]}, qBias)), attrs.toArray(Onnx.AttributeProto[]::new));
            scale = y[0];
            zeroPoint = (int) y[1];
        }

        private boolean nextIsMaxPool(int i) {
            return i + 1 < net.getnLayers() && net.getLayerWiseConfigurations().getInputPreProcess(i + 1) == null
                    && net.getLayer(i + 1).conf().getLayer() instanceof SubsamplingLayer s && s.getPoolingType() == PoolingType.MAX;
        }

        /** Output scale and zero point; ReLU is folded by a zero point of 0 (negatives clamp to 0). */
        private float[] outputQuantization(int i, IActivation act, float[] range) {
            if (act instanceof ActivationReLU) {
                return new float[] {Math.max(range[1], 1e-8f) / 255f, 0};
            }
            if (act instanceof ActivationIdentity) {
                float lo = Math.min(0, range[0]);
                float hi = Math.max(0, range[1]);
                float s = Math.max(hi - lo, 1e-8f) / 255f;
                return new float[] {s, Math.round(-lo / s)};
            }
            throw unsupported(i, "activation " + act + " in an INT8 convolution");
        }

        private void pooling(int i, SubsamplingLayer s) {
            Onnx.AttributeProto[] attrs = {OnnxGraph.ints("kernel_shape", toLong(s.getKernelSize())),
                    OnnxGraph.ints("strides", toLong(s.getStride())), padding(i, s.getConvolutionMode(), s.getPadding())};
            if (s.getPoolingType() == PoolingType.MAX) {
                current = g.node("MaxPool", List.of(current), attrs);   // uint8 max pooling keeps scale and zero point
                if (reluAfterPool) {
                    // A float max pool followed by QuantizeLinear is rewritten by ONNX Runtime (QDQ propagation moves the
                    // quantization above the pool) into a uint8 max pool in NCHW layout, whose kernel took 904-976 us at
                    // batch 64 for the baseline CNN's first pool against 96-99 us in float (its profiler). A ReLU between
                    // the pool and the quantization stops that move; max pooling and ReLU commute, so the values are the same.
                    current = g.node("Relu", List.of(current));
                    reluAfterPool = false;
                }
            } else if (s.getPoolingType() == PoolingType.AVG) {
                if (quantized) {
                    dequantize();
                }
                current = g.node("AveragePool", List.of(current), attrs);
            } else {
                throw unsupported(i, "pooling " + s.getPoolingType());
            }
            if (!quantized && int8) {
                currentRange = ranges.get(i + 1);
            }
        }

        private void dense(int i, FeedForwardLayer d, float[] outRange) {
            INDArray w = net.getLayer(i).getParam("W");
            INDArray b = net.getLayer(i).getParam("b");
            long[] shape = w.shape();
            if (!int8) {
                current = g.node("Gemm", List.of(current, g.floats("W", shape, cOrder(w)), g.floats("B", new long[] {shape[1]}, cOrder(b))));
                activation(i, ActivationQuantizer.floatActivation(((org.deeplearning4j.nn.conf.layers.BaseLayer) d).getActivationFn()));
                return;
            }
            requireQuantizedInput();
            PerChannel q = PerChannel.quantize(cOrder(w), shape, 1, bits(i));
            float[] combined = new float[(int) shape[1]];
            for (int o = 0; o < combined.length; o++) {
                combined[o] = scale * q.scales()[o];
            }
            String acc = g.node("MatMulInteger", List.of(current, g.int8s("w", shape, q.values()),
                    g.uint8s("x_zp", new long[0], new byte[] {(byte) zeroPoint})));
            String f = g.node("Cast", List.of(acc), OnnxGraph.integer("to", Onnx.TensorProto.DataType.FLOAT_VALUE));
            String scaled = g.node("Mul", List.of(f, g.floats("scale", new long[] {shape[1]}, combined)));
            current = g.node("Add", List.of(scaled, g.floats("B", new long[] {shape[1]}, cOrder(b))));
            quantized = false;
            activation(i, ActivationQuantizer.floatActivation(((org.deeplearning4j.nn.conf.layers.BaseLayer) d).getActivationFn()));
            currentRange = outRange;
        }

        /** The layer's fake-quantization bits when at most 8, else 8. */
        private int bits(int layer) {
            int b = weightBits.getOrDefault(layer, 8);
            return b <= 8 ? b : 8;
        }

        private void activation(int i, IActivation act) {
            if (act instanceof ActivationReLU) {
                current = g.node("Relu", List.of(current));
            } else if (act instanceof ActivationSoftmax) {
                current = g.node("Softmax", List.of(current), OnnxGraph.integer("axis", 1));
            } else if (!(act instanceof ActivationIdentity)) {
                throw unsupported(i, "activation " + act);
            }
        }

        private void requireQuantizedInput() {
            if (quantized) {
                return;
            }
            float lo = Math.min(0, currentRange[0]);
            float hi = Math.max(0, currentRange[1]);
            scale = Math.max(hi - lo, 1e-8f) / 255f;
            zeroPoint = Math.round(-lo / scale);
            current = g.node("QuantizeLinear", List.of(current, g.floats("scale", new long[0], new float[] {scale}),
                    g.uint8s("zp", new long[0], new byte[] {(byte) zeroPoint})));
            quantized = true;
        }

        private void dequantize() {
            current = g.node("DequantizeLinear", List.of(current, g.floats("scale", new long[0], new float[] {scale}),
                    g.uint8s("zp", new long[0], new byte[] {(byte) zeroPoint})));
            quantized = false;
        }

        private Onnx.AttributeProto padding(int i, ConvolutionMode mode, int[] pads) {
            if (mode == ConvolutionMode.Same) {
                return Onnx.AttributeProto.newBuilder().setName("auto_pad").setType(Onnx.AttributeProto.AttributeType.STRING)
                        .setS(org.nd4j.shade.protobuf.ByteString.copyFromUtf8("SAME_UPPER")).build();
            }
            if (mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
                throw unsupported(i, "convolution mode " + mode);
            }
            return OnnxGraph.ints("pads", pads[0], pads[1], pads[0], pads[1]);
        }

        private IllegalArgumentException unsupported(int i, String what) {
            return new IllegalArgumentException("ONNX export: layer " + i + " uses " + what + ", which the exporter does not support");
        }
    }

    /** Per-output-channel symmetric weights (the arithmetic of {@link ChannelQuantization}) stored as int8. */
    record PerChannel(byte[] values, float[] scales, float[] dequantized) {
        static PerChannel quantize(float[] w, long[] shape, int axis, int bits) {
            ChannelQuantization q = ChannelQuantization.of(w, shape, axis, bits);
            byte[] values = new byte[q.levels().length];
            for (int i = 0; i < values.length; i++) {
                values[i] = (byte) q.levels()[i];
            }
            return new PerChannel(values, q.scales(), q.dequantized());
        }
    }

    static float[] cOrder(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    private static long[] toLong(int[] a) {
        long[] r = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i];
        }
        return r;
    }
}
