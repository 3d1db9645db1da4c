package dev.kompakt.evaluator.net;

import dev.kompakt.evaluator.data.DataShape;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.transferlearning.TransferLearning;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/**
 * The one place that holds DL4J builder chains. Every network is a {@link ComputationGraph} with one input named
 * {@value #INPUT} and one output. The built-in families take flat inputs of rows*cols pixels in [0, 1] (the CNN's first
 * convolution reshapes them).
 */
public final class NetworkFactory {
    /** The input vertex name of the built-in families. */
    public static final String INPUT = "input";

    private NetworkFactory() {
    }

    /** An initialised network for grey images of rows x cols; {@code loss} null means softmax cross-entropy. */
    public static ComputationGraph build(Architecture arch, int rows, int cols, int classes, long seed, double learningRate,
                                         ILossFunction loss) {
        return build(arch.family(), arch.units(), DataShape.image(1, rows, cols), classes, seed, learningRate, loss);
    }

    /**
     * An initialised network for samples of {@code shape}; {@code loss} null means softmax cross-entropy. The CNN family
     * needs images of at least 12x12 (two 5x5 convolutions, each followed by 2x2 pooling); the MLP takes any shape.
     */
    public static ComputationGraph build(Architecture arch, DataShape shape, int classes, long seed, double learningRate, ILossFunction loss) {
        return build(arch.family(), arch.units(), shape, classes, seed, learningRate, loss);
    }

    /**
     * An initialised network of {@code family} with the given hidden-layer widths (see {@link Architecture#units()}), e.g.
     * a CNN with half its filters and all its dense units: {@code {4, 8, 64}}. {@code loss} null means softmax cross-entropy.
     */
    public static ComputationGraph build(Architecture.Family family, int[] units, int rows, int cols, int classes, long seed,
                                         double learningRate, ILossFunction loss) {
        return build(family, units, DataShape.image(1, rows, cols), classes, seed, learningRate, loss);
    }

