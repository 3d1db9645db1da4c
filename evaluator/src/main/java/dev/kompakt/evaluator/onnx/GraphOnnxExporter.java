package dev.kompakt.evaluator.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.kompakt.strategies.HardSwish;
import dev.kompakt.strategies.QuantizedActivation;
import dev.kompakt.strategies.quantization.ActivationQuantizer;
import dev.kompakt.strategies.quantization.ChannelQuantization;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import dev.kompakt.strategies.architecture.ChannelShuffleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Exports a DL4J {@link ComputationGraph} to ONNX (opset {@value OnnxGraph#OPSET}, run by ONNX Runtime), in float32
 * ({@link #fp32}) and with static INT8 post-training quantization ({@link #int8}). The model has one float input
 * {@code "input"} of exactly the shape the graph takes ([N, features] for {@code InputType.feedForward} and
 * {@code convolutionalFlat}, [N, c, h, w] for {@code InputType.convolutional}; N dynamic) and one float output
 * {@code "output"}: the activations of the graph's single output vertex (class probabilities for a softmax output layer).
 * The vertices are written in the graph's topological order; the exporter reads their configurations and parameters and
 * never changes the graph. It infers every tensor's shape itself from {@code input}: DL4J M2.1's own type inference
 * ({@code getLayerActivationTypes}) refuses the broadcast product of squeeze-excitation ("ElementWise vertex cannot process
 * CNN activations of different sizes") although its forward pass computes it, so such graphs are built without
 * {@code setInputTypes}, and they export the same way. A layer whose input width differs from its weights' is refused.
 *
 * <h2>Supported graphs</h2>
 * Exactly these; anything else is refused with an {@link IllegalArgumentException} that names the vertex, its class and
 * this list, never exported approximately:
 * <ul>
 * <li><b>Vertices:</b> one network input, one network output; {@link LayerVertex} (one input) of the layers below;
 *     {@link ElementWiseVertex} Add ({@code Add}/{@code Sum}), Subtract ({@code Sub}, two inputs), Product ({@code Mul}),
 *     Average ({@code Mean}), Max ({@code Max}), all with numpy broadcasting as DL4J's (so a squeeze-excitation gate
 *     [N, C, 1, 1] multiplies [N, C, H, W]); {@link MergeVertex} on axis 1 ({@code Concat}: channels of NCHW activations,
 *     features of dense ones); {@link PreprocessorVertex} of the preprocessors below; {@link ReshapeVertex} in C order
 *     whose new shape starts with the batch dimension -1 ({@code Reshape}).</li>
 * <li><b>Preprocessors</b> (on a vertex or a layer's input): {@link CnnToFeedForwardPreProcessor} of NCHW activations
 *     ({@code Flatten}: C order, channel-major, as DL4J flattens) and {@link FeedForwardToCnnPreProcessor}
 *     ({@code Reshape} to [N, c, h, w]).</li>
 * <li><b>Layers</b> (exact classes, NCHW): {@link DenseLayer} (no layer norm) and {@link OutputLayer} ({@code Gemm});
 *     {@link ConvolutionLayer} with any kernel, stride, padding and dilation, in ConvolutionMode Truncate, Strict or Same,
 *     with or without bias ({@code Conv}; Same mode becomes explicit pads, DL4J's top/left = total/2 with the odd pixel at
 *     the bottom/right, which is ONNX's SAME_UPPER); {@link DepthwiseConvolution2D} with any depth multiplier (a
 *     {@code Conv} with group = input channels; DL4J's weights [kH, kW, c, m] become output channel c*m_total + m);
 *     {@link SeparableConvolution2D} (a depthwise {@code Conv} without bias, then a 1x1 {@code Conv} with the bias and the
 *     activation); {@link BatchNormalization} in its inference form {@code gamma * (x - mean) / sqrt(var + eps) + beta},
 *     with the running variance stored as variance or as log10 of the standard deviation, and with locked gamma/beta
 *     (both must differ from their defaults 1 and 0, or both equal them: DL4J M2.1's built-in path applies the locked
 *     constants only when gamma != 1 and beta != 0, its MKL-DNN path always, so other combinations have no single
 *     meaning and are refused); like DL4J, the exporter applies no activation function after a batch norm;
 *     {@link ActivationLayer}; {@link SubsamplingLayer} MAX ({@code MaxPool}, any dilation) and AVG
 *     ({@code AveragePool}, dilation 1, {@code count_include_pad} = the layer's avgPoolIncludePadInDivisor) with any kernel,
 *     stride, padding and mode as for convolutions; {@link GlobalPoolingLayer} MAX and AVG over the spatial dimensions
 *     ({@code GlobalMaxPool}/{@code GlobalAveragePool}, then {@code Flatten} when collapseDimensions);
 *     {@link DropoutLayer} (identity at inference); {@link ZeroPaddingLayer} ({@code Pad}).</li>
 * <li><b>Activations</b> (on any layer): identity, ReLU (plain: no max, threshold or negative slope), ReLU6
 *     ({@code Clip(0, 6)}), sigmoid, tanh, hard sigmoid (ND4J's {@code min(1, max(0, 0.2x + 0.5))}: {@code HardSigmoid}
 *     with its ONNX default alpha 0.2, beta 0.5), swish ({@code x * Sigmoid(x)}), {@link HardSwish}
 *     ({@code x * HardSigmoid(x; 1/6, 1/2)}, ONNX's HardSwish needs opset 14), leaky ReLU ({@code LeakyRelu} with the
 *     layer's alpha), softmax on dense activations ({@code Softmax}, axis 1); a {@link QuantizedActivation} is exported as
 *     the float activation it wraps (its grid is not written; see INT8 for its range).</li>
 * </ul>
 * Not supported (refused): recurrent, 1D/3D, deconvolution, upsampling, cropping, space-to-depth, locally connected, layer
 * norm, LRN, embedding and loss layers; PNORM/SUM pooling; NHWC data; Causal mode; subset, stack, unstack, scale, shift,
 * L2, duplicate-to-time-series and other vertices; graphs with several inputs or outputs.
 *
 * <h2>Folding</h2>
 * A convolution (plain, depthwise or separable) or dense layer with the identity activation whose only consumer is a batch
 * norm gets the batch norm folded into its weights and bias per output channel ({@code w' = w * s},
 * {@code b' = (b - mean) * s + beta}, {@code s = gamma / sqrt(var + eps)}; Jacob et al. 2018, "Quantization and Training
 * of Neural Networks for Efficient Integer-Arithmetic-Only Inference", section 3.2); an {@link ActivationLayer} that is
 * then the only consumer becomes the layer's activation. Both exports fold the same way, so the INT8 model quantizes the
 * tensors that the float model computes. In the float model this changes rounding only (outputs agree with DL4J's to about
 * 1e-6).
 *
 * <h2>INT8: the QDQ form</h2>
 * {@link #int8} writes the "QDQ" (quantize-dequantize) form of static quantization that the ONNX Runtime quantization
 * tool writes: every integer convolution and dense layer reads its input through {@code QuantizeLinear ->
 * DequantizeLinear} (uint8, asymmetric, scale and zero point from the calibrated range, which always includes 0), its
 * weights through {@code DequantizeLinear} of int8 per-output-channel symmetric levels (the arithmetic of
 * {@link ChannelQuantization}; axis 0 for convolution weights [out, in/group, kH, kW], axis 1 for dense weights
 * [in, out]) and its bias through {@code DequantizeLinear} of int32 levels at scale {@code input scale * weight scale}.
 * A convolution's output is quantized again right away: ReLU and ReLU6 stay between the convolution and the
 * {@code QuantizeLinear} (whose range [0, max] makes them redundant, zero point 0), any other activation is applied in
 * float after {@code DequantizeLinear} of the quantized pre-activation. ONNX Runtime's graph optimiser (level 2,
 * "extended") fuses each such group into an integer kernel: {@code QLinearConv} (also depthwise, group = channels) and
 * {@code QGemm} (float output, per-column weight scales); the tests check that the optimised model holds one integer
 * kernel per integer convolution and dense layer ({@link #integerLayers}). Element-wise vertices, concatenation, pooling,
 * batch norms that are not folded, padding and non-ReLU activations compute in float on dequantized values (ONNX Runtime
 * may still fuse some of them, e.g. into {@code QLinearAdd} or {@code QLinearGlobalAveragePool}, which computes the same
 * QDQ semantics).
 *
 * <p>Why QDQ and not explicit integer operators (QLinearConv, MatMulInteger with uint8 tensors between layers, as
 * Kompakt's earlier exporter of sequential networks wrote): in a graph, a tensor may feed several consumers of different kinds (a residual add, a
 * concatenation, a float activation and a convolution at once), and keeping track of which tensors are uint8, and
 * converting them at each edge, is exactly what the QDQ form leaves to ONNX Runtime, which fuses only what it has integer
 * kernels for and computes the rest in float with the same rounding. The model stays valid for any ONNX runtime (every
 * node is a standard opset-13 operator), and its semantics are fixed by the ONNX specification of
 * QuantizeLinear/DequantizeLinear whatever the runtime fuses.
 *
 * <p>Convolutions with fewer than {@value #MIN_INT8_CONV_INPUT_CHANNELS} input channels (typically an RGB or
 * greyscale stem) compute in float on their quantized weight values (the int8 levels times their scales), because ONNX Runtime's integer kernel is slower there. Measured for this class (ORT 1.29, one
 * thread, batch 64, shared x86 host with AVX512-VNNI; a 3x3 convolution to 16 channels, ReLU, with the quantization of its
 * input and output, QDQ time / float time over two runs): 1 input channel (28x28) 2.4-2.9; 3 channels (32x32) 1.07-1.54;
 * 4 channels 0.61-0.65; 8 channels 0.45-0.47; depthwise 3x3 on 16, 32 and 64 channels 0.64-0.68, 1.00-1.01 and
 * 0.84-0.88, so depthwise convolutions with enough channels are integer too. When such a float convolution's ReLU output
 * is read only by a max pool, the ReLU is written after the pool (they commute): otherwise ONNX Runtime moves the next
 * {@code QuantizeLinear} above the pool and runs the pool on uint8 in NCHW, which the earlier sequential exporter measured
 * 10x slower than the float pool.
 *
 * <p><b>Weights.</b> {@code weightBits} names the layers whose weights were already fake-quantized per output channel
 * (symmetric, at 2 to 8 bits; for a separable convolution both its depthwise and pointwise weights, for a depthwise one
 * per output channel c*m_total + m): their integer levels are recomputed from the weights, which gives back the same
 * integers, and stored as int8. Other layers' weights are quantized to 8 bits here. A folded batch norm multiplies each
 * channel's scale by |s| and, where s &lt; 0, negates that channel's levels (the same integers up to sign). A channel
 * whose folded bias would not fit int32 at scale {@code input scale * weight scale} (a nearly zero weight scale, e.g. a
 * batch norm with gamma near 0) gets zero weights and the scale that holds its bias: it computes its bias alone, dropping
 * a weighted sum below fan-in * 2^-16 of the bias (127 * 255 weight and input levels at a product of scales below
 * |bias| / 2^31).
 *
 * <p><b>Activation ranges.</b> The ranges come from running {@code calibration} through the float form of the same graph
 * in ONNX Runtime, with every tensor that gets quantized added as an output: those tensors include ones that DL4J's
 * {@code feedForward} does not expose (a convolution's output after its folded batch norm and before its activation, the
 * depthwise half of a separable convolution). The float model equals DL4J to about 1e-6, so the ranges are DL4J's. The
 * range is the tensor's minimum and maximum over the calibration set, widened to contain 0 (asymmetric uint8:
 * {@code scale = (max - min) / 255}, {@code zero point = round(-min / scale)}). The range of a pre-activation quantized
 * ahead of a saturating activation is cut where the activation is flat (hard sigmoid outside [-2.5, 2.5], hard swish
 * below -3: exactly; sigmoid beyond 10, tanh beyond 5, swish below -10: the outputs move less than 1e-4 there), which
 * halved the INT8 error of the MobileNet-style test graph. A tensor produced by a {@link QuantizedActivation} is quantized
 * over that activation's own calibrated range [min, max] instead, so the INT8 model clips where the quantization-aware
 * network clipped.
 */
public final class GraphOnnxExporter {
    /** Convolutions with fewer input channels than this compute in float in INT8 exports (see the class comment). */
    static final int MIN_INT8_CONV_INPUT_CHANNELS = 4;

    /** Calibration inputs run through ONNX Runtime in batches of at most this many. */
    private static final int CALIBRATION_BATCH = 64;

    static final String SUPPORTED = "vertices: one network input and one output, LayerVertex, ElementWiseVertex (Add, Subtract, "
            + "Product, Average, Max), MergeVertex (axis 1), PreprocessorVertex, ReshapeVertex (C order, batch -1), SubsetVertex (axis 1), ChannelShuffleVertex; preprocessors: "
            + "CnnToFeedForwardPreProcessor and FeedForwardToCnnPreProcessor (NCHW); layers (NCHW): DenseLayer, OutputLayer, "
            + "ConvolutionLayer, DepthwiseConvolution2D, SeparableConvolution2D (modes Truncate, Strict, Same), BatchNormalization, "
            + "ActivationLayer, SubsamplingLayer (MAX, AVG), GlobalPoolingLayer (MAX, AVG), DropoutLayer, ZeroPaddingLayer; "
            + "activations: identity, ReLU, ReLU6, sigmoid, tanh, hard sigmoid, swish, HardSwish, leaky ReLU, softmax (dense), "
            + "and QuantizedActivation of these";

    /** The supported layer classes (exactly these, not subclasses). */
    private static final Set<Class<?>> LAYERS = Set.of(DenseLayer.class, OutputLayer.class, ConvolutionLayer.class, DepthwiseConvolution2D.class,
            SeparableConvolution2D.class, BatchNormalization.class, ActivationLayer.class, SubsamplingLayer.class, GlobalPoolingLayer.class,
            DropoutLayer.class, ZeroPaddingLayer.class);

    private GraphOnnxExporter() {
    }

    /** The values of {@code a} in C order, as float32. */
    static float[] cOrder(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    /**
     * The float model.
     *
     * @param input the type of the graph's single input: {@code InputType.feedForward(n)},
     *              {@code InputType.convolutionalFlat(h, w, c)} (the graph takes [N, h*w*c]) or
     *              {@code InputType.convolutional(h, w, c)} (the graph takes NCHW [N, c, h, w])
     * @throws IllegalArgumentException for a graph outside the supported set (see the class comment)
     */
    public static byte[] fp32(ComputationGraph graph, InputType input) {
        return fp32(graph, input, null);
    }

    /**
     * The float model whose input is {@code [N, sample...]}, e.g. NCHW {@code [N, c, h, w]} for images, reshaped (C order)
     * to the flat [N, features] the graph takes; {@code sample} null = the input the graph takes.
     */
    public static byte[] fp32(ComputationGraph graph, InputType input, long[] sample) {
        Emitter e = new Emitter(graph, input, Mode.FP32, Map.of(), Map.of(), sample);
        return e.model(e.emit(), List.of());
    }

    /**
     * The INT8 model (QDQ form, see the class comment).
     *
     * @param input       as for {@link #fp32}
     * @param calibration a few hundred representative inputs in the shape the graph takes ([n, features] or [n, c, h, w]),
     *                    for the activation ranges
     * @param weightBits  by vertex name, the bits (2 to 8) at which a layer's weights were already fake-quantized per output
     *                    channel; their integers are stored exactly. Layers not listed are quantized to 8 bits here
     * @throws IllegalArgumentException for a graph outside the supported set, a calibration set of the wrong shape, or a
     *                                  {@code weightBits} entry that names no weight layer or has bits outside 2..8
     */
    public static byte[] int8(ComputationGraph graph, InputType input, INDArray calibration, Map<String, Integer> weightBits) {
        return int8(graph, input, calibration, weightBits, null);
    }

    /** The INT8 model with input {@code [N, sample...]} (see {@link #fp32(ComputationGraph, InputType, long[])}). */
    public static byte[] int8(ComputationGraph graph, InputType input, INDArray calibration, Map<String, Integer> weightBits, long[] sample) {
        Map<String, Integer> bits = checkBits(graph, weightBits);
        Emitter probe = new Emitter(graph, input, Mode.CALIBRATE, bits, Map.of(), sample);
        String last = probe.emit();
        Map<String, float[]> ranges = probe.calibrate(last, calibration);
        Emitter q = new Emitter(graph, input, Mode.INT8, bits, ranges, sample);
        return q.model(q.emit(), List.of());
    }

    /**
     * The vertices whose convolutions or matrix products the INT8 export runs on integer kernels, in topological order:
     * every dense and output layer, and every convolution (plain, depthwise, separable) with at least
     * {@value #MIN_INT8_CONV_INPUT_CHANNELS} input channels.
     */
    public static Set<String> integerLayers(ComputationGraph graph) {
        Set<String> names = new LinkedHashSet<>();
        ComputationGraphConfiguration conf = graph.getConfiguration();
        for (String name : order(graph)) {
            if (conf.getVertices().get(name) instanceof LayerVertex lv && integer(lv.getLayerConf().getLayer())) {
                names.add(name);
            }
        }
        return Collections.unmodifiableSet(names);
    }

    private static boolean integer(Layer layer) {
        Class<?> c = layer.getClass();
        if (c == DenseLayer.class || c == OutputLayer.class) {
            return true;
        }
        boolean conv = c == ConvolutionLayer.class || c == DepthwiseConvolution2D.class || c == SeparableConvolution2D.class;
        return conv && ((ConvolutionLayer) layer).getNIn() >= MIN_INT8_CONV_INPUT_CHANNELS;
    }

    private static boolean hasWeights(Layer layer) {
        Class<?> c = layer.getClass();
        return c == DenseLayer.class || c == OutputLayer.class || c == ConvolutionLayer.class || c == DepthwiseConvolution2D.class
                || c == SeparableConvolution2D.class;
    }

    private static Map<String, Integer> checkBits(ComputationGraph graph, Map<String, Integer> weightBits) {
        if (weightBits == null) {
            return Map.of();
        }
        for (Map.Entry<String, Integer> e : weightBits.entrySet()) {
            GraphVertex v = graph.getConfiguration().getVertices().get(e.getKey());
            if (!(v instanceof LayerVertex lv) || !hasWeights(lv.getLayerConf().getLayer())) {
                throw new IllegalArgumentException("ONNX export: weightBits names '" + e.getKey() + "', which is not a dense or convolution layer of the graph");
            }
            if (e.getValue() == null || e.getValue() < 2 || e.getValue() > 8) {
                throw new IllegalArgumentException("ONNX export: weights of '" + e.getKey() + "' at " + e.getValue()
                        + " bits cannot be stored exactly as int8 (2 to 8 bits)");
            }
        }
        return Map.copyOf(weightBits);
    }

    private static List<String> order(ComputationGraph graph) {
        List<String> order = graph.getConfiguration().getTopologicalOrderStr();
        if (order == null) {
            order = new ArrayList<>();
            for (int i : graph.topologicalSortOrder()) {
                order.add(graph.getVertices()[i].getVertexName());
            }
        }
        return order;
    }

    private static IllegalArgumentException unsupported(String vertex, Object what, String detail) {
        return new IllegalArgumentException("ONNX export: vertex '" + vertex + "' (" + what.getClass().getSimpleName() + ")"
                + (detail.isEmpty() ? "" : " " + detail) + " is not supported; supported: " + SUPPORTED);
    }

    private enum Mode {
        /** The float model. */
        FP32,
        /** The float model with every tensor the INT8 model quantizes registered as a probe (a range key). */
        CALIBRATE,
        /** The QDQ model. */
        INT8
    }

    /** A batch norm's inference form as a per-channel affine map {@code x * scale + shift}. */
    private record Affine(float[] scale, float[] shift) {
    }

    /** A walk over the graph that writes its ONNX nodes. One per export (and one more for an INT8 export's calibration). */
    private static final class Emitter {
        private final ComputationGraph graph;
        private final ComputationGraphConfiguration conf;
        private final InputType inputType;
        private final Mode mode;
        private final Map<String, Integer> weightBits;
        private final Map<String, float[]> ranges;
        private final OnnxGraph g = new OnnxGraph();
        private final String inputName;
        private final String outputName;
        private final Map<String, List<String>> consumers = new HashMap<>();
        private final Map<String, Tensor> outputs = new HashMap<>();
        /** Vertices written as part of an earlier one: folded batch norms, activation layers fused into their producer. */
        private final Set<String> fused = new HashSet<>();
        /** CALIBRATE: range key -> the float tensor that it is the range of. */
        private final Map<String, String> probes = new LinkedHashMap<>();
        /** Set while writing a float convolution whose ReLU is to follow the max pool that reads it. */
        private boolean deferRelu;
        /** The declared input's shape per sample (reshaped to the graph's flat input), or null for the graph's own input. */
        private final long[] sample;

        Emitter(ComputationGraph graph, InputType inputType, Mode mode, Map<String, Integer> weightBits, Map<String, float[]> ranges,
                long[] sample) {
            this.sample = sample == null ? null : sample.clone();
            if (graph == null || inputType == null) {
                throw new IllegalArgumentException("ONNX export needs a graph and its input type");
            }
            this.graph = graph;
            this.conf = graph.getConfiguration();
            this.inputType = inputType;
            this.mode = mode;
            this.weightBits = weightBits;
            this.ranges = ranges;
            if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
                throw new IllegalArgumentException("ONNX export: the graph has inputs " + conf.getNetworkInputs() + " and outputs "
                        + conf.getNetworkOutputs() + "; supported: " + SUPPORTED);
            }
            this.inputName = conf.getNetworkInputs().get(0);
            this.outputName = conf.getNetworkOutputs().get(0);
            conf.getVertexInputs().forEach((vertex, inputs) -> inputs.forEach(in -> consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(vertex)));
        }

        /** Writes every vertex; returns the float tensor of the graph's output. */
        String emit() {
            for (String name : order(graph)) {
                if (name.equals(inputName)) {
                    String input = "input";
                    if (sample != null) {
                        long[] flat = inputShape();
                        long product = Arrays.stream(sample).reduce(1, (a, b) -> a * b);
                        if (flat.length != 2 || product != flat[1]) {
                            throw new IllegalArgumentException("ONNX export: an input of " + Arrays.toString(sample) + " per sample cannot feed the"
                                    + " graph's input " + Arrays.toString(flat));
                        }
                        input = g.labelled("Reshape", "input_flat", List.of("input", g.int64s("shape", new long[] {2}, new long[] {-1, flat[1]})));
                    }
                    outputs.put(name, new Tensor(input, inputShape(), name, null));
                    continue;
                }
                if (fused.contains(name)) {
                    continue;
                }
                GraphVertex v = conf.getVertices().get(name);
                List<String> inputs = conf.getVertexInputs().get(name);
                if (v.getClass() == LayerVertex.class) {
                    layer(name, (LayerVertex) v, inputs);
                } else if (v.getClass() == ElementWiseVertex.class) {
                    elementWise(name, (ElementWiseVertex) v, inputs);
                } else if (v.getClass() == MergeVertex.class) {
                    merge(name, (MergeVertex) v, inputs);
                } else if (v.getClass() == PreprocessorVertex.class) {
                    outputs.put(name, preprocess(name, v, ((PreprocessorVertex) v).getPreProcessor(), only(name, v, inputs)));
                } else if (v.getClass() == ReshapeVertex.class) {
                    reshape(name, (ReshapeVertex) v, only(name, v, inputs));
                } else if (v.getClass() == SubsetVertex.class) {
                    subset(name, (SubsetVertex) v, only(name, v, inputs));
                } else if (v.getClass() == ChannelShuffleVertex.class) {
                    shuffle(name, (ChannelShuffleVertex) v, only(name, v, inputs));
                } else {
                    throw unsupported(name, v, "");
                }
            }
            return floatName(outputs.get(outputName));
        }

        byte[] model(String last, List<String> extraOutputs) {
            String graphName = mode == Mode.INT8 ? "kompakt-graph-int8" : "kompakt-graph-fp32";
            return g.build(graphName, declaredInputShape(), last, outputs.get(outputName).shape, extraOutputs);
        }

        // ---------------------------------------------------------------- vertices

        private Tensor only(String name, Object v, List<String> inputs) {
            if (inputs.size() != 1) {
                throw unsupported(name, v, "with " + inputs.size() + " inputs");
            }
            return outputs.get(inputs.get(0));
        }

        private void layer(String name, LayerVertex v, List<String> inputs) {
            Layer layer = v.getLayerConf().getLayer();
            if (!LAYERS.contains(layer.getClass())) {
                throw unsupported(name, layer, "");
            }
            Tensor x = only(name, layer, inputs);
            if (v.getPreProcessor() != null) {
                x = preprocess(name, layer, v.getPreProcessor(), x);
            }
            Class<?> c = layer.getClass();
            if (c == ConvolutionLayer.class || c == DepthwiseConvolution2D.class || c == SeparableConvolution2D.class || c == DenseLayer.class
                    || c == OutputLayer.class) {
                linear(name, (BaseLayer) layer, x);
            } else if (c == BatchNormalization.class) {
                Affine a = affine(name, (BatchNormalization) layer, x.rank());
                requireChannels(name, layer, x, a.scale.length);
                long[] shape = x.rank() == 4 ? new long[] {a.scale.length, 1, 1} : new long[] {a.scale.length};
                String y = g.labelled("Mul", name, List.of(floatName(x), g.floats("bn_scale", shape, a.scale)));
                y = g.labelled("Add", name, List.of(y, g.floats("bn_shift", shape, a.shift)));
                outputs.put(name, new Tensor(y, x.shape, name, null));
            } else if (c == ActivationLayer.class) {
                IActivation act = ((ActivationLayer) layer).getActivationFn();
                outputs.put(name, new Tensor(activation(name, layer, floatName(x), act, x.rank()), x.shape, name, fixedRange(act)));
            } else if (c == SubsamplingLayer.class) {
                pooling(name, (SubsamplingLayer) layer, x);
            } else if (c == GlobalPoolingLayer.class) {
                globalPooling(name, (GlobalPoolingLayer) layer, x);
            } else if (c == DropoutLayer.class) {
                outputs.put(name, x);   // identity at inference (DL4J applies no activation in a dropout layer)
            } else if (c == ZeroPaddingLayer.class) {
                ZeroPaddingLayer z = (ZeroPaddingLayer) layer;
                requireRank(name, layer, x, 4);
                requireNchw(name, layer, z.getDataFormat());
                int[] p = z.getPadding();   // top, bottom, left, right
                String pads = g.int64s("pads", new long[] {8}, new long[] {0, 0, p[0], p[2], 0, 0, p[1], p[3]});
                long[] shape = {-1, x.shape[1], x.shape[2] + p[0] + p[1], x.shape[3] + p[2] + p[3]};
                outputs.put(name, new Tensor(g.labelled("Pad", name, List.of(floatName(x), pads)), shape, name, null));
            } else {
                throw unsupported(name, layer, "");
            }
        }

        private void elementWise(String name, ElementWiseVertex v, List<String> inputs) {
            List<String> xs = new ArrayList<>();
            long[] shape = outputs.get(inputs.get(0)).shape;
            for (String in : inputs) {
                Tensor t = outputs.get(in);
                xs.add(floatName(t));
                shape = broadcast(name, v, shape, t.shape);
            }
            String y;
            if (xs.size() == 1 && v.getOp() != ElementWiseVertex.Op.Subtract) {
                y = xs.get(0);
            } else {
                y = switch (v.getOp()) {
                    case Add -> g.labelled(xs.size() == 2 ? "Add" : "Sum", name, xs);
                    case Subtract -> {
                        if (xs.size() != 2) {
                            throw unsupported(name, v, "Subtract with " + xs.size() + " inputs");
                        }
                        yield g.labelled("Sub", name, xs);
                    }
                    case Product -> {
                        String p = xs.get(0);
                        for (int i = 1; i < xs.size(); i++) {
                            p = g.labelled("Mul", name, List.of(p, xs.get(i)));
                        }
                        yield p;
                    }
                    case Average -> g.labelled("Mean", name, xs);
                    case Max -> g.labelled("Max", name, xs);
                };
            }
            outputs.put(name, new Tensor(y, shape, name, null));
        }

        /** numpy's broadcast of two shapes (batch dimension -1), as DL4J's element-wise vertex computes it. */
        private static long[] broadcast(String name, Object v, long[] a, long[] b) {
            if (a.length != b.length) {
                throw unsupported(name, v, "combining activations of shapes " + Arrays.toString(a) + " and " + Arrays.toString(b));
            }
            long[] out = a.clone();
            for (int d = 1; d < a.length; d++) {
                if (a[d] != b[d] && a[d] != 1 && b[d] != 1) {
                    throw unsupported(name, v, "combining activations of shapes " + Arrays.toString(a) + " and " + Arrays.toString(b));
                }
                out[d] = Math.max(a[d], b[d]);
            }
            return out;
        }

        private void merge(String name, MergeVertex v, List<String> inputs) {
            if (v.getMergeAxis() != 1) {
                throw unsupported(name, v, "merging along axis " + v.getMergeAxis());
            }
            List<String> xs = new ArrayList<>();
            long[] shape = outputs.get(inputs.get(0)).shape.clone();
            shape[1] = 0;
            for (String in : inputs) {
                Tensor t = outputs.get(in);
                long[] other = t.shape.clone();
                other[1] = shape[1];
                if (!Arrays.equals(shape, other)) {
                    throw unsupported(name, v, "merging activations of shapes " + Arrays.toString(outputs.get(inputs.get(0)).shape)
                            + " and " + Arrays.toString(t.shape));
                }
                shape[1] += t.shape[1];
                xs.add(floatName(t));
            }
            String y = xs.size() == 1 ? xs.get(0) : g.labelled("Concat", name, xs, OnnxGraph.integer("axis", 1));
            outputs.put(name, new Tensor(y, shape, name, null));
        }

        private void reshape(String name, ReshapeVertex v, Tensor x) {
            int[] shape = v.getNewShape();
            if (v.getReshapeOrder() != 'c' || shape.length < 2 || shape[0] != -1 || Arrays.stream(shape, 1, shape.length).anyMatch(d -> d <= 0)) {
                throw unsupported(name, v, "with order '" + v.getReshapeOrder() + "' and shape " + Arrays.toString(shape));
            }
            long[] dims = Arrays.stream(shape).asLongStream().toArray();
            if (Arrays.stream(dims, 1, dims.length).reduce(1, (a, b) -> a * b) != Arrays.stream(x.shape, 1, x.shape.length).reduce(1, (a, b) -> a * b)) {
                throw unsupported(name, v, "reshaping " + Arrays.toString(x.shape) + " to " + Arrays.toString(shape));
            }
            String y = g.labelled("Reshape", name, List.of(floatName(x), g.int64s("shape", new long[] {dims.length}, dims)));
            outputs.put(name, new Tensor(y, dims, x.key, x.fixed));
        }

        /** Channels {@code from..to} (inclusive) of axis 1: a Slice; the values keep their input's range. */
        private void subset(String name, SubsetVertex v, Tensor x) {
            if (x.rank() != 2 && x.rank() != 4) {
                throw unsupported(name, v, "of a rank-" + x.rank() + " activation");
            }
            long[] shape = x.shape.clone();
            shape[1] = v.getTo() - v.getFrom() + 1;
            String y = g.labelled("Slice", name, List.of(floatName(x), g.int64s("starts", new long[] {1}, new long[] {v.getFrom()}),
                    g.int64s("ends", new long[] {1}, new long[] {v.getTo() + 1L}), g.int64s("axes", new long[] {1}, new long[] {1})));
            outputs.put(name, new Tensor(y, shape, x.key, x.fixed));
        }

        /** {@link ChannelShuffleVertex}: Reshape [N, g, C/g, H, W], Transpose of axes 1 and 2, Reshape [N, C, H, W]. */
        private void shuffle(String name, ChannelShuffleVertex v, Tensor x) {
            if (x.rank() != 4 || x.shape[1] % v.getGroups() != 0) {
                throw unsupported(name, v, "of shape " + Arrays.toString(x.shape));
            }
            long c = x.shape[1];
            long[] split = {-1, v.getGroups(), c / v.getGroups(), x.shape[2], x.shape[3]};
            String y = g.labelled("Reshape", name, List.of(floatName(x), g.int64s("shape", new long[] {5}, split)));
            y = g.labelled("Transpose", name, List.of(y), OnnxGraph.ints("perm", 0, 2, 1, 3, 4));
            y = g.labelled("Reshape", name, List.of(y, g.int64s("shape", new long[] {4}, new long[] {-1, c, x.shape[2], x.shape[3]})));
            outputs.put(name, new Tensor(y, x.shape.clone(), x.key, x.fixed));
        }

        /** A preprocessor's output: the same values (same range key) in another shape. */
        private Tensor preprocess(String name, Object owner, InputPreProcessor pre, Tensor x) {
            if (pre.getClass() == CnnToFeedForwardPreProcessor.class) {
                requireNchw(name, owner, ((CnnToFeedForwardPreProcessor) pre).getFormat());
                if (x.rank() == 2) {
                    return x;   // DL4J passes dense activations through
                }
                long[] shape = {-1, x.shape[1] * x.shape[2] * x.shape[3]};
                return new Tensor(g.labelled("Flatten", name, List.of(floatName(x)), OnnxGraph.integer("axis", 1)), shape, x.key, x.fixed);
            }
            if (pre.getClass() == FeedForwardToCnnPreProcessor.class) {
                FeedForwardToCnnPreProcessor p = (FeedForwardToCnnPreProcessor) pre;
                if (x.rank() == 4) {
                    return x;
                }
                long[] shape = {-1, p.getNumChannels(), p.getInputHeight(), p.getInputWidth()};
                if (x.shape[1] != shape[1] * shape[2] * shape[3]) {
                    throw unsupported(name, owner, "reshaping " + Arrays.toString(x.shape) + " to " + Arrays.toString(shape));
                }
                return new Tensor(g.labelled("Reshape", name, List.of(floatName(x), g.int64s("shape", new long[] {4}, shape))), shape, x.key, x.fixed);
            }
            throw unsupported(name, owner, "with input preprocessor " + pre.getClass().getSimpleName());
        }

        // ---------------------------------------------------------------- layers with weights

        /**
         * A convolution or dense layer, with the batch norm folded into it and the activation layer fused into it where
         * it has the identity activation and they are its only consumers (see the class comment).
         */
        private void linear(String name, BaseLayer layer, Tensor x) {
            org.deeplearning4j.nn.api.Layer impl = graph.getLayer(name);
            IActivation act = layer.getActivationFn();
            String end = name;
            Affine fold = null;
            if (layer.getClass() != OutputLayer.class && act instanceof ActivationIdentity) {
                String next = soleConsumer(end);
                if (next != null && layerOf(next) instanceof BatchNormalization bn && bn.getClass() == BatchNormalization.class
                        && ((LayerVertex) conf.getVertices().get(next)).getPreProcessor() == null) {
                    fold = affine(next, bn, layer instanceof ConvolutionLayer ? 4 : 2);
                    fused.add(next);
                    end = next;
                    next = soleConsumer(end);
                }
                if (next != null && layerOf(next) instanceof ActivationLayer a && a.getClass() == ActivationLayer.class
                        && ((LayerVertex) conf.getVertices().get(next)).getPreProcessor() == null) {
                    act = a.getActivationFn();
                    fused.add(next);
                    end = next;
                }
            }
            boolean integer = integer(layer);
            String next = soleConsumer(end);
            // a float convolution's ReLU goes behind the max pool that alone reads it (see pooling())
            deferRelu = mode == Mode.INT8 && !integer && layer instanceof ConvolutionLayer && isPlainRelu(ActivationQuantizer.floatActivation(act))
                    && next != null && layerOf(next) instanceof SubsamplingLayer pool && pool.getClass() == SubsamplingLayer.class
                    && pool.getPoolingType() == PoolingType.MAX && ((LayerVertex) conf.getVertices().get(next)).getPreProcessor() == null;
            int bits = weightBits.getOrDefault(name, 8);
            INDArray b = impl.paramTable().get("b");
            float[] bias = b == null ? null : cOrder(b);
            Tensor y;
            if (layer.getClass() == DenseLayer.class || layer.getClass() == OutputLayer.class) {
                if (layer instanceof DenseLayer d && d.isHasLayerNorm()) {
                    throw unsupported(name, layer, "with layer normalisation");
                }
                requireRank(name, layer, x, 2);
                INDArray w = impl.getParam("W");   // [in, out]
                requireChannels(name, layer, x, w.size(0));
                List<Onnx.AttributeProto> attrs = List.of(OnnxGraph.real("alpha", 1f), OnnxGraph.real("beta", 1f),
                        OnnxGraph.integer("transA", 0), OnnxGraph.integer("transB", 0));
                y = emitLinear(name, layer, end, new long[] {-1, w.size(1)}, cOrder(w), w.shape(), bias, attrs, fold, act,
                        integer, bits, x);
            } else {
                ConvolutionLayer c = (ConvolutionLayer) layer;
                requireRank(name, layer, x, 4);
                requireNchw(name, layer, c.getCnn2dDataFormat());
                Window window = window(name, c, c.getConvolutionMode(), c.getKernelSize(), c.getStride(), c.getPadding(), c.getDilation(), x);
                List<Onnx.AttributeProto> attrs = new ArrayList<>(window.attributes());
                if (layer.getClass() == ConvolutionLayer.class) {
                    INDArray w = impl.getParam("W");   // [out, in, kH, kW]
                    requireChannels(name, layer, x, w.size(1));
                    y = emitLinear(name, layer, end, window.output(w.size(0)), cOrder(w), w.shape(), bias, attrs, fold, act,
                            integer, bits, x);
                } else if (layer.getClass() == DepthwiseConvolution2D.class) {
                    INDArray w = impl.getParam("W");   // [kH, kW, in, multiplier]
                    long[] s = w.shape();
                    requireChannels(name, layer, x, s[2]);
                    INDArray onnx = w.permute(2, 3, 0, 1).dup('c').reshape('c', s[2] * s[3], 1, s[0], s[1]);
                    attrs.add(OnnxGraph.integer("group", s[2]));
                    y = emitLinear(name, layer, end, window.output(s[2] * s[3]), cOrder(onnx), onnx.shape(), bias, attrs, fold, act,
                            integer, bits, x);
                } else {
                    INDArray dw = impl.getParam("W");   // [multiplier, in, kH, kW]
                    INDArray pw = impl.getParam("pW");  // [out, in * multiplier, 1, 1]
                    long[] s = dw.shape();
                    requireChannels(name, layer, x, s[1]);
                    INDArray onnx = dw.permute(1, 0, 2, 3).dup('c').reshape('c', s[1] * s[0], 1, s[2], s[3]);
                    attrs.add(OnnxGraph.integer("group", s[1]));
                    Tensor depthwise = emitLinear(name, layer, end + "#dw", window.output(s[1] * s[0]), cOrder(onnx), onnx.shape(),
                            null, attrs, null, new ActivationIdentity(), integer, bits, x);
                    List<Onnx.AttributeProto> pointwise = List.of(OnnxGraph.ints("kernel_shape", 1, 1), OnnxGraph.ints("strides", 1, 1),
                            OnnxGraph.ints("dilations", 1, 1), OnnxGraph.ints("pads", 0, 0, 0, 0));
                    y = emitLinear(name, layer, end, window.output(pw.size(0)), cOrder(pw), pw.shape(), bias, pointwise, fold, act,
                            integer, bits, depthwise);
                }
            }
            deferRelu = false;
            outputs.put(end, y);
        }

        /**
         * One Conv or Gemm node with its weights, bias, folded batch norm and activation.
         *
         * @param key the range key of the result (its pre-activation is {@code key + "#acc"})
         * @param out the result's shape: [N, out] for a Gemm, [N, out, h, w] for a Conv
         */
        private Tensor emitLinear(String vertex, Layer layer, String key, long[] out, float[] w, long[] shape, float[] bias,
                                  List<Onnx.AttributeProto> attrs, Affine fold, IActivation act, boolean integer, int bits, Tensor x) {
            boolean conv = out.length == 4;
            int axis = conv ? 0 : 1;
            int channels = (int) shape[axis];
            long stride = ChannelQuantization.stride(shape, axis);
            float[] b = null;
            if (bias != null || fold != null) {
                b = new float[channels];
                for (int o = 0; o < channels; o++) {
                    float v = bias == null ? 0f : bias[o];
                    b[o] = fold == null ? v : v * fold.scale[o] + fold.shift[o];
                }
            }
            String op = conv ? "Conv" : "Gemm";
            Onnx.AttributeProto[] attributes = attrs.toArray(Onnx.AttributeProto[]::new);
            boolean quantized = integer && mode != Mode.FP32;
            if (mode != Mode.INT8 || !integer) {
                float[] values;
                if (mode == Mode.INT8) {
                    values = ChannelQuantization.of(w, shape, axis, bits).dequantized();   // a float layer of the INT8 model
                } else {
                    values = w.clone();
                }
                if (fold != null) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] *= fold.scale[(int) ((i / stride) % channels)];
                    }
                }
                List<String> inputs = new ArrayList<>(List.of(quantized ? quantizedInput(x) : floatName(x), g.floats("W", shape, values)));
                if (b != null) {
                    inputs.add(g.floats("B", new long[] {channels}, b));
                }
                String y = g.labelled(op, vertex, inputs, attributes);
                if (deferRelu && !(act instanceof ActivationIdentity)) {
                    Tensor t = new Tensor(y, out, key, fixedRange(act));
                    t.deferredRelu = true;
                    return t;
                }
                return quantized && conv ? quantizedOutput(vertex, layer, key, y, act, out) : activated(vertex, layer, key, y, act, out);
            }
            // INT8, integer kernel
            ChannelQuantization q = ChannelQuantization.of(w, shape, axis, bits);
            byte[] levels = new byte[w.length];
            float[] scales = q.scales().clone();
            boolean[] negate = new boolean[channels];
            if (fold != null) {
                for (int o = 0; o < channels; o++) {
                    float s = fold.scale[o];
                    negate[o] = s < 0;
                    if (s != 0) {
                        scales[o] *= Math.abs(s);
                    }
                }
            }
            boolean[] zero = new boolean[channels];
            for (int o = 0; o < channels && fold != null; o++) {
                zero[o] = fold.scale[o] == 0;
            }
            String xq = quantizedInput(x);
            float xScale = x.scale;
            int[] qBias = null;
            if (b != null) {
                qBias = new int[channels];
                for (int o = 0; o < channels; o++) {
                    double level = Math.rint(b[o] / ((double) xScale * scales[o]));
                    if (Math.abs(level) > Integer.MAX_VALUE) {
                        // the bias alone, at a scale that holds it (see the class comment)
                        zero[o] = true;
                        scales[o] = (float) (Math.abs(b[o]) / ((double) xScale * (1 << 30)));
                        level = Math.rint(b[o] / ((double) xScale * scales[o]));
                    }
                    qBias[o] = (int) level;
                }
            }
            for (int i = 0; i < levels.length; i++) {
                int o = (int) ((i / stride) % channels);
                int l = zero[o] ? 0 : q.levels()[i];
                levels[i] = (byte) (negate[o] ? -l : l);
            }
            Onnx.AttributeProto channelAxis = OnnxGraph.integer("axis", axis);
            String wq = g.node("DequantizeLinear", List.of(g.int8s("w", shape, levels), g.floats("w_scale", new long[] {channels}, scales),
                    g.int8s("w_zp", new long[] {channels}, new byte[channels])), channelAxis);
            List<String> inputs = new ArrayList<>(List.of(xq, wq));
            if (qBias != null) {
                float[] biasScales = new float[channels];
                for (int o = 0; o < channels; o++) {
                    biasScales[o] = xScale * scales[o];
                }
                inputs.add(g.node("DequantizeLinear", List.of(g.int32s("bias", new long[] {channels}, qBias),
                        g.floats("bias_scale", new long[] {channels}, biasScales), g.int32s("bias_zp", new long[] {channels}, new int[channels])),
                        OnnxGraph.integer("axis", 0)));
            }
            String y = g.labelled(op, vertex, inputs, attributes);
            return conv ? quantizedOutput(vertex, layer, key, y, act, out) : activated(vertex, layer, key, y, act, out);
        }

        /** A float activation of {@code y} as the tensor {@code key}. */
        private Tensor activated(String vertex, Layer layer, String key, String y, IActivation act, long[] shape) {
            return new Tensor(activation(vertex, layer, y, act, shape.length), shape, key, fixedRange(act));
        }

        /**
         * An integer convolution's output, quantized right after the convolution so that ONNX Runtime fuses the group into
         * QLinearConv: ReLU/ReLU6 then QuantizeLinear over [0, max] (the activation is redundant with the quantization),
         * identity then QuantizeLinear, any other activation in float after the quantized pre-activation.
         */
        private Tensor quantizedOutput(String vertex, Layer layer, String key, String y, IActivation act, long[] shape) {
            IActivation f = ActivationQuantizer.floatActivation(act);
            float[] fixed = fixedRange(act);
            Tensor t;
            if (f instanceof ActivationIdentity || isPlainRelu(f) || f instanceof ActivationReLU6) {
                t = new Tensor(activation(vertex, layer, y, act, 4), shape, key, fixed);
                quantize(t, Float.NEGATIVE_INFINITY, f instanceof ActivationReLU6 ? 6f : Float.POSITIVE_INFINITY);
                if (mode == Mode.INT8) {
                    t.name = null;   // the activation's only consumer is the QuantizeLinear; float readers get a DequantizeLinear
                }
                return t;
            }
            Tensor pre = new Tensor(y, shape, key + "#acc", null);
            float[] live = unsaturated(f);
            quantize(pre, live[0], live[1]);
            if (mode == Mode.INT8) {
                pre.name = null;
            }
            return new Tensor(activation(vertex, layer, floatName(pre), act, 4), shape, key, fixed);
        }

        /** Batch norm at inference as {@code x * scale + shift} per channel (see the class comment for locked gamma/beta). */
        private Affine affine(String name, BatchNormalization bn, int rank) {
            if (rank == 4) {
                requireNchw(name, bn, bn.getCnn2DFormat());
            }
            org.deeplearning4j.nn.api.Layer impl = graph.getLayer(name);
            float[] mean = cOrder(impl.getParam("mean"));
            float[] var;
            if (bn.isUseLogStd()) {
                float[] log10std = cOrder(impl.getParam("log10stdev"));
                var = new float[log10std.length];
                for (int i = 0; i < var.length; i++) {
                    double std = Math.pow(10, log10std[i]);
                    var[i] = (float) (std * std);
                }
            } else {
                var = cOrder(impl.getParam("var"));
            }
            float[] gamma = new float[mean.length];
            float[] beta = new float[mean.length];
            if (bn.isLockGammaBeta()) {
                boolean scaled = bn.getGamma() != 1.0;
                boolean shifted = bn.getBeta() != 0.0;
                if (scaled != shifted) {
                    throw unsupported(name, bn, "with locked gamma " + bn.getGamma() + " and beta " + bn.getBeta()
                            + " (DL4J M2.1 applies locked constants only when gamma != 1 and beta != 0 on its built-in path, always on MKL-DNN)");
                }
                Arrays.fill(gamma, (float) bn.getGamma());
                Arrays.fill(beta, (float) bn.getBeta());
            } else {
                gamma = cOrder(impl.getParam("gamma"));
                beta = cOrder(impl.getParam("beta"));
            }
            float[] scale = new float[mean.length];
            float[] shift = new float[mean.length];
            for (int c = 0; c < mean.length; c++) {
                double s = gamma[c] / Math.sqrt((double) var[c] + bn.getEps());
                scale[c] = (float) s;
                shift[c] = (float) (beta[c] - mean[c] * s);
            }
            return new Affine(scale, shift);
        }

        // ---------------------------------------------------------------- pooling

        private void pooling(String name, SubsamplingLayer s, Tensor x) {
            requireRank(name, s, x, 4);
            requireNchw(name, s, s.getCnn2dDataFormat());
            int[] dilation = s.getDilation() == null ? new int[] {1, 1} : s.getDilation();
            Window window = window(name, s, s.getConvolutionMode(), s.getKernelSize(), s.getStride(), s.getPadding(), dilation, x);
            List<Onnx.AttributeProto> attrs = new ArrayList<>(window.attributes());
            String y;
            if (s.getPoolingType() == PoolingType.MAX) {
                y = g.labelled("MaxPool", name, List.of(floatName(x)), attrs.toArray(Onnx.AttributeProto[]::new));
                if (x.deferredRelu) {
                    // A float max pool followed by QuantizeLinear is rewritten by ONNX Runtime (the quantization moves above the
                    // pool, the ReLU into it) into a uint8 max pool in NCHW, 10x slower than the float one (measured for
                    // the earlier sequential exporter); a ReLU between pool and quantization stops that. Max pooling and ReLU commute.
                    y = g.labelled("Relu", name, List.of(y));
                }
            } else if (s.getPoolingType() == PoolingType.AVG) {
                if (dilation[0] != 1 || dilation[1] != 1) {
                    throw unsupported(name, s, "AVG pooling with dilation " + Arrays.toString(dilation) + " (ONNX AveragePool has dilations from opset 19)");
                }
                attrs.removeIf(a -> a.getName().equals("dilations"));
                attrs.add(OnnxGraph.integer("count_include_pad", s.isAvgPoolIncludePadInDivisor() ? 1 : 0));
                y = g.labelled("AveragePool", name, List.of(floatName(x)), attrs.toArray(Onnx.AttributeProto[]::new));
            } else {
                throw unsupported(name, s, "pooling " + s.getPoolingType());
            }
            outputs.put(name, new Tensor(y, window.output(x.shape[1]), name, null));
        }

        private void globalPooling(String name, GlobalPoolingLayer p, Tensor x) {
            requireRank(name, p, x, 4);
            int[] dims = p.getPoolingDimensions();
            if (dims != null && !Arrays.equals(dims, new int[] {2, 3})) {
                throw unsupported(name, p, "pooling dimensions " + Arrays.toString(dims));
            }
            String op = switch (p.getPoolingType()) {
                case MAX -> "GlobalMaxPool";
                case AVG -> "GlobalAveragePool";
                default -> throw unsupported(name, p, "pooling " + p.getPoolingType());
            };
            String y = g.labelled(op, name, List.of(floatName(x)));
            if (p.isCollapseDimensions()) {
                y = g.labelled("Flatten", name, List.of(y), OnnxGraph.integer("axis", 1));
            }
            long[] shape = p.isCollapseDimensions() ? new long[] {-1, x.shape[1]} : new long[] {-1, x.shape[1], 1, 1};
            outputs.put(name, new Tensor(y, shape, name, null));
        }

        /** A convolution or pooling window: its ONNX attributes and its output's height and width. */
        private record Window(List<Onnx.AttributeProto> attributes, long height, long width) {
            long[] output(long channels) {
                return new long[] {-1, channels, height, width};
            }
        }

        /**
         * kernel_shape, strides, dilations and explicit pads of a convolution or pooling window over {@code x}. Same mode:
         * output ceil(in / stride), total padding {@code max(0, (out - 1) * stride + (k - 1) * dilation + 1 - in)}, of which
         * DL4J puts total / 2 at the top/left and the rest at the bottom/right; Truncate and Strict: the layer's padding on
         * both sides, output floor((in + 2p - effective kernel) / stride) + 1.
         */
        private Window window(String name, Object layer, ConvolutionMode mode, int[] kernel, int[] stride, int[] padding, int[] dilation, Tensor x) {
            long[] size = {x.shape[2], x.shape[3]};
            long[] begin = new long[2];
            long[] end = new long[2];
            long[] out = new long[2];
            for (int d = 0; d < 2; d++) {
                long effective = (long) (kernel[d] - 1) * dilation[d] + 1;
                if (mode == ConvolutionMode.Same) {
                    out[d] = (size[d] + stride[d] - 1) / stride[d];
                    long total = Math.max(0, (out[d] - 1) * stride[d] + effective - size[d]);
                    begin[d] = total / 2;
                    end[d] = total - begin[d];
                } else if (mode == ConvolutionMode.Truncate || mode == ConvolutionMode.Strict) {
                    begin[d] = padding[d];
                    end[d] = padding[d];
                    out[d] = (size[d] + 2L * padding[d] - effective) / stride[d] + 1;
                } else {
                    throw unsupported(name, layer, "in convolution mode " + mode);
                }
                if (out[d] < 1) {
                    throw unsupported(name, layer, "on activations of shape " + Arrays.toString(x.shape) + " (empty output)");
                }
            }
            return new Window(List.of(OnnxGraph.ints("kernel_shape", kernel[0], kernel[1]), OnnxGraph.ints("strides", stride[0], stride[1]),
                    OnnxGraph.ints("dilations", dilation[0], dilation[1]), OnnxGraph.ints("pads", begin[0], begin[1], end[0], end[1])), out[0], out[1]);
        }

        // ---------------------------------------------------------------- activations

        private String activation(String vertex, Object layer, String x, IActivation act, int rank) {
            IActivation f = ActivationQuantizer.floatActivation(act);
            Class<?> c = f.getClass();
            if (c == ActivationIdentity.class) {
                return x;
            }
            if (isPlainRelu(f)) {
                return g.labelled("Relu", vertex, List.of(x));
            }
            if (c == ActivationReLU6.class) {
                return g.labelled("Clip", vertex, List.of(x, g.floats("min", new long[0], new float[] {0f}), g.floats("max", new long[0], new float[] {6f})));
            }
            if (c == ActivationSigmoid.class) {
                return g.labelled("Sigmoid", vertex, List.of(x));
            }
            if (c == ActivationTanH.class) {
                return g.labelled("Tanh", vertex, List.of(x));
            }
            if (c == ActivationHardSigmoid.class) {
                return g.labelled("HardSigmoid", vertex, List.of(x), OnnxGraph.real("alpha", 0.2f), OnnxGraph.real("beta", 0.5f));
            }
            if (c == ActivationSwish.class) {
                return g.labelled("Mul", vertex, List.of(x, g.labelled("Sigmoid", vertex, List.of(x))));
            }
            if (c == HardSwish.class) {
                String gate = g.labelled("HardSigmoid", vertex, List.of(x), OnnxGraph.real("alpha", 1f / 6f), OnnxGraph.real("beta", 0.5f));
                return g.labelled("Mul", vertex, List.of(x, gate));
            }
            if (c == ActivationLReLU.class) {
                return g.labelled("LeakyRelu", vertex, List.of(x), OnnxGraph.real("alpha", (float) ((ActivationLReLU) f).getAlpha()));
            }
            if (c == ActivationSoftmax.class && rank == 2) {
                return g.labelled("Softmax", vertex, List.of(x), OnnxGraph.integer("axis", 1));
            }
            throw unsupported(vertex, layer, "with activation " + act + (c == ActivationSoftmax.class ? " on rank-" + rank + " activations" : ""));
        }

        private static boolean isPlainRelu(IActivation f) {
            if (f.getClass() != ActivationReLU.class) {
                return false;
            }
            ActivationReLU r = (ActivationReLU) f;
            return r.getMax() == null && (r.getThreshold() == null || r.getThreshold() == 0.0)
                    && (r.getNegativeSlope() == null || r.getNegativeSlope() == 0.0);
        }

        /**
         * The inputs outside which an activation is flat, to cut the range of the pre-activation that is quantized ahead of
         * it: exactly for hard sigmoid (|x| &gt; 2.5) and hard swish (x &lt; -3); for sigmoid (|x| &gt; 10), tanh (|x| &gt; 5)
         * and swish (x &lt; -10) the outputs move by less than 1e-4 beyond, below a 255th of their range.
         */
        private static float[] unsaturated(IActivation f) {
            Class<?> c = f.getClass();
            float inf = Float.POSITIVE_INFINITY;
            if (c == ActivationHardSigmoid.class) {
                return new float[] {-2.5f, 2.5f};
            }
            if (c == HardSwish.class) {
                return new float[] {-3f, inf};
            }
            if (c == ActivationSigmoid.class) {
                return new float[] {-10f, 10f};
            }
            if (c == ActivationTanH.class) {
                return new float[] {-5f, 5f};
            }
            if (c == ActivationSwish.class) {
                return new float[] {-10f, inf};
            }
            return new float[] {-inf, inf};
        }

        /** A quantized activation's own range (see the class comment); null for a float activation. */
        private static float[] fixedRange(IActivation act) {
            return act instanceof QuantizedActivation q ? new float[] {(float) q.min(), (float) q.max()} : null;
        }

        // ---------------------------------------------------------------- quantization

        /** The tensor's float name, dequantizing its quantized form (once, shared by float readers) if it has no other. */
        private String floatName(Tensor t) {
            if (t.name == null) {
                t.name = dequantize(t);
            }
            return t.name;
        }

        /** The input of an integer kernel: a DequantizeLinear of the tensor's quantized form, its own for each reader. */
        private String quantizedInput(Tensor t) {
            if (t.q == null) {
                quantize(t, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
            }
            return mode == Mode.INT8 ? dequantize(t) : floatName(t);
        }

        /**
         * Gives {@code t} its QuantizeLinear over its range, widened to contain 0 and cut to [floor, cap]; in CALIBRATE mode
         * registers the probe.
         */
        private void quantize(Tensor t, float floor, float cap) {
            if (mode == Mode.CALIBRATE) {
                t.q = "probe";
                if (t.fixed == null) {
                    probes.putIfAbsent(t.key, floatName(t));
                }
                return;
            }
            float[] r = t.fixed != null ? t.fixed : ranges.get(t.key);
            if (r == null) {
                throw new IllegalStateException("ONNX export: no calibrated range for " + t.key);
            }
            float lo = Math.max(floor, Math.min(0f, r[0]));
            float hi = Math.min(cap, Math.max(0f, r[1]));
            float scale = Math.max(hi - lo, 1e-8f) / 255f;
            int zeroPoint = Math.max(0, Math.min(255, Math.round(-lo / scale)));
            t.scale = scale;
            t.zeroPoint = zeroPoint;
            t.q = g.node("QuantizeLinear", List.of(floatName(t), g.floats("scale", new long[0], new float[] {scale}),
                    g.uint8s("zp", new long[0], new byte[] {(byte) zeroPoint})));
        }

        private String dequantize(Tensor t) {
            return g.node("DequantizeLinear", List.of(t.q, g.floats("scale", new long[0], new float[] {t.scale}),
                    g.uint8s("zp", new long[0], new byte[] {(byte) t.zeroPoint})));
        }

        /**
         * Runs {@code calibration} through this (CALIBRATE) walk's float model with every probe as an output; returns each
         * range key's [min, max].
         */
        Map<String, float[]> calibrate(String last, INDArray calibration) {
            long[] dims = inputShape();
            if (calibration == null || calibration.rank() != dims.length || calibration.size(0) == 0) {
                throw new IllegalArgumentException("ONNX export: calibration inputs must be a non-empty [n, " + (dims.length == 2 ? "features" : "c, h, w")
                        + "] array, got " + (calibration == null ? null : Arrays.toString(calibration.shape())));
            }
            for (int d = 1; d < dims.length; d++) {
                if (calibration.size(d) != dims[d]) {
                    throw new IllegalArgumentException("ONNX export: calibration inputs of shape " + Arrays.toString(calibration.shape())
                            + " do not match the graph's input " + Arrays.toString(dims));
                }
            }
            float[] data = calibration.castTo(DataType.FLOAT).dup('c').data().asFloat();
            List<String> tensors = new ArrayList<>(new LinkedHashSet<>(probes.values()));
            tensors.remove("input");
            byte[] model = model(last, tensors);
            int n = (int) calibration.size(0);
            int sampleSize = data.length / n;
            long[] declared = declaredInputShape();
            Map<String, float[]> byTensor = OrtThread.call(() -> minMax(model, tensors, data, n, sampleSize, declared));
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : data) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            byTensor.put("input", new float[] {lo, hi});
            Map<String, float[]> result = new HashMap<>();
            probes.forEach((key, tensor) -> result.put(key, byTensor.get(tensor)));
            return result;
        }

        private static Map<String, float[]> minMax(byte[] model, List<String> tensors, float[] data, int n, int sample, long[] dims) throws OrtException {
            Map<String, float[]> ranges = new HashMap<>();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                try (OrtSession session = env.createSession(model, options)) {
                    for (int start = 0; start < n; start += CALIBRATION_BATCH) {
                        int rows = Math.min(CALIBRATION_BATCH, n - start);
                        long[] shape = dims.clone();
                        shape[0] = rows;
                        float[] batch = Arrays.copyOfRange(data, start * sample, (start + rows) * sample);
                        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(batch), shape);
                             OrtSession.Result result = session.run(Map.of("input", input), new LinkedHashSet<>(tensors))) {
                            for (String t : tensors) {
                                OnnxValue v = result.get(t).orElseThrow();
                                FloatBuffer values = ((OnnxTensor) v).getFloatBuffer();
                                float[] r = ranges.computeIfAbsent(t, k -> new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY});
                                while (values.hasRemaining()) {
                                    float x = values.get();
                                    r[0] = Math.min(r[0], x);
                                    r[1] = Math.max(r[1], x);
                                }
                            }
                        }
                    }
                }
            }
            return ranges;
        }

        // ---------------------------------------------------------------- shapes and checks

        private String soleConsumer(String vertex) {
            List<String> c = consumers.getOrDefault(vertex, List.of());
            return c.size() == 1 && !vertex.equals(outputName) ? c.get(0) : null;
        }

        private Layer layerOf(String vertex) {
            return conf.getVertices().get(vertex) instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
        }

        /** The model's input shape (batch -1) for the graph's input type. */
        /** The shape of the model's input: {@code [-1, sample...]} when a sample shape was given, else {@link #inputShape()}. */
        private long[] declaredInputShape() {
            if (sample == null) {
                return inputShape();
            }
            long[] d = new long[sample.length + 1];
            d[0] = -1;
            System.arraycopy(sample, 0, d, 1, sample.length);
            return d;
        }

        private long[] inputShape() {
            InputType t = inputType;
            if (t instanceof InputType.InputTypeFeedForward f) {
                return new long[] {-1, f.getSize()};
            }
            if (t instanceof InputType.InputTypeConvolutionalFlat f) {
                return new long[] {-1, f.getFlattenedSize()};
            }
            if (t instanceof InputType.InputTypeConvolutional c) {
                requireNchw(inputName, t, c.getFormat());
                return new long[] {-1, c.getChannels(), c.getHeight(), c.getWidth()};
            }
            throw new IllegalArgumentException("ONNX export: the graph's input '" + inputName + "' has type " + t + "; supported: "
                    + "InputType.feedForward, convolutional (NCHW) and convolutionalFlat");
        }

        private static void requireRank(String name, Object layer, Tensor x, int rank) {
            if (x.rank() != rank) {
                throw unsupported(name, layer, "on activations of shape " + Arrays.toString(x.shape));
            }
        }

        /** A layer's input width (features or channels) must be what its weights expect. */
        private static void requireChannels(String name, Object layer, Tensor x, long channels) {
            if (x.shape[1] != channels) {
                throw new IllegalArgumentException("ONNX export: vertex '" + name + "' (" + layer.getClass().getSimpleName() + ") expects "
                        + channels + " input channels/features but its input has shape " + Arrays.toString(x.shape)
                        + " (does the input type match the graph?)");
            }
        }

        private static void requireNchw(String name, Object owner, CNN2DFormat format) {
            if (format != null && format != CNN2DFormat.NCHW) {
                throw unsupported(name, owner, "in format " + format);
            }
        }
    }

    /**
     * One tensor of the model: a float tensor and, once an integer kernel reads it (or it is an integer convolution's
     * output), its QuantizeLinear.
     */
    private static final class Tensor {
        /** The float tensor; null until needed when the tensor exists only in quantized form. */
        String name;
        /** The shape, batch dimension -1. */
        final long[] shape;
        /** Which calibrated range is this tensor's (a vertex name, or a vertex name with "#acc" / "#dw"). */
        final String key;
        /** A range fixed by a quantized activation, or null. */
        final float[] fixed;
        /** The QuantizeLinear output, or null. */
        String q;
        /** A float convolution's output whose ReLU the max pool reading it applies (see pooling()). */
        boolean deferredRelu;
        float scale;
        int zeroPoint;

        int rank() {
            return shape.length;
        }

        Tensor(String name, long[] shape, String key, float[] fixed) {
            this.name = name;
            this.shape = shape;
            this.key = key;
            this.fixed = fixed;
        }
    }
}
