package dev.kompakt.evaluator.net;

import dev.kompakt.strategies.HardSwish;
import dev.kompakt.strategies.QuantizedActivation;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import dev.kompakt.strategies.architecture.ChannelShuffleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Convolution2D;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The layers, vertices, preprocessors and activations Kompakt supports in a network: every operator (training,
 * pruning, quantization, distillation), the cost model and the ONNX export handle exactly these. A network with
 * anything else is refused when it is loaded ({@link #check}), naming the vertex, the thing and what is supported,
 * rather than measured approximately. The one list each concern reads; the cost of a kind lives in
 * {@code cost.GraphCostModel}, its ONNX form in {@code onnx.GraphOnnxExporter}.
 */
public final class LayerSupport {
    private LayerSupport() {
    }

    /** Layer classes, exactly (a subclass is not implied). */
    static final Set<Class<? extends Layer>> LAYERS = Set.of(DenseLayer.class, OutputLayer.class, ConvolutionLayer.class, Convolution2D.class,
            DepthwiseConvolution2D.class, BatchNormalization.class, ActivationLayer.class, SubsamplingLayer.class,
            GlobalPoolingLayer.class, DropoutLayer.class, ZeroPaddingLayer.class);
    /** Activation classes, exactly. */
    static final Set<Class<? extends IActivation>> ACTIVATIONS = Set.of(ActivationIdentity.class, ActivationReLU.class, ActivationReLU6.class,
            ActivationSigmoid.class, ActivationTanH.class, ActivationHardSigmoid.class, ActivationSwish.class, HardSwish.class,
            ActivationLReLU.class, ActivationSoftmax.class);
    static final Set<ElementWiseVertex.Op> ELEMENTWISE = Set.of(ElementWiseVertex.Op.Add, ElementWiseVertex.Op.Subtract,
            ElementWiseVertex.Op.Product, ElementWiseVertex.Op.Average, ElementWiseVertex.Op.Max);
    static final Set<Class<? extends InputPreProcessor>> PREPROCESSORS = Set.of(CnnToFeedForwardPreProcessor.class,
            FeedForwardToCnnPreProcessor.class);

    /** What is supported, in words, for error messages and the README. */
    public static final String SUPPORTED = "layers DenseLayer, OutputLayer, ConvolutionLayer (any kernel, stride, padding, dilation),"
            + " DepthwiseConvolution2D, BatchNormalization, ActivationLayer, SubsamplingLayer (max, avg; no dilation),"
            + " GlobalPoolingLayer (max, avg), DropoutLayer, ZeroPaddingLayer, all channels-first (NCHW); vertices ElementWiseVertex"
            + " (add, subtract, product, average, max), MergeVertex, SubsetVertex (channels), ChannelShuffleVertex, PreprocessorVertex; preprocessors CnnToFeedForward and"
            + " FeedForwardToCnn; activations identity, relu, relu6, leakyrelu, sigmoid, tanh, hardsigmoid, swish, hardswish, softmax";

    /** A network that holds something Kompakt does not support. */
    public static final class UnsupportedNetworkException extends IllegalArgumentException {
        private final List<String> problems;

        UnsupportedNetworkException(List<String> problems) {
            super(String.join("; ", problems) + " (supported: " + SUPPORTED + ")");
            this.problems = List.copyOf(problems);
        }

        /** One line per unsupported vertex: its name, the thing and why. */
        public List<String> problems() {
            return problems;
        }
    }

    /** Every unsupported vertex of {@code conf}, one line each; empty when the whole graph is supported. */
    public static List<String> problems(ComputationGraphConfiguration conf) {
        List<String> out = new ArrayList<>();
        if (conf.getNetworkInputs().size() != 1 || conf.getNetworkOutputs().size() != 1) {
            out.add("the network has " + conf.getNetworkInputs().size() + " inputs and " + conf.getNetworkOutputs().size()
                    + " outputs; exactly one of each is supported");
        }
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            GraphVertex v = e.getValue();
            if (v instanceof LayerVertex lv) {
                layer(name, lv.getLayerConf().getLayer(), out);
                preprocessor(name, lv.getPreProcessor(), out);
            } else if (v instanceof ElementWiseVertex ew) {
                if (!ELEMENTWISE.contains(ew.getOp())) {
                    out.add("vertex '" + name + "': ElementWiseVertex op " + ew.getOp() + " is not supported");
                }
            } else if (v instanceof PreprocessorVertex pv) {
                preprocessor(name, pv.getPreProcessor(), out);
            } else if (!(v instanceof MergeVertex) && !(v instanceof SubsetVertex) && !(v instanceof ChannelShuffleVertex)) {
                out.add("vertex '" + name + "': " + v.getClass().getSimpleName() + " is not supported");
            }
        }
        return out;
    }

    /** Throws {@link UnsupportedNetworkException} listing every unsupported vertex of {@code conf}. */
    public static void check(ComputationGraphConfiguration conf) {
        List<String> p = problems(conf);
        if (!p.isEmpty()) {
            throw new UnsupportedNetworkException(p);
        }
    }

    private static void layer(String name, Layer layer, List<String> out) {
        String kind = layer.getClass().getSimpleName();
        if (layer instanceof SeparableConvolution2D) {
            out.add("vertex '" + name + "': SeparableConvolution2D is not supported: DL4J 1.0.0-M2.1 cannot train it (its backpropagation"
                    + " fails), so no candidate could be fine-tuned; write it as a DepthwiseConvolution2D and a 1x1 ConvolutionLayer");
            return;
        }
        if (!LAYERS.contains(layer.getClass())) {
            out.add("vertex '" + name + "': layer " + kind + " is not supported");
            return;
        }
        IActivation a = layer instanceof BatchNormalization ? null : layer instanceof BaseLayer b ? b.getActivationFn() : layer instanceof ActivationLayer al ? al.getActivationFn() : null;
        if (a instanceof QuantizedActivation q) {
            a = q.wrapped();
        }
        if (a != null && !ACTIVATIONS.contains(a.getClass())) {
            out.add("vertex '" + name + "': activation " + a + " of " + kind + " is not supported");
        }
        // a batch-norm layer's activation function is not checked: DL4J never applies it (ModelFiles sets it to identity)
        if (a instanceof ActivationSoftmax && !(layer instanceof OutputLayer)) {
            out.add("vertex '" + name + "': softmax is supported on the output layer only, not on " + kind);
        }
        CNN2DFormat format = layer instanceof ConvolutionLayer c ? c.getCnn2dDataFormat()
                : layer instanceof SubsamplingLayer s ? s.getCnn2dDataFormat()
                : layer instanceof BatchNormalization bn ? bn.getCnn2DFormat() : CNN2DFormat.NCHW;
        if (format == CNN2DFormat.NHWC) {
            out.add("vertex '" + name + "': " + kind + " in channels-last (NHWC) format is not supported; channels-first (NCHW) is");
        }
        if (layer instanceof SubsamplingLayer s && (s.getDilation()[0] != 1 || s.getDilation()[1] != 1)) {
            // measured: a 2x2 max pooling with dilation 2 differs from its definition (and from the ONNX export) by up to 0.01
            // after one layer in ND4J's oneDNN build, which Kompakt trains on; without dilation they agree to 6e-8
            out.add("vertex '" + name + "': dilated pooling (dilation " + s.getDilation()[0] + "x" + s.getDilation()[1] + ") is not supported:"
                    + " ND4J's oneDNN build computes it without the dilation; use dilation 1");
        }
        if (layer instanceof SubsamplingLayer s && s.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.MAX
                && s.getPoolingType() != org.deeplearning4j.nn.conf.layers.PoolingType.AVG) {
            out.add("vertex '" + name + "': " + s.getPoolingType() + " pooling is not supported (max, avg are)");
        }
        if (layer instanceof GlobalPoolingLayer g && g.getPoolingType() != PoolingType.MAX && g.getPoolingType() != PoolingType.AVG) {
            out.add("vertex '" + name + "': global " + g.getPoolingType() + " pooling is not supported (max, avg are)");
        }
    }

    private static void preprocessor(String name, InputPreProcessor p, List<String> out) {
        if (p == null) {
            return;
        }
        if (!PREPROCESSORS.contains(p.getClass())) {
            out.add("vertex '" + name + "': preprocessor " + p.getClass().getSimpleName() + " is not supported");
        } else if (p instanceof CnnToFeedForwardPreProcessor c && c.getFormat() == CNN2DFormat.NHWC) {
            out.add("vertex '" + name + "': CnnToFeedForwardPreProcessor in channels-last (NHWC) format is not supported");
        }
    }
}