    /** {@link #build(Architecture.Family, int[], int, int, int, long, double, ILossFunction)} for samples of {@code shape}. */
    public static ComputationGraph build(Architecture.Family family, int[] units, DataShape shape, int classes, long seed,
                                         double learningRate, ILossFunction loss) {
        if (family == Architecture.Family.CNN && (shape.tabular() || shape.height() < 12 || shape.width() < 12)) {
            throw new IllegalArgumentException("the cnn family needs images of at least 12x12, got " + (shape.tabular()
                    ? "table rows of " + shape.features() + " features" : shape.height() + "x" + shape.width()) + "; use mlp");
        }
        int expected = family == Architecture.Family.CNN ? 3 : 2;
        if (units.length != expected || java.util.Arrays.stream(units).anyMatch(u -> u < 1)) {
            throw new IllegalArgumentException(family + " takes " + expected + " hidden-layer widths >= 1, got " + java.util.Arrays.toString(units));
        }
        ILossFunction lossFn = loss == null ? new LossMCXENT() : loss;
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.RELU)
                .graphBuilder()
                .addInputs(INPUT);
        if (family == Architecture.Family.CNN) {
            g.addLayer("conv1", new ConvolutionLayer.Builder(5, 5).nOut(units[0]).activation(Activation.RELU).build(), INPUT)
                    .addLayer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "conv1")
                    .addLayer("conv2", new ConvolutionLayer.Builder(5, 5).nOut(units[1]).activation(Activation.RELU).build(), "pool1")
                    .addLayer("pool2", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "conv2")
                    .addLayer("fc1", new DenseLayer.Builder().nOut(units[2]).activation(Activation.RELU).build(), "pool2")
                    .addLayer("out", new OutputLayer.Builder(lossFn).nOut(classes).activation(Activation.SOFTMAX).build(), "fc1")
                    .setInputTypes(InputType.convolutionalFlat(shape.height(), shape.width(), shape.channels()));
        } else {
            g.addLayer("fc1", new DenseLayer.Builder().nOut(units[0]).activation(Activation.RELU).build(), INPUT)
                    .addLayer("fc2", new DenseLayer.Builder().nOut(units[1]).activation(Activation.RELU).build(), "fc1")
                    .addLayer("out", new OutputLayer.Builder(lossFn).nOut(classes).activation(Activation.SOFTMAX).build(), "fc2")
                    .setInputTypes(InputType.feedForward(shape.features()));
        }
        ComputationGraph net = new ComputationGraph(g.setOutputs("out").build());
        net.init();
        return net;
    }

    /**
     * A family's network with batch normalisation after every hidden conv and dense layer, for network slimming
     * ({@link dev.kompakt.strategies.pruning.ImportanceCriterion#bnScale()}): each such layer is linear, followed by a batch-norm
     * layer {@code bn_<layer>} and a ReLU activation layer {@code relu_<layer>}; softmax cross-entropy.
     */
    public static ComputationGraph buildWithBatchNorm(Architecture arch, int rows, int cols, int classes, long seed, double learningRate) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.RELU)
                .graphBuilder()
                .addInputs(INPUT);
        String last;
        if (arch.family() == Architecture.Family.CNN) {
            last = batchNormBlock(g, "conv1", new ConvolutionLayer.Builder(5, 5).nOut(arch.scaled(8)).activation(Activation.IDENTITY).build(), INPUT);
            g.addLayer("pool1", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), last);
            last = batchNormBlock(g, "conv2", new ConvolutionLayer.Builder(5, 5).nOut(arch.scaled(16)).activation(Activation.IDENTITY).build(), "pool1");
            g.addLayer("pool2", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), last);
            last = batchNormBlock(g, "fc1", new DenseLayer.Builder().nOut(arch.scaled(64)).activation(Activation.IDENTITY).build(), "pool2");
            g.setInputTypes(InputType.convolutionalFlat(rows, cols, 1));
        } else {
            last = batchNormBlock(g, "fc1", new DenseLayer.Builder().nOut(arch.scaled(300)).activation(Activation.IDENTITY).build(), INPUT);
            last = batchNormBlock(g, "fc2", new DenseLayer.Builder().nOut(arch.scaled(100)).activation(Activation.IDENTITY).build(), last);
            g.setInputTypes(InputType.feedForward((long) rows * cols));
        }
        g.addLayer("out", new OutputLayer.Builder(new LossMCXENT()).nOut(classes).activation(Activation.SOFTMAX).build(), last);
        ComputationGraph net = new ComputationGraph(g.setOutputs("out").build());
        net.init();
        return net;
    }

    /**
     * {@code layer} (linear), then batch normalisation {@code bn_<name>}, then a ReLU activation layer {@code relu_<name>}
     * (DL4J's batch-norm layer does not apply an activation function of its own); returns the ReLU's name.
     */
    private static String batchNormBlock(ComputationGraphConfiguration.GraphBuilder g, String name, org.deeplearning4j.nn.conf.layers.Layer layer,
                                         String input) {
        g.addLayer(name, layer, input)
                .addLayer("bn_" + name, new BatchNormalization.Builder().build(), name)
                .addLayer("relu_" + name, new org.deeplearning4j.nn.conf.layers.ActivationLayer.Builder().activation(Activation.RELU).build(),
                        "bn_" + name);
        return "relu_" + name;
    }

    /** The names of a family's weight layers, in order (the layers a mixed-precision search gives bits of their own). */
    public static java.util.List<String> weightLayers(Architecture.Family family) {
        return family == Architecture.Family.CNN ? java.util.List.of("conv1", "conv2", "fc1", "out") : java.util.List.of("fc1", "fc2", "out");
    }

    /**
     * A copy of {@code graph} set up for Kompakt's training: every parametrised layer gets Adam at {@code learningRate}
     * (whatever the graph was trained with; no separate bias updater), every output layer gets {@code loss} (null keeps
     * each output layer's own loss), and the weight initialisation draws from {@code seed}. With {@code keepWeights} the
     * copy holds {@code graph}'s parameters, else freshly initialised ones (a student trained from scratch). The
     * topology, layer sizes and activations are {@code graph}'s. {@code graph} is not modified.
     */
    public static ComputationGraph forTraining(ComputationGraph graph, double learningRate, ILossFunction loss, long seed, boolean keepWeights) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        conf.setIterationCount(0);
        conf.setEpochCount(0);
        conf.getDefaultConfiguration().setSeed(seed);
        for (GraphVertex v : conf.getVertices().values()) {
            if (!(v instanceof LayerVertex lv)) {
                continue;
            }
            lv.getLayerConf().setSeed(seed);
            if (lv.getLayerConf().getLayer() instanceof BaseLayer base) {
                base.setIUpdater(new Adam(learningRate));
                base.setBiasUpdater(null);
            }
            if (loss != null && lv.getLayerConf().getLayer() instanceof BaseOutputLayer out) {
                out.setLossFn(loss);
            }
        }
        ComputationGraph copy = new ComputationGraph(conf);
        copy.init();
        if (keepWeights) {
            copy.setParams(graph.params().dup());
        }
        return copy;
    }

    /**
     * The network of FitNets hint training (Romero et al. 2015): the vertices of {@code student} that {@code guided}
     * depends on (their configurations and parameters), then the regressor {@code hint_regressor} that maps the guided
     * vertex's output to the teacher hint's shape, then a mean-squared-error loss {@code hint_mse}. For a convolutional
     * guided layer the regressor is a 1x1 convolution to {@code hintShape[1]} channels and the hint map is flattened
     * (channel, row, column order) for the loss; for a dense one it is a dense layer to {@code hintShape[1]} units. The
     * regressor uses {@code hintActivation}, the teacher hint layer's own non-linearity, as the paper does, and the
     * guided layer's updater; it is initialised from {@code seed}.
     *
     * @param hintShape the teacher hint's activation shape: {@code [N, units]} or {@code [N, channels, rows, cols]}
     */
    public static ComputationGraph hintGraph(ComputationGraph student, String guided, long[] hintShape, IActivation hintActivation, long seed) {
        ComputationGraphConfiguration sc = student.getConfiguration();
        if (!(sc.getVertices().get(guided) instanceof LayerVertex lv) || !(lv.getLayerConf().getLayer() instanceof FeedForwardLayer ff)
                || !(lv.getLayerConf().getLayer() instanceof BaseLayer base) || sc.getNetworkOutputs().contains(guided)) {
            throw new IllegalArgumentException("guided vertex '" + guided + "' must be a hidden dense or convolution layer");
        }
        boolean conv = lv.getLayerConf().getLayer() instanceof ConvolutionLayer;
        if (hintShape.length != (conv ? 4 : 2)) {
            throw new IllegalArgumentException("a " + (conv ? "convolution" : "dense") + " guided layer needs a rank-" + (conv ? 4 : 2)
                    + " hint, got shape " + java.util.Arrays.toString(hintShape));
        }
        java.util.Set<String> keep = ancestors(sc, guided);
        TransferLearning.GraphBuilder b = new TransferLearning.GraphBuilder(student);
        for (String name : sc.getTopologicalOrderStr()) {
            if (!keep.contains(name) && !sc.getNetworkInputs().contains(name) && sc.getVertices().containsKey(name)) {
                b.removeVertexAndConnections(name);
            }
        }
        long guidedOut = ff.getNOut();
        if (conv) {
            b.addLayer("hint_regressor", new ConvolutionLayer.Builder(1, 1).nIn(guidedOut).nOut(hintShape[1]).activation(hintActivation)
                    .updater(base.getIUpdater().clone()).weightInit(WeightInit.RELU).build(), guided);
            b.addLayer("hint_mse", new LossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(),
                    new CnnToFeedForwardPreProcessor(hintShape[2], hintShape[3], hintShape[1]), "hint_regressor");
        } else {
            b.addLayer("hint_regressor", new DenseLayer.Builder().nIn(guidedOut).nOut(hintShape[1]).activation(hintActivation)
                    .updater(base.getIUpdater().clone()).weightInit(WeightInit.RELU).build(), guided);
            b.addLayer("hint_mse", new LossLayer.Builder(new LossMSE()).activation(Activation.IDENTITY).build(), "hint_regressor");
        }
        b.setOutputs("hint_mse");
        org.nd4j.linalg.factory.Nd4j.getRandom().setSeed(seed);
        return b.build();
    }

    /** {@code vertex} and every vertex it depends on (network inputs excluded). */
    static java.util.Set<String> ancestors(ComputationGraphConfiguration conf, String vertex) {
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        java.util.ArrayDeque<String> todo = new java.util.ArrayDeque<>(java.util.List.of(vertex));
        while (!todo.isEmpty()) {
            String v = todo.pop();
            if (conf.getNetworkInputs().contains(v) || !seen.add(v)) {
                continue;
            }
            todo.addAll(conf.getVertexInputs().getOrDefault(v, java.util.List.of()));
        }
        return seen;
    }

    /** Input type of the network's first layer, for cost accounting. */
    public static InputType inputType(Architecture arch, DataShape shape) {
        return arch.family() == Architecture.Family.CNN ? InputType.convolutionalFlat(shape.height(), shape.width(), shape.channels())
                : InputType.feedForward(shape.features());
    }

    /** Input type of the network's first layer for grey images of rows x cols. */
    public static InputType inputType(Architecture arch, int rows, int cols) {
        return arch.family() == Architecture.Family.CNN ? InputType.convolutionalFlat(rows, cols, 1) : InputType.feedForward((long) rows * cols);
    }
}
