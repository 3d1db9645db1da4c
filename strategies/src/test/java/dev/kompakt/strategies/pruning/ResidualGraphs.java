package dev.kompakt.strategies.pruning;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** Small ComputationGraphs for the graph-pruning tests. */
final class ResidualGraphs {
    private ResidualGraphs() {
    }

    /**
     * A residual CNN on 28x28x1 inputs (Fashion-MNIST shape), 10 softmax classes:
     * stem conv3x3(width, stride 2) -> BN -> ReLU -> block1 -> block2 -> block3 -> global average pool -> output. Blocks 1 and 2 are
     * conv3x3 -> BN -> ReLU -> conv3x3 -> BN, added to the block input, ReLU, at {@code width}; block 3 widens to
     * {@code wide} with stride 2 and adds a 1x1 projection conv -> BN on the shortcut. Convolutions use "same" padding.
     */
    static ComputationGraph residual(int width, int wide, long seed) {
        ComputationGraphConfiguration.GraphBuilder b = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3))
                .weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(28, 28, 1))
                .addLayer("stem", conv(3, width, 2), "in")
                .addLayer("stem_bn", new BatchNormalization.Builder().build(), "stem")
                .addLayer("stem_relu", relu(), "stem_bn");
        String x = block(b, "b1", "stem_relu", width, 1, false);
        x = block(b, "b2", x, width, 1, false);
        x = block(b, "b3", x, wide, 2, true);
        b.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x)
                .addLayer("out", new OutputLayer.Builder(new LossMCXENT()).nOut(10).activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out");
        ComputationGraph g = new ComputationGraph(b.build());
        g.init();
        return g;
    }

    /** Hand count of {@link #residual}'s parameters with the given widths (conv weights + biases, BN gamma/beta/mean/var). */
    static long residualParams(int stem, int b1, int b2, int b3, int wide) {
        return convCount(3, 1, stem) + bnCount(stem)
                + convCount(3, stem, b1) + bnCount(b1) + convCount(3, b1, stem) + bnCount(stem)
                + convCount(3, stem, b2) + bnCount(b2) + convCount(3, b2, stem) + bnCount(stem)
                + convCount(3, stem, b3) + bnCount(b3) + convCount(3, b3, wide) + bnCount(wide) + convCount(1, stem, wide) + bnCount(wide)
                + wide * 10L + 10;
    }

    /** Hand count of the convolution parameters alone. */
    static long residualConvParams(int stem, int b1, int b2, int b3, int wide) {
        return convCount(3, 1, stem) + convCount(3, stem, b1) + convCount(3, b1, stem) + convCount(3, stem, b2) + convCount(3, b2, stem)
                + convCount(3, stem, b3) + convCount(3, b3, wide) + convCount(1, stem, wide);
    }

    static long convCount(int k, int in, int out) {
        return (long) in * out * k * k + out;
    }

    static long bnCount(int c) {
        return 4L * c;
    }

    /**
     * A plain chain as a graph, on 10x10x1 inputs: conv3x3(channels, same) -> BN -> ReLU -> max pool 2x2 -> dense(hidden1,
     * ReLU; through DL4J's CnnToFeedForward flattening of 5x5 maps) -> dense(hidden2, ReLU) -> softmax(10).
     */
    static ComputationGraph flattening(int channels, int hidden1, int hidden2, long seed) {
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(10, 10, 1))
                .addLayer("c1", conv(3, channels, 1), "in")
                .addLayer("bn1", new BatchNormalization.Builder().build(), "c1")
                .addLayer("relu1", relu(), "bn1")
                .addLayer("pool", new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "relu1")
                .addLayer("fc1", new DenseLayer.Builder().nOut(hidden1).activation(Activation.RELU).build(), "pool")
                .addLayer("fc2", new DenseLayer.Builder().nOut(hidden2).activation(Activation.RELU).build(), "fc1")
                .addLayer("out", new OutputLayer.Builder(new LossMCXENT()).nOut(10).activation(Activation.SOFTMAX).build(), "fc2")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    private static String block(ComputationGraphConfiguration.GraphBuilder b, String n, String input, int out, int stride, boolean projection) {
        b.addLayer(n + "_conv1", conv(3, out, stride), input)
                .addLayer(n + "_bn1", new BatchNormalization.Builder().build(), n + "_conv1")
                .addLayer(n + "_relu1", relu(), n + "_bn1")
                .addLayer(n + "_conv2", conv(3, out, 1), n + "_relu1")
                .addLayer(n + "_bn2", new BatchNormalization.Builder().build(), n + "_conv2");
        String shortcut = input;
        if (projection) {
            b.addLayer(n + "_proj", conv(1, out, stride), input)
                    .addLayer(n + "_proj_bn", new BatchNormalization.Builder().build(), n + "_proj");
            shortcut = n + "_proj_bn";
        }
        b.addVertex(n + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), n + "_bn2", shortcut)
                .addLayer(n + "_relu2", relu(), n + "_add");
        return n + "_relu2";
    }

    private static ConvolutionLayer conv(int k, int nOut, int stride) {
        return new ConvolutionLayer.Builder(k, k).stride(stride, stride).nOut(nOut).activation(Activation.IDENTITY).build();
    }

    private static ActivationLayer relu() {
        return new ActivationLayer.Builder().activation(Activation.RELU).build();
    }
}
