package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;

import dev.kompakt.evaluator.data.DataShape;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How a network meets the data. Every Kompakt network takes flat inputs, [n, channels * rows * cols] in channel-row-
 * column order; a convolutional network reshapes them with a {@link FeedForwardToCnnPreProcessor} on the layers that read
 * the network input (the built-in CNN does; {@link #acceptFlatInput} adds it to a user's graph that takes
 * [n, channels, rows, cols], which computes the same function). {@link #check} is the one validation of a loaded model
 * against the data: supported layers ({@link LayerSupport}), input size, output size.
 */
public final class Networks {
    private Networks() {
    }

    /** The input type a flat-input graph receives for samples of {@code shape} (a table row is feed-forward). */
    public static InputType inputType(ComputationGraph graph, DataShape shape) {
        return shape.tabular() ? InputType.feedForward(shape.features()) : inputType(graph, shape.height(), shape.width(), shape.channels());
    }

    /** {@link #acceptFlatInput(ComputationGraph, int, int, int)} for samples of {@code shape}; a table row is already flat. */
    public static ComputationGraph acceptFlatInput(ComputationGraph graph, DataShape shape) {
        return shape.tabular() ? graph : acceptFlatInput(graph, shape.height(), shape.width(), shape.channels());
    }

    /** {@link #check(ComputationGraph, int, int, int, int)} for samples of {@code shape}: a table row is C features x 1 x 1. */
    public static List<String> check(ComputationGraph graph, DataShape shape, int classes) {
        return check(graph, shape.height(), shape.width(), shape.channels(), classes);
    }

    /**
     * The input type a flat-input graph receives for data of {@code channels x rows x cols}: convolutional-flat when a
     * layer or preprocessor vertex reading the network input reshapes it to an image, else feed-forward.
     */
    public static InputType inputType(ComputationGraph graph, int rows, int cols, int channels) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        for (String consumer : consumersOfInput(conf)) {
            GraphVertex v = conf.getVertices().get(consumer);
            if ((v instanceof LayerVertex lv && lv.getPreProcessor() instanceof FeedForwardToCnnPreProcessor)
                    || (v instanceof PreprocessorVertex pv && pv.getPreProcessor() instanceof FeedForwardToCnnPreProcessor)) {
                return InputType.convolutionalFlat(rows, cols, channels);
            }
        }
        return InputType.feedForward((long) rows * cols * channels);
    }

    /**
     * {@code graph}, taking flat inputs: where a layer reads the network input as an image (a convolution, pooling,
     * batch-norm or padding layer without a preprocessor), a copy whose such layers reshape [n, c*h*w] to [n, c, h, w]
     * first, with the same parameters; else {@code graph} itself.
     */
    public static ComputationGraph acceptFlatInput(ComputationGraph graph, int rows, int cols, int channels) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        boolean changed = false;
        for (String consumer : consumersOfInput(conf)) {
            if (conf.getVertices().get(consumer) instanceof LayerVertex lv && lv.getPreProcessor() == null && readsImage(lv.getLayerConf().getLayer())) {
                lv.setPreProcessor(new FeedForwardToCnnPreProcessor(rows, cols, channels));
                changed = true;
            }
        }
        if (!changed) {
            return graph;
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init(graph.params().dup(), false);
        return copy;
    }

    /**
     * Every reason {@code graph} cannot be compressed on data of {@code channels x rows x cols} with {@code classes}
     * classes, one line each (empty when it can): unsupported vertices ({@link LayerSupport}), an input that does not
     * take the data's shape, an output that is not one unit per class.
     */
    public static List<String> check(ComputationGraph graph, int rows, int cols, int channels, int classes) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<String> problems = new ArrayList<>(LayerSupport.problems(conf));
        if (!problems.isEmpty()) {
            return problems;
        }
        long features = (long) rows * cols * channels;
        for (String consumer : consumersOfInput(conf)) {
            GraphVertex v = conf.getVertices().get(consumer);
            if (v instanceof LayerVertex lv && lv.getPreProcessor() instanceof FeedForwardToCnnPreProcessor p) {
                if (p.getInputHeight() != rows || p.getInputWidth() != cols || p.getNumChannels() != channels) {
                    problems.add("vertex '" + consumer + "' takes " + p.getNumChannels() + "x" + p.getInputHeight() + "x" + p.getInputWidth()
                            + " images, but the data is " + channels + "x" + rows + "x" + cols);
                }
            } else if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof DenseLayer d && d.getNIn() != features) {
                problems.add("vertex '" + consumer + "' takes " + d.getNIn() + " inputs, but the data has " + features + " ("
                        + channels + "x" + rows + "x" + cols + ")");
            } else if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.ConvolutionLayer c
                    && c.getNIn() != channels) {
                problems.add("vertex '" + consumer + "' takes " + c.getNIn() + " input channels, but the data has " + channels);
            }
        }
        if (problems.isEmpty()) {
            try {
                ComputationGraph flat = acceptFlatInput(graph, rows, cols, channels);
                // shapes vertex by vertex (getLayerActivationTypes would change the configuration)
                dev.kompakt.evaluator.cost.GraphCostModel.of(flat, inputType(flat, rows, cols, channels), Map.of());
            } catch (RuntimeException e) {
                problems.add("the network cannot take " + channels + "x" + rows + "x" + cols + " inputs: " + e.getMessage());
            }
        }
        for (String out : conf.getNetworkOutputs()) {
            GraphVertex v = conf.getVertices().get(out);
            if (!(v instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof BaseOutputLayer o)) {
                problems.add("output vertex '" + out + "' is not an output layer (an OutputLayer with softmax is expected)");
            } else if (!(o.getActivationFn() instanceof org.nd4j.linalg.activations.impl.ActivationSoftmax)) {
                problems.add("output layer '" + out + "' has activation " + o.getActivationFn() + "; softmax is supported (accuracy,"
                        + " distillation and fine-tuning read class probabilities)");
            } else if (o.getNOut() != classes) {
                problems.add("output layer '" + out + "' has " + o.getNOut() + " units, but the data has " + classes + " classes");
            }
        }
        return problems;
    }

    private static boolean readsImage(Layer layer) {
        return !(layer instanceof DenseLayer) && !(layer instanceof BaseOutputLayer) && (layer instanceof FeedForwardLayer
                || layer instanceof org.deeplearning4j.nn.conf.layers.SubsamplingLayer
                || layer instanceof org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer
                || layer instanceof org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer);
    }

    private static List<String> consumersOfInput(ComputationGraphConfiguration conf) {
        List<String> out = new ArrayList<>();
        String input = conf.getNetworkInputs().get(0);
        for (Map.Entry<String, List<String>> e : conf.getVertexInputs().entrySet()) {
            if (e.getValue().contains(input)) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
