package dev.kompakt.evaluator.cost;

import dev.kompakt.evaluator.hardware.OpKinds;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import dev.kompakt.strategies.architecture.ChannelShuffleVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-vertex MACs, parameter counts and exact storage of a DL4J {@link ComputationGraph}, for batch 1. Totals come from
 * {@link CostModel#totalMacs}, {@link CostModel#totalStorageBytes}, {@link CostModel#totalParameters} and
 * {@link CostModel#nonzeroParameters}, which take any {@code List<LayerCost>}.
 *
 * <p><b>Order and index.</b> One {@link LayerCost} per vertex that is not the network input, in the graph's
 * topological order ({@code getConfiguration().getTopologicalOrderStr()}); {@link LayerCost#index()} is the cost's
 * position in the returned list (the vertex's position in that order with the network input left out), so
 * {@code costs.get(c.index()) == c}. For a sequential network converted to a graph
 * ({@link dev.kompakt.strategies.MultiLayerConversion#toGraph}) it is the layer index of the original network. {@link LayerCost#name()} is the vertex name.
 *
 * <p><b>Shapes.</b> Each vertex's output type comes from the same forward pass over the topological order that
 * {@code ComputationGraphConfiguration.getLayerActivationTypes} does (each vertex's {@code getOutputType}, layer
 * vertices applying their input preprocessor), with two differences: it changes nothing in the configuration (DL4J's
 * own adds preprocessors and sets {@code nIn}s, and in 1.0.0-M2.1 it fails on the flat input of a graph converted from
 * a sequential network), and an {@link ElementWiseVertex} accepts operands that broadcast onto its largest
 * operand (every dimension equal or 1, e.g. a squeeze-excitation gate of [N,C,1,1] onto [N,C,H,W]; DL4J's type check
 * rejects these although its forward pass runs them), its output being the largest operand. A vertex's input elements
 * are the sum over all its inputs at their own sizes.
 *
 * <p><b>Counting rules</b> (kind in brackets; "act" = one op per output element when the layer's activation function is
 * not the identity; any activation function counts so, including HardSwish and
 * {@link dev.kompakt.strategies.QuantizedActivation}, whose clip-and-round stands for an integer kernel's
 * requantization):
 * <ul>
 *   <li>{@link DenseLayer}, {@link OutputLayer} [dense]: MACs = inputs x outputs (the weight count); other ops = act.</li>
 *   <li>{@link ConvolutionLayer} [conv]: MACs = output elements x (kh x kw x cin), for any kernel, stride, padding,
 *       dilation and convolution mode (taps over padding count: the kernel runs them); other ops = act.</li>
 *   <li>{@link DepthwiseConvolution2D} [depthwise]: MACs = output elements x (kh x kw); other ops = act.</li>
 *   <li>{@link SeparableConvolution2D} [conv]: its depthwise part (cin x multiplier channels at the output's spatial size,
 *       kh x kw MACs each) plus its pointwise part (output elements x cin x multiplier); weights = both "W" and "pW";
 *       other ops = act.</li>
 *   <li>{@link BatchNormalization} [batchnorm]: not folded into the preceding convolution (DL4J runs it as a layer of its
 *       own): other ops = 2 per element (scale and shift with the inference constants), no MACs, and no act: DL4J's batch
 *       norm never applies the activation function in its configuration (which defaults to the network's, e.g. sigmoid),
 *       nor does the ONNX export; its parameters
 *       (gamma, beta, mean, variance or log10 std: 4 x C) are counted as {@link LayerCost#biases()}, float32 parameters
 *       that are neither quantized nor pruned, so they count in the totals and in storage (4 bytes each).</li>
 *   <li>{@link ActivationLayer} [activation]: other ops = act.</li>
 *   <li>{@link SubsamplingLayer} [pool]: other ops = output elements x kh x kw.
 *       {@link GlobalPoolingLayer} [pool]: other ops = input elements.</li>
 *   <li>{@link DropoutLayer} [identity]: no cost (identity at inference).</li>
 *   <li>{@link ZeroPaddingLayer} [pad]: no arithmetic; reads its input and writes the padded output.</li>
 *   <li>{@link ElementWiseVertex} [add for Add, Subtract, Average and Max; mul for Product]: other ops = output elements x
 *       (operands - 1).</li>
 *   <li>{@link MergeVertex} [concat]: no arithmetic; input elements = output elements.</li>
 *   <li>{@link SubsetVertex} [slice]: no arithmetic; input elements = output elements (the slice it reads).
 *       {@link ChannelShuffleVertex} [shuffle]: no arithmetic; moves every element.</li>
 *   <li>{@link PreprocessorVertex}, {@link ReshapeVertex} [reshape]: no cost. A layer's own input preprocessor costs
 *       nothing either and has no entry of its own.</li>
 * </ul>
 * Any other layer or vertex class is refused with an {@link IllegalArgumentException} naming the vertex (the model never
 * approximates), as is a supported layer with parameters other than the ones counted (e.g. a dense layer with layer
 * normalisation).
 *
 * <p><b>Storage.</b> Each weight tensor at its {@link SparseStorage#smallest} format with
 * rows = output channels (depthwise: channels x multiplier; a separable convolution's two tensors each with their own
 * rows: cin x multiplier for "W", cout for "pW"), non-zeros counted from the arrays, plus one float32 scale per row
 * when the weight bits are below 32, plus float32 biases. Batch-norm parameters are float32.
 */
public final class GraphCostModel {
    /** The layer and vertex classes the model counts. */
    public static final List<String> SUPPORTED = List.of("DenseLayer", "OutputLayer", "ConvolutionLayer",
            "DepthwiseConvolution2D", "SeparableConvolution2D", "BatchNormalization", "ActivationLayer", "SubsamplingLayer",
            "GlobalPoolingLayer", "DropoutLayer", "ZeroPaddingLayer", "ElementWiseVertex", "MergeVertex",
            "PreprocessorVertex", "ReshapeVertex", "SubsetVertex", "ChannelShuffleVertex");

    private static final Set<Class<?>> LAYERS = Set.of(DenseLayer.class, OutputLayer.class, ConvolutionLayer.class,
            DepthwiseConvolution2D.class, SeparableConvolution2D.class, BatchNormalization.class, ActivationLayer.class,
            SubsamplingLayer.class, GlobalPoolingLayer.class, DropoutLayer.class, ZeroPaddingLayer.class);
    private static final Set<Class<?>> VERTICES = Set.of(ElementWiseVertex.class, MergeVertex.class, PreprocessorVertex.class,
            ReshapeVertex.class, SubsetVertex.class, ChannelShuffleVertex.class);

    private GraphCostModel() {
    }

    /**
     * Costs with float32 activations (weight-only quantization shrinks storage, the arithmetic stays float).
     *
     * @param weightBits bits per stored weight by vertex name (absent = 32-bit float)
     */
    public static List<LayerCost> of(ComputationGraph graph, InputType input, Map<String, Integer> weightBits) {
        return of(graph, input, weightBits, Map.of());
    }

    /**
     * @param input          the type the graph's one network input receives (feedForward, convolutionalFlat or
     *                       convolutional)
     * @param weightBits     bits per stored weight by vertex name (absent = 32-bit float; ignored for vertices without
     *                       weights, batch norm included)
     * @param activationBits bits per activation element of a vertex's inputs and outputs by vertex name (absent = 32)
     * @throws IllegalArgumentException for an unsupported layer or vertex, a graph with several inputs, or a name in
     *                                  the bit maps that is not a vertex of the graph
     */
    public static List<LayerCost> of(ComputationGraph graph, InputType input, Map<String, Integer> weightBits,
                                     Map<String, Integer> activationBits) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> networkInputs = conf.getNetworkInputs();
        if (networkInputs.size() != 1) {
            throw new IllegalArgumentException("the graph cost model takes a graph with one network input, got " + networkInputs);
        }
        List<String> order = conf.getTopologicalOrderStr();
        if (order == null) {
            throw new IllegalArgumentException("the graph has no topological order: initialise it (ComputationGraph.init()) first");
        }
        checkNames("weightBits", weightBits, conf, networkInputs);
        checkNames("activationBits", activationBits, conf, networkInputs);
        for (String name : order) {
            if (!networkInputs.contains(name)) {
                checkSupported(name, conf.getVertices().get(name));
            }
        }
        Map<String, InputType> types = activationTypes(conf, input);

        List<LayerCost> costs = new ArrayList<>();
        for (String name : order) {
            if (networkInputs.contains(name)) {
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            List<String> inputs = conf.getVertexInputs().get(name);
            long in = 0;
            for (String i : inputs) {
                in += types.get(i).arrayElementsPerExample();
            }
            long out = types.get(name).arrayElementsPerExample();
            int aBits = activationBits.getOrDefault(name, 32);
            int index = costs.size();
            if (vertex instanceof LayerVertex lv) {
                costs.add(layerCost(index, name, lv.getLayerConf().getLayer(), graph.getLayer(name).paramTable(),
                        weightBits.getOrDefault(name, 32), in, out, aBits));
            } else if (vertex instanceof ElementWiseVertex ew) {
                String kind = ew.getOp() == ElementWiseVertex.Op.Product ? OpKinds.MUL : OpKinds.ADD;
                costs.add(noWeights(index, name, kind, out * (inputs.size() - 1), in, out, aBits));
            } else if (vertex instanceof MergeVertex) {
                costs.add(noWeights(index, name, OpKinds.CONCAT, 0, in, out, aBits));
            } else if (vertex instanceof SubsetVertex) {
                costs.add(noWeights(index, name, OpKinds.SLICE, 0, out, out, aBits));   // reads only the slice it keeps
            } else if (vertex instanceof ChannelShuffleVertex) {
                costs.add(noWeights(index, name, OpKinds.SHUFFLE, 0, in, out, aBits));
            } else {
                costs.add(noWeights(index, name, OpKinds.RESHAPE, 0, in, out, aBits)); // preprocessor and reshape vertices
            }
        }
        return costs;
    }

    private static LayerCost layerCost(int index, String name, Layer conf, Map<String, INDArray> params, int bits, long in, long out,
                                       int aBits) {
        if (conf instanceof BatchNormalization) {
            long count = 0;
            for (INDArray p : params.values()) {
                count += p.length();
            }
            long ops = 2 * out; // its configured activation is never applied (see the class comment)
            return new LayerCost(index, name, OpKinds.BATCHNORM, 0, ops, 0, 0, count, 32, 4 * count, in, out, aBits);
        }
        if (conf instanceof ActivationLayer a) {
            return noWeights(index, name, OpKinds.ACTIVATION, activationOps(a.getActivationFn(), out), in, out, aBits);
        }
        if (conf instanceof SubsamplingLayer pool) {
            int[] k = pool.getKernelSize();
            return noWeights(index, name, OpKinds.POOL, out * k[0] * k[1], in, out, aBits);
        }
        if (conf instanceof GlobalPoolingLayer) {
            return noWeights(index, name, OpKinds.POOL, in, in, out, aBits);
        }
        if (conf instanceof DropoutLayer) {
            return noWeights(index, name, OpKinds.IDENTITY, 0, in, out, aBits);
        }
        if (conf instanceof ZeroPaddingLayer) {
            return noWeights(index, name, OpKinds.PAD, 0, in, out, aBits);
        }

        // weight layers: dense, output, convolution, depthwise, separable
        FeedForwardLayer ff = (FeedForwardLayer) conf;
        boolean separable = conf instanceof SeparableConvolution2D;
        Set<String> expected = separable ? Set.of("W", "pW", "b") : Set.of("W", "b");
        if (!expected.containsAll(params.keySet())) {
            throw new IllegalArgumentException("vertex '" + name + "' (" + conf.getClass().getSimpleName() + ") has parameters "
                    + new java.util.TreeSet<>(params.keySet()) + "; the graph cost model counts only " + new java.util.TreeSet<>(expected));
        }
        INDArray w = params.get("W");
        INDArray b = params.get("b");
        long rows = ff.getNOut(); // output channels; for depthwise nIn x multiplier
        long biases = b == null ? 0 : b.length();
        long ops = activationOps(((BaseLayer) conf).getActivationFn(), out);
        long storage = biases * 4L;
        long weights;
        long nnz;
        long macs;
        String kind;
        if (separable) {
            INDArray pw = params.get("pW");
            long channels = pw.length() / rows; // cin x multiplier: the depthwise part's outputs, the pointwise part's inputs
            long spatial = out / rows;
            long dwNnz = nonzeros(w);
            long pwNnz = nonzeros(pw);
            weights = w.length() + pw.length();
            nnz = dwNnz + pwNnz;
            macs = spatial * w.length() + out * channels;
            storage += tensorBytes(channels, w.length() / channels, dwNnz, bits) + tensorBytes(rows, channels, pwNnz, bits);
            kind = OpKinds.CONV;
        } else {
            weights = w.length();
            nnz = nonzeros(w);
            long cols = weights / rows;
            if (conf instanceof ConvolutionLayer) {
                macs = out * cols; // conv: cols = cin x kh x kw; depthwise: cols = kh x kw
                kind = conf instanceof DepthwiseConvolution2D ? OpKinds.DEPTHWISE : OpKinds.CONV;
            } else {
                macs = weights;
                kind = OpKinds.DENSE;
            }
            storage += tensorBytes(rows, cols, nnz, bits);
        }
        return new LayerCost(index, name, kind, macs, ops, weights, nnz, biases, bits, storage, in, out, aBits);
    }

    /** A weight tensor's bytes: the smallest sparse format plus a float32 scale per row when quantized. */
    private static long tensorBytes(long rows, long cols, long nnz, int bits) {
        return SparseStorage.smallest(rows, cols, nnz, bits).bytes() + (bits < 32 ? rows * 4L : 0L);
    }

    private static long nonzeros(INDArray a) {
        return a.neq(0.0).castTo(DataType.INT64).sumNumber().longValue();
    }

    private static long activationOps(IActivation fn, long out) {
        return fn == null || fn instanceof ActivationIdentity ? 0 : out;
    }

    private static LayerCost noWeights(int index, String name, String kind, long otherOps, long in, long out, int aBits) {
        return new LayerCost(index, name, kind, 0, otherOps, 0, 0, 0, 32, 0, in, out, aBits);
    }

    private static void checkSupported(String name, GraphVertex vertex) {
        Class<?> c = vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer().getClass() : vertex.getClass();
        // exact classes: subclasses (Deconvolution2D, Convolution1DLayer, Subsampling1DLayer, ...) count differently
        if (!(vertex instanceof LayerVertex ? LAYERS : VERTICES).contains(c)) {
            throw new IllegalArgumentException("vertex '" + name + "' is a " + c.getSimpleName() + " (" + c.getName()
                    + "), which the graph cost model does not count; supported: " + SUPPORTED);
        }
    }

    private static void checkNames(String what, Map<String, Integer> bits, ComputationGraphConfiguration conf, List<String> inputs) {
        for (Map.Entry<String, Integer> e : bits.entrySet()) {
            if (!conf.getVertices().containsKey(e.getKey()) || inputs.contains(e.getKey())) {
                throw new IllegalArgumentException(what + " names '" + e.getKey() + "', which is not a vertex of the graph "
                        + conf.getVertices().keySet());
            }
            if (e.getValue() == null || e.getValue() < 1 || e.getValue() > 32) {
                throw new IllegalArgumentException(what + " of vertex '" + e.getKey() + "' must be in [1, 32], got " + e.getValue());
            }
        }
    }

    /**
     * The output type of every vertex (network input included) for batch 1, by the forward pass described in the class
     * comment; the configuration is not modified.
     */
    static Map<String, InputType> activationTypes(ComputationGraphConfiguration conf, InputType input) {
        Map<String, InputType> types = new LinkedHashMap<>();
        List<String> order = conf.getTopologicalOrderStr();
        for (int i = 0; i < order.size(); i++) {
            String name = order.get(i);
            if (conf.getNetworkInputs().contains(name)) {
                types.put(name, input);
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            InputType[] in = conf.getVertexInputs().get(name).stream().map(types::get).toArray(InputType[]::new);
            try {
                InputType broadcast = vertex instanceof ElementWiseVertex ? broadcastTarget(in) : null;
                types.put(name, broadcast != null ? broadcast : vertex.getOutputType(i, in));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("vertex '" + name + "': cannot work out its output shape from inputs "
                        + Arrays.toString(in) + ": " + e.getMessage(), e);
            }
        }
        return types;
    }

    /**
     * The operand that the others broadcast onto (same input kind and rank, each dimension equal to its or 1), or null
     * when all operands have the same shape or they do not broadcast (DL4J's own type check then decides).
     */
    private static InputType broadcastTarget(InputType[] in) {
        InputType largest = in[0];
        for (InputType t : in) {
            if (t.arrayElementsPerExample() > largest.arrayElementsPerExample()) {
                largest = t;
            }
        }
        long[] target = largest.getShape(false);
        Set<String> shapes = new HashSet<>();
        for (InputType t : in) {
            long[] s = t.getShape(false);
            shapes.add(Arrays.toString(s));
            if (t.getType() != largest.getType() || s.length != target.length) {
                return null;
            }
            for (int d = 0; d < s.length; d++) {
                if (s[d] != target[d] && s[d] != 1) {
                    return null;
                }
            }
        }
        return shapes.size() == 1 ? null : largest;
    }
}
