package dev.kompakt.evaluator.onnx;

import dev.kompakt.strategies.HardSwish;
import dev.kompakt.strategies.QuantizedActivation;
import dev.kompakt.strategies.quantization.ChannelQuantization;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ReshapeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trains small ComputationGraphs of every supported kind on synthetic data (the class is a simple function of the
 * input), randomises their batch-norm statistics, and compares the ONNX Runtime outputs of the float and INT8 exports
 * with DL4J's on 512 fresh inputs.
 */
class GraphOnnxExporterTest {
    static final int CLASSES = 4;
    static final int TEST_ROWS = 512;
    static final Set<String> INTEGER_OPS = Set.of("QLinearConv", "ConvInteger", "QGemm", "QLinearMatMul", "MatMulInteger", "MatMulIntegerToFloat");
    static final Set<String> FLOAT_KERNELS = Set.of("Conv", "FusedConv", "Gemm", "FusedGemm", "MatMul", "FusedMatMul");

    /** A trained graph with its input type and data. */
    record Case(ComputationGraph graph, InputType input, long[] sample, INDArray calibration, INDArray test, int classes) {
    }

    static final Map<String, Case> CASES = new LinkedHashMap<>();

    @BeforeAll
    static void train() {
        long t0 = System.nanoTime();
        CASES.put("mlp", trained(mlp(), InputType.feedForward(784), 10, 200, 1));
        CASES.put("cnn", trained(cnn(), InputType.convolutional(20, 24, 3), CLASSES, 100, 2));
        CASES.put("residual", trained(residual(), InputType.convolutional(12, 12, 3), CLASSES, 80, 3));
        CASES.put("mobilenet", trained(mobileNet(true), mobileNet(false), InputType.convolutional(12, 12, 3), CLASSES, 100, 4));
        CASES.put("flatcnn", trained(flatCnn(), InputType.convolutionalFlat(12, 10, 2), CLASSES, 120, 5));
        CASES.put("zoo", trained(zoo(true), zoo(false), InputType.convolutional(9, 11, 4), CLASSES, 150, 6));
        System.out.printf("built and trained %d graphs in %.1f s%n", CASES.size(), (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ the graphs

    static NeuralNetConfiguration.Builder base(long seed) {
        return new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(5e-3)).weightInit(WeightInit.XAVIER)
                .activation(Activation.IDENTITY);
    }

    static OutputLayer softmax(int classes) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes).activation(Activation.SOFTMAX).build();
    }

    static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    /** (1) 784-37-19-10 with ReLU and leaky ReLU. */
    static ComputationGraph mlp() {
        return init(base(1).graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(784))
                .addLayer("fc1", new DenseLayer.Builder().nOut(37).activation(Activation.RELU).build(), "in")
                .addLayer("fc2", new DenseLayer.Builder().nOut(19).activation(new ActivationLReLU(0.05)).build(), "fc1")
                .addLayer("out", softmax(10), "fc2").setOutputs("out").build());
    }

    /**
     * (2) 3x20x24 NCHW: 3x3 Same stride-2 conv with ReLU6 then an (unfoldable) batch norm (given a sigmoid activation, which
     * DL4J ignores), a dilation-2 3x3 conv folded
     * with its batch norm and a swish activation layer, a bias-free 1x1 conv with tanh, global average pooling.
     */
    static ComputationGraph cnn() {
        return init(base(2).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(20, 24, 3))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).stride(2, 2).convolutionMode(ConvolutionMode.Same).nOut(8)
                        .activation(Activation.RELU6).build(), "in")
                // DL4J M2.1 applies no activation function in a batch-norm layer (its activate() is preOutput()); nor does the export
                .addLayer("bn1", new BatchNormalization.Builder().activation(Activation.SIGMOID).build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).dilation(2, 2).padding(1, 2).nOut(12).build(), "bn1")
                .addLayer("bn2", new BatchNormalization.Builder().build(), "c2")
                .addLayer("swish", new ActivationLayer.Builder().activation(Activation.SWISH).build(), "bn2")
                .addLayer("c3", new ConvolutionLayer.Builder(1, 1).hasBias(false).nOut(16).activation(Activation.TANH).build(), "swish")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c3")
                .addLayer("out", softmax(CLASSES), "gap").setOutputs("out").build());
    }

    /** (3) stem, a basic block with an identity shortcut, a stride-2 block with a 1x1 projection shortcut. */
    static ComputationGraph residual() {
        ComputationGraphConfiguration.GraphBuilder b = base(3).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(12, 12, 3))
                .addLayer("stem", new ConvolutionLayer.Builder(3, 3).nOut(8).build(), "in")
                .addLayer("stem_bn", new BatchNormalization.Builder().build(), "stem")
                .addLayer("stem_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "stem_bn");
        String x = block(b, "b1", "stem_relu", 8, 1, false);
        x = block(b, "b2", x, 16, 2, true);
        b.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x).addLayer("out", softmax(CLASSES), "gap").setOutputs("out");
        return init(b.build());
    }

    static String block(ComputationGraphConfiguration.GraphBuilder b, String n, String input, int out, int stride, boolean projection) {
        b.addLayer(n + "_c1", new ConvolutionLayer.Builder(3, 3).stride(stride, stride).nOut(out).build(), input)
                .addLayer(n + "_bn1", new BatchNormalization.Builder().build(), n + "_c1")
                .addLayer(n + "_relu1", new ActivationLayer.Builder().activation(Activation.RELU).build(), n + "_bn1")
                .addLayer(n + "_c2", new ConvolutionLayer.Builder(3, 3).nOut(out).build(), n + "_relu1")
                .addLayer(n + "_bn2", new BatchNormalization.Builder().build(), n + "_c2");
        String shortcut = input;
        if (projection) {
            b.addLayer(n + "_proj", new ConvolutionLayer.Builder(1, 1).stride(stride, stride).nOut(out).build(), input)
                    .addLayer(n + "_proj_bn", new BatchNormalization.Builder().build(), n + "_proj");
            shortcut = n + "_proj_bn";
        }
        b.addVertex(n + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), n + "_bn2", shortcut)
                .addLayer(n + "_relu2", new ActivationLayer.Builder().activation(Activation.RELU).build(), n + "_add");
        return n + "_relu2";
    }

    /**
     * (4) MobileNetV3-style: hard-swish stem, an inverted residual (1x1 expand, 3x3 depthwise, squeeze-excitation with a
     * hard-sigmoid gate multiplied in by an ElementWiseVertex Product, 1x1 project, Add), a separable convolution,
     * concatenation, max pooling, global pooling, dense, softmax.
     */
    static ComputationGraph mobileNet(boolean trainable) {
        // built without setInputTypes (every nIn given): DL4J M2.1's type inference refuses the broadcast product of
        // squeeze-excitation ("ElementWise vertex cannot process CNN activations of different sizes"), its forward pass does it
        ConvolutionMode same = ConvolutionMode.Same;
        ComputationGraphConfiguration.GraphBuilder b = base(4).convolutionMode(same).graphBuilder().addInputs("in")
                .addLayer("stem", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nIn(3).nOut(8).build(), "in")
                .addLayer("stem_bn", new BatchNormalization.Builder().nOut(8).build(), "stem")
                .addLayer("stem_hs", new ActivationLayer.Builder().activation(new HardSwish()).build(), "stem_bn")
                .addLayer("expand", new ConvolutionLayer.Builder(1, 1).nIn(8).nOut(24).build(), "stem_hs")
                .addLayer("expand_bn", new BatchNormalization.Builder().nOut(24).build(), "expand")
                .addLayer("expand_act", new ActivationLayer.Builder().activation(Activation.RELU6).build(), "expand_bn")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).convolutionMode(same).depthMultiplier(1).nIn(24).nOut(24).build(), "expand_act")
                .addLayer("dw_bn", new BatchNormalization.Builder().nOut(24).build(), "dw")
                .addLayer("dw_act", new ActivationLayer.Builder().activation(new HardSwish()).build(), "dw_bn")
                .addLayer("se_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(), "dw_act")
                .addLayer("se_reduce", new ConvolutionLayer.Builder(1, 1).nIn(24).nOut(6).activation(Activation.RELU).build(), "se_pool")
                .addLayer("se_expand", new ConvolutionLayer.Builder(1, 1).nIn(6).nOut(24).activation(Activation.HARDSIGMOID).build(), "se_reduce")
                .addVertex("se_scale", new ElementWiseVertex(ElementWiseVertex.Op.Product), "dw_act", "se_expand")
                .addLayer("project", new ConvolutionLayer.Builder(1, 1).nIn(24).nOut(8).build(), "se_scale")
                .addLayer("project_bn", new BatchNormalization.Builder().nOut(8).build(), "project")
                .addVertex("residual", new ElementWiseVertex(ElementWiseVertex.Op.Add), "project_bn", "stem_hs");
        separable(b, trainable, "sep", "residual", 8, 12, 2, new int[] {3, 3}, new int[] {1, 1}, new int[] {1, 1}, Activation.RELU.getActivationFunction());
        return init(b.addVertex("concat", new MergeVertex(), "sep", "residual")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "concat")
                .addLayer("gpool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool")
                .addLayer("fc", new DenseLayer.Builder().nIn(20).nOut(16).activation(new HardSwish()).build(), "gpool")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(16).nOut(CLASSES).activation(Activation.SOFTMAX).build(), "fc")
                .setOutputs("out").build());
    }

    /**
     * A SeparableConvolution2D (Truncate mode) named {@code name}, or, when {@code trainable}, the same function as a
     * bias-free DepthwiseConvolution2D {@code name + "_dw"} and a 1x1 ConvolutionLayer {@code name}: DL4J M2.1 cannot train
     * an NCHW SeparableConvolution2D (libnd4j's sconv2d_bp expects the epsilon in NHWC: "wrong shape of output gradients
     * (next epsilon) array, expected is [32, 8, 6, 12], but got [32, 12, 6, 6]"), so the tests train the split form and copy
     * its parameters into the separable one ({@link #copyParameters}).
     */
    static void separable(ComputationGraphConfiguration.GraphBuilder b, boolean trainable, String name, String input, int nIn, int nOut,
                          int multiplier, int[] kernel, int[] stride, int[] padding, IActivation act) {
        if (!trainable) {
            b.addLayer(name, new SeparableConvolution2D.Builder(kernel).stride(stride).padding(padding).convolutionMode(ConvolutionMode.Truncate)
                    .depthMultiplier(multiplier).nIn(nIn).nOut(nOut).activation(act).build(), input);
            return;
        }
        b.addLayer(name + "_dw", new DepthwiseConvolution2D.Builder(kernel).stride(stride).padding(padding).convolutionMode(ConvolutionMode.Truncate)
                        .depthMultiplier(multiplier).nIn(nIn).nOut(nIn * multiplier).hasBias(false).build(), input)
                .addLayer(name, new ConvolutionLayer.Builder(1, 1).convolutionMode(ConvolutionMode.Truncate).nIn(nIn * multiplier).nOut(nOut)
                        .activation(act).build(), name + "_dw");
    }

    /** {@code from}'s parameters into {@code to}, layer by layer name; a split separable convolution into its separable layer. */
    static void copyParameters(ComputationGraph from, ComputationGraph to) {
        for (org.deeplearning4j.nn.api.Layer l : to.getLayers()) {
            String name = l.conf().getLayer().getLayerName();
            Map<String, INDArray> target = l.paramTable();
            if (l.conf().getLayer() instanceof SeparableConvolution2D) {
                // depthwise [kH, kW, in, m] -> separable depthwise [m, in, kH, kW]; the 1x1 conv's [out, in*m, 1, 1] is pW
                target.get("W").assign(from.getLayer(name + "_dw").getParam("W").permute(3, 2, 0, 1));
                target.get("pW").assign(from.getLayer(name).getParam("W"));
                target.get("b").assign(from.getLayer(name).getParam("b"));
                continue;
            }
            target.forEach((key, value) -> value.assign(from.getLayer(name).getParam(key)));
        }
    }

    /** (5) a CNN on flat [N, 240] input (12x10, 2 channels), reshaped by DL4J's FeedForwardToCnn preprocessor. */
    static ComputationGraph flatCnn() {
        return init(base(5).graphBuilder().addInputs("in").setInputTypes(InputType.convolutionalFlat(12, 10, 2))
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(6).activation(Activation.RELU).build(), "in")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nOut(8).activation(Activation.RELU).build(), "pool")
                .addLayer("fc", new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build(), "c2")
                .addLayer("out", softmax(CLASSES), "fc").setOutputs("out").build());
    }

    /**
     * (6) the rest of the supported set (and a batch norm given an activation, which DL4J ignores): zero padding, a bias-free depthwise convolution with multiplier 2 (sigmoid), a
     * separable one with multiplier 3, a non-square kernel and padding (leaky ReLU), Subtract, AVG pooling in Same mode
     * (padding excluded from the divisor) and in Truncate mode with padding (included), 3x3 max pooling, global max
     * pooling, a PreprocessorVertex, a dense MergeVertex, a dense batch norm stored as variance, dropout, a dense layer folded
     * with a locked-gamma/beta batch norm and a hard-sigmoid activation layer, Average, Max, a three-way Add, a
     * ReshapeVertex back to NCHW, and a 1x1 convolution that DL4J flattens into the output layer.
     */
    static ComputationGraph zoo(boolean trainable) {
        ComputationGraphConfiguration.GraphBuilder b = base(6).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(9, 11, 4))
                .addLayer("zp", new ZeroPaddingLayer.Builder(1, 2, 0, 1).build(), "in")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).stride(2, 2).padding(1, 1).hasBias(false)
                        .activation(Activation.SIGMOID).build(), "zp");
        separable(b, trainable, "sep", "zp", 4, 8, 3, new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 0}, new ActivationLReLU(0.1));
        return init(b.addVertex("sub", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "dw", "sep")
                .addLayer("avg_same", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).avgPoolIncludePadInDivisor(false).build(), "sub")
                .addLayer("avg_pad", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).padding(1, 1)
                        .avgPoolIncludePadInDivisor(true).build(), "sub")
                .addLayer("max3", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(1, 1).build(), "avg_pad")
                .addLayer("gmax", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "avg_same")
                .addVertex("flat", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(2, 2, 8)), "max3")
                .addVertex("merged", new MergeVertex(), "gmax", "flat")
                .addLayer("bn_dense", new BatchNormalization.Builder().useLogStd(false).activation(Activation.TANH).build(), "merged")
                .addLayer("drop", new DropoutLayer.Builder(0.8).build(), "bn_dense")
                .addLayer("fc", new DenseLayer.Builder().nOut(12).build(), "drop")
                .addLayer("fc_bn", new BatchNormalization.Builder().lockGammaBeta(true).gamma(1.5).beta(0.2).build(), "fc")
                .addLayer("fc_act", new ActivationLayer.Builder().activation(Activation.HARDSIGMOID).build(), "fc_bn")
                .addLayer("fc2", new DenseLayer.Builder().nOut(12).activation(Activation.TANH).build(), "drop")
                .addVertex("avg", new ElementWiseVertex(ElementWiseVertex.Op.Average), "fc_act", "fc2")
                .addVertex("max", new ElementWiseVertex(ElementWiseVertex.Op.Max), "fc_act", "fc2")
                .addVertex("sum", new ElementWiseVertex(ElementWiseVertex.Op.Add), "avg", "max", "fc2")
                .addVertex("image", new ReshapeVertex(-1, 3, 2, 2), "sum")
                .addLayer("c1x1", new ConvolutionLayer.Builder(1, 1).nOut(5).activation(Activation.RELU).build(), "image")
                .addLayer("out", softmax(CLASSES), "c1x1").setOutputs("out").build());
    }

    // ------------------------------------------------------------------ data and training

    /** Inputs whose class is a simple function of the input, in the shape the graph takes, and their one-hot labels. */
    static DataSet data(long[] sample, int classes, int n, long seed) {
        Random r = new Random(seed);
        int size = (int) Arrays.stream(sample).reduce(1, (a, b) -> a * b);
        float[] x = new float[n * size];
        float[] y = new float[n * classes];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(classes);
            y[i * classes + c] = 1;
            float a = 0.3f + 1.2f * r.nextFloat();
            for (int j = 0; j < size; j++) {
                x[i * size + j] = (float) (0.5 * r.nextGaussian());
            }
            if (sample.length == 1) {   // dense: feature block c
                int block = size / classes;
                for (int j = c * block; j < (c + 1) * block; j++) {
                    x[i * size + j] += a;
                }
                continue;
            }
            // images (C, H, W), flat or not: channel 0 / channel 1 brighter, checkerboard, horizontal stripes
            long[] chw = sample.length == 3 ? sample : new long[] {2, 12, 10};
            int ch = (int) chw[0];
            int h = (int) chw[1];
            int w = (int) chw[2];
            for (int k = 0; k < ch; k++) {
                for (int u = 0; u < h; u++) {
                    for (int v = 0; v < w; v++) {
                        float add = switch (c) {
                            case 0 -> k == 0 ? a : 0;
                            case 1 -> k == 1 ? a : 0;
                            case 2 -> (u + v) % 2 == 0 ? a : -a;
                            default -> u % 2 == 0 ? a : -a;
                        };
                        x[i * size + (k * h + u) * w + v] += add;
                    }
                }
            }
        }
        long[] shape = new long[sample.length + 1];
        shape[0] = n;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        return new DataSet(Nd4j.create(x, shape, 'c'), Nd4j.create(y, new long[] {n, classes}, 'c'));
    }

    static Case trained(ComputationGraph g, InputType input, int classes, int steps, long seed) {
        return trained(g, g, input, classes, steps, seed);
    }

    /** Trains {@code trainable}, copies its parameters into {@code g} (unless the same), randomises g's batch norms. */
    static Case trained(ComputationGraph trainable, ComputationGraph g, InputType input, int classes, int steps, long seed) {
        long t0 = System.nanoTime();
        long[] sample = sample(input);
        DataSet train = data(sample, classes, 1024, seed);
        int batch = 32;
        for (int s = 0; s < steps; s++) {
            int from = (s * batch) % 1024;
            trainable.fit(new DataSet(rows(train.getFeatures(), from, from + batch), rows(train.getLabels(), from, from + batch)));
        }
        if (trainable != g) {
            copyParameters(trainable, g);
        }
        randomiseBatchNorms(g, seed);
        System.out.printf("trained %d steps in %.1f s%n", steps, (System.nanoTime() - t0) / 1e9);
        return new Case(g, input, sample, rows(train.getFeatures(), 0, 256), data(sample, classes, TEST_ROWS, seed + 100).getFeatures(), classes);
    }

    static INDArray rows(INDArray a, int from, int to) {
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(from, to);
        for (int d = 1; d < idx.length; d++) {
            idx[d] = NDArrayIndex.all();
        }
        return a.get(idx).dup('c');
    }

    static long[] sample(InputType t) {
        if (t instanceof InputType.InputTypeConvolutional c) {
            return new long[] {c.getChannels(), c.getHeight(), c.getWidth()};
        }
        return new long[] {t.arrayElementsPerExample()};
    }

    /** Running statistics and gamma/beta moved away from their trained values (and one gamma negated) per batch norm. */
    static void randomiseBatchNorms(ComputationGraph g, long seed) {
        Random r = new Random(seed * 31);
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (!(l.conf().getLayer() instanceof BatchNormalization bn)) {
                continue;
            }
            Map<String, INDArray> p = l.paramTable();
            perturb(p.get("mean"), r, 0.3, false);
            if (bn.isUseLogStd()) {
                perturb(p.get("log10stdev"), r, 0.15, false);
            } else {
                perturb(p.get("var"), r, 0.3, true);
            }
            if (!bn.isLockGammaBeta()) {
                perturb(p.get("gamma"), r, 0.3, true);
                perturb(p.get("beta"), r, 0.2, false);
                INDArray gamma = p.get("gamma");
                gamma.putScalar(0, -gamma.getDouble(0));
            }
        }
    }

    static void perturb(INDArray a, Random r, double sigma, boolean multiplicative) {
        float[] v = a.dup('c').data().asFloat();
        for (int i = 0; i < v.length; i++) {
            double z = sigma * r.nextGaussian();
            v[i] = (float) (multiplicative ? v[i] * Math.exp(z) : v[i] + z);
        }
        a.assign(Nd4j.create(v, a.shape(), 'c').castTo(a.dataType()));
    }

    // ------------------------------------------------------------------ running the models

    /** ONNX Runtime's outputs for {@code x} (on a big-stack thread, see OrtThread). */
    static float[][] run(byte[] model, long[] sample, INDArray x) {
        float[] data = x.castTo(DataType.FLOAT).dup('c').data().asFloat();
        return OrtThread.call(() -> {
            try (OnnxModel m = new OnnxModel(model, sample, 1)) {
                return m.predict(data, (int) x.size(0));
            }
        });
    }

    record Agreement(double top1, double maxAbsDiff, int distinctClasses) {
    }

    static Agreement compare(INDArray reference, float[][] out) {
        int n = out.length;
        int agree = 0;
        double diff = 0;
        int[] expected = reference.argMax(1).toIntVector();
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 0; k < out[i].length; k++) {
                diff = Math.max(diff, Math.abs(out[i][k] - reference.getDouble(i, k)));
                if (out[i][k] > out[i][best]) {
                    best = k;
                }
            }
            agree += best == expected[i] ? 1 : 0;
        }
        return new Agreement((double) agree / n, diff, (int) Arrays.stream(expected).distinct().count());
    }

    /** Op type -> count in the model as ONNX Runtime optimises it at level 2 ("extended", which holds the QDQ fusions). */
    static Map<String, Integer> optimisedOps(byte[] model) {
        return OrtThread.call(() -> {
            Path file = Files.createTempFile("kompakt-optimised", ".onnx");
            try (ai.onnxruntime.OrtSession.SessionOptions options = new ai.onnxruntime.OrtSession.SessionOptions()) {
                options.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                options.setIntraOpNumThreads(1);
                options.setOptimizedModelFilePath(file.toString());
                ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(model, options).close();
                return ops(Files.readAllBytes(file));
            } finally {
                Files.deleteIfExists(file);
            }
        });
    }

    static Map<String, Integer> ops(byte[] model) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        for (Onnx.NodeProto n : Onnx.ModelProto.parseFrom(model).getGraph().getNodeList()) {
            counts.merge(n.getOpType(), 1, Integer::sum);
        }
        return counts;
    }

    static int count(Map<String, Integer> ops, Set<String> kinds) {
        return ops.entrySet().stream().filter(e -> kinds.contains(e.getKey())).mapToInt(Map.Entry::getValue).sum();
    }

    /** Convolution and matrix-product kernels of the integer (or the float) layers: two per separable convolution. */
    static int kernels(ComputationGraph g, boolean integer) {
        Set<String> integerLayers = GraphOnnxExporter.integerLayers(g);
        int n = 0;
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            org.deeplearning4j.nn.conf.layers.Layer conf = l.conf().getLayer();
            boolean weights = conf instanceof ConvolutionLayer || conf instanceof DenseLayer || conf instanceof OutputLayer;
            if (weights && integerLayers.contains(conf.getLayerName()) == integer) {
                n += conf instanceof SeparableConvolution2D ? 2 : 1;
            }
        }
        return n;
    }

    /** Bytes of the model's int8 initializers. */
    static long int8Bytes(byte[] model) throws Exception {
        return Onnx.ModelProto.parseFrom(model).getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == Onnx.TensorProto.DataType.INT8_VALUE).mapToLong(t -> t.getRawData().size()).sum();
    }

    /** Weights (W, and pW of separable convolutions) of the given layers, plus the zero point of each output channel. */
    static long integerWeights(ComputationGraph g, Set<String> layers) {
        long n = 0;
        for (String name : layers) {
            Map<String, INDArray> p = g.getLayer(name).paramTable();
            for (String key : List.of("W", "pW")) {
                if (p.containsKey(key)) {
                    INDArray w = p.get(key);
                    boolean dense = g.getLayer(name).conf().getLayer() instanceof DenseLayer || g.getLayer(name).conf().getLayer() instanceof OutputLayer;
                    boolean depthwise = g.getLayer(name).conf().getLayer() instanceof DepthwiseConvolution2D;
                    long channels = dense ? w.size(1) : depthwise ? w.size(2) * w.size(3)
                            : key.equals("W") && g.getLayer(name).conf().getLayer() instanceof SeparableConvolution2D ? w.size(0) * w.size(1) : w.size(0);
                    n += w.length() + channels;
                }
            }
        }
        return n;
    }

    static final List<String> CASE_NAMES = List.of("mlp", "cnn", "residual", "mobilenet", "flatcnn", "zoo");

    // ------------------------------------------------------------------ tests

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "residual", "mobilenet", "flatcnn", "zoo"})
    void fp32ExportMatchesDl4j(String name) {
        Case c = CASES.get(name);
        INDArray reference = c.graph.outputSingle(false, c.test);
        Agreement a = compare(reference, run(GraphOnnxExporter.fp32(c.graph, c.input), c.sample, c.test));
        System.out.printf("%-9s fp32: top-1 agreement %.4f, max |p_onnx - p_dl4j| %.2e, %d classes predicted%n", name, a.top1, a.maxAbsDiff,
                a.distinctClasses);
        assertTrue(a.distinctClasses >= 2, name + ": DL4J predicts " + a.distinctClasses + " class(es) on the test inputs");
        assertTrue(a.maxAbsDiff < 1e-4, name + " max abs diff " + a.maxAbsDiff);
        assertTrue(a.top1 >= 0.995, name + " fp32 top-1 agreement " + a.top1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "residual", "mobilenet", "flatcnn", "zoo"})
    void top1AgreementInBatchesEqualsOneRun(String name) {
        Case c = CASES.get(name);
        INDArray reference = c.graph.outputSingle(false, c.test);
        byte[] model = GraphOnnxExporter.int8(c.graph, c.input, c.calibration, Map.of());
        double oneRun = compare(reference, run(model, c.sample, c.test)).top1;
        int n = (int) c.test.size(0);
        for (int batch : new int[] {1, 7, n, n + 5}) {
            double batched = OrtThread.call(() -> {
                try (OnnxModel m = new OnnxModel(model, c.sample, 1)) {
                    return m.top1Agreement(c.test, reference, batch);
                }
            });
            assertEquals(oneRun, batched, 1.0 / n + 1e-12, name + " batch " + batch);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OrtThread.call(() -> {
            try (OnnxModel m = new OnnxModel(model, c.sample, 1)) {
                return m.top1Agreement(c.test, reference, 0);
            }
        }));
        assertTrue(e.getMessage().contains("batch >= 1"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "residual", "mobilenet", "flatcnn", "zoo"})
    void int8ExportAgreesAndRunsOnIntegerKernels(String name) throws Exception {
        Case c = CASES.get(name);
        byte[] fp32 = GraphOnnxExporter.fp32(c.graph, c.input);
        byte[] int8 = GraphOnnxExporter.int8(c.graph, c.input, c.calibration, Map.of());
        INDArray reference = c.graph.outputSingle(false, c.test);
        Agreement a = compare(reference, run(int8, c.sample, c.test));
        Set<String> integer = GraphOnnxExporter.integerLayers(c.graph);
        Map<String, Integer> written = ops(int8);
        Map<String, Integer> optimised = optimisedOps(int8);
        int integerKernels = count(optimised, INTEGER_OPS);
        int floatKernels = count(optimised, FLOAT_KERNELS);
        System.out.printf("%-9s int8: top-1 agreement %.4f, max prob diff %.4f; %d -> %d bytes; integer layers %s%n  written %s%n  optimised %s%n",
                name, a.top1, a.maxAbsDiff, fp32.length, int8.length, integer, written, optimised);
        assertTrue(a.top1 >= 0.98, name + " int8 top-1 agreement " + a.top1);
        assertFalse(integer.isEmpty(), name + " has integer layers");
        assertTrue(written.getOrDefault("QuantizeLinear", 0) > 0, name + " written with QuantizeLinear nodes");
        // one integer kernel per integer convolution or dense layer (two per separable convolution), float kernels for the rest
        assertEquals(kernels(c.graph, true), integerKernels, name + ": integer kernels after ONNX Runtime's optimisation for " + integer);
        assertEquals(kernels(c.graph, false), floatKernels, name + ": float convolution/matmul kernels after optimisation");
        assertEquals(integerWeights(c.graph, integer), int8Bytes(int8), name + ": the integer layers' weights are stored as int8");
    }

    @Test
    void int8PoolsAFloatConvolutionBeforeItsReluAndQuantization() throws Exception {
        Case c = CASES.get("flatcnn");
        byte[] int8 = GraphOnnxExporter.int8(c.graph, c.input, c.calibration, Map.of());
        List<String> written = Onnx.ModelProto.parseFrom(int8).getGraph().getNodeList().stream().map(Onnx.NodeProto::getOpType).toList();
        assertEquals(List.of("Reshape", "Conv", "MaxPool", "Relu", "QuantizeLinear"), written.subList(0, 5));
        // ONNX Runtime folds the ReLU into the quantization (zero point 0) and keeps the pool in float
        String optimised = String.join(",", optimisedSequence(int8));
        assertTrue(optimised.startsWith("Reshape,Conv,MaxPool,QuantizeLinear,QLinearConv"), optimised);
    }

    static List<String> optimisedSequence(byte[] model) {
        return OrtThread.call(() -> {
            Path file = Files.createTempFile("kompakt-optimised", ".onnx");
            try (ai.onnxruntime.OrtSession.SessionOptions options = new ai.onnxruntime.OrtSession.SessionOptions()) {
                options.setOptimizationLevel(ai.onnxruntime.OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
                options.setIntraOpNumThreads(1);
                options.setOptimizedModelFilePath(file.toString());
                ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(model, options).close();
                return Onnx.ModelProto.parseFrom(Files.readAllBytes(file)).getGraph().getNodeList().stream().map(Onnx.NodeProto::getOpType).toList();
            } finally {
                Files.deleteIfExists(file);
            }
        });
    }

    /**
     * Weights fake-quantized to 4 bits per output channel (conv, depthwise, separable and dense layers, several with a
     * folded batch norm that has a negative gamma) are stored as exactly those integers, up to the sign of a channel whose
     * batch-norm scale is negative.
     */
    @Test
    void fakeQuantizedWeightsAreStoredAsTheSameIntegers() throws Exception {
        Case c = CASES.get("mobilenet");
        ComputationGraph g = c.graph.clone();
        Map<String, Integer> bits = new HashMap<>();
        Map<String, List<int[]>> levels = new HashMap<>();
        for (String name : List.of("expand", "dw", "se_reduce", "project", "sep", "fc", "out")) {
            bits.put(name, 4);
            levels.put(name, fakeQuantize(g, name, 4));
        }
        byte[] int8 = GraphOnnxExporter.int8(g, c.input, c.calibration, bits);
        Onnx.GraphProto model = Onnx.ModelProto.parseFrom(int8).getGraph();
        int negated = 0;
        for (Map.Entry<String, List<int[]>> e : levels.entrySet()) {
            List<byte[]> stored = storedWeights(model, e.getKey());
            assertEquals(e.getValue().size(), stored.size(), e.getKey() + " weight tensors");
            for (int t = 0; t < stored.size(); t++) {
                negated += sameUpToChannelSign(e.getKey(), e.getValue().get(t), stored.get(t), outputChannels(g, e.getKey(), t));
            }
        }
        assertTrue(negated > 0, "some channels follow a negative batch-norm gamma");
        Agreement a = compare(g.outputSingle(false, c.test), run(int8, c.sample, c.test));
        System.out.printf("mobilenet, 4-bit weights: int8 top-1 agreement %.4f, %d channels stored negated%n", a.top1, negated);
        assertTrue(a.top1 >= 0.98, "4-bit int8 agreement " + a.top1);
    }

    /** Output channels of weight tensor {@code t} (0: W, 1: pW) of a layer. */
    static int outputChannels(ComputationGraph g, String name, int t) {
        org.deeplearning4j.nn.conf.layers.Layer conf = g.getLayer(name).conf().getLayer();
        INDArray w = g.getLayer(name).getParam(t == 0 ? "W" : "pW");
        if (conf instanceof DenseLayer || conf instanceof OutputLayer) {
            return (int) w.size(1);
        }
        if (conf instanceof DepthwiseConvolution2D) {
            return (int) (w.size(2) * w.size(3));
        }
        if (conf instanceof SeparableConvolution2D && t == 0) {
            return (int) (w.size(0) * w.size(1));
        }
        return (int) w.size(0);
    }

    /**
     * Fake-quantizes a layer's weights in place, per output channel, symmetric (the scheme of strategies'
     * WeightQuantizer); returns the integer levels of each weight tensor in ONNX layout (conv [out, in/group, kH, kW],
     * dense [in, out]).
     */
    static List<int[]> fakeQuantize(ComputationGraph g, String name, int bits) {
        org.deeplearning4j.nn.conf.layers.Layer conf = g.getLayer(name).conf().getLayer();
        List<int[]> result = new ArrayList<>();
        List<String> keys = conf instanceof SeparableConvolution2D ? List.of("W", "pW") : List.of("W");
        for (String key : keys) {
            INDArray w = g.getLayer(name).getParam(key);
            // into ONNX layout, whose channel axis is 0 for convolutions and 1 for dense layers
            INDArray onnx;
            if (conf instanceof DepthwiseConvolution2D) {
                onnx = w.permute(2, 3, 0, 1).dup('c').reshape('c', w.size(2) * w.size(3), 1, w.size(0), w.size(1));
            } else if (conf instanceof SeparableConvolution2D && key.equals("W")) {
                onnx = w.permute(1, 0, 2, 3).dup('c').reshape('c', w.size(0) * w.size(1), 1, w.size(2), w.size(3));
            } else {
                onnx = w.dup('c');
            }
            boolean dense = conf instanceof DenseLayer || conf instanceof OutputLayer;
            ChannelQuantization q = ChannelQuantization.of(onnx.data().asFloat(), onnx.shape(), dense ? 1 : 0, bits);
            INDArray values = Nd4j.create(q.dequantized(), onnx.shape(), 'c');
            if (conf instanceof DepthwiseConvolution2D) {
                values = values.reshape('c', w.size(2), w.size(3), w.size(0), w.size(1)).permute(2, 3, 0, 1);
            } else if (conf instanceof SeparableConvolution2D && key.equals("W")) {
                values = values.reshape('c', w.size(1), w.size(0), w.size(2), w.size(3)).permute(1, 0, 2, 3);
            }
            w.assign(values.castTo(w.dataType()));
            result.add(q.levels());
        }
        return result;
    }

    /** The int8 weights of the Conv/Gemm nodes written for a vertex, in node order. */
    static List<byte[]> storedWeights(Onnx.GraphProto model, String vertex) {
        Map<String, Onnx.NodeProto> producers = new HashMap<>();
        model.getNodeList().forEach(n -> producers.put(n.getOutput(0), n));
        Map<String, Onnx.TensorProto> initializers = new HashMap<>();
        model.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Pattern label = Pattern.compile(Pattern.quote(vertex) + "_\\d+");
        List<byte[]> weights = new ArrayList<>();
        for (Onnx.NodeProto n : model.getNodeList()) {
            if ((n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && label.matcher(n.getName()).matches()) {
                Onnx.NodeProto dq = producers.get(n.getInput(1));
                assertEquals("DequantizeLinear", dq.getOpType(), vertex + " weights are dequantized int8");
                Onnx.TensorProto t = initializers.get(dq.getInput(0));
                assertEquals(Onnx.TensorProto.DataType.INT8_VALUE, t.getDataType());
                weights.add(t.getRawData().toByteArray());
            }
        }
        return weights;
    }

    /** Asserts stored == expected up to one sign per channel; returns how many channels are negated. */
    static int sameUpToChannelSign(String name, int[] expected, byte[] stored, int channels) {
        assertEquals(expected.length, stored.length, name);
        int negated = 0;
        Map<Integer, Integer> sign = new HashMap<>();
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(stored[i]) <= 7, name + " level " + stored[i] + " beyond 4 bits");
            if (expected[i] == 0) {
                assertEquals(0, stored[i], name);
                continue;
            }
            int channel = channelOf(i, expected.length, channels, name);
            int s = stored[i] == expected[i] ? 1 : stored[i] == -expected[i] ? -1 : 0;
            assertTrue(s != 0, name + " weight " + i + ": stored " + stored[i] + ", fake-quantized level " + expected[i]);
            Integer previous = sign.putIfAbsent(channel, s);
            assertTrue(previous == null || previous == s, name + " channel " + channel + " mixes signs");
        }
        for (int s : sign.values()) {
            negated += s < 0 ? 1 : 0;
        }
        return negated;
    }

    /** The output channel of element i: axis 0 for convolution weights, axis 1 (the fastest) for dense [in, out]. */
    static int channelOf(int i, int length, int channels, String name) {
        boolean dense = name.equals("fc") || name.equals("out");
        return dense ? i % channels : i / (length / channels);
    }

    /** A quantized activation is exported as the float activation it wraps; in INT8 its own range quantizes its output. */
    @Test
    void quantizedActivationsExportAsTheirFloatActivation() throws Exception {
        Case c = CASES.get("cnn");
        ComputationGraph g = c.graph.clone();
        byte[] plain = GraphOnnxExporter.fp32(g, c.input);
        ((ActivationLayer) g.getLayer("swish").conf().getLayer()).setActivationFn(new QuantizedActivation(new org.nd4j.linalg.activations.impl.ActivationSwish(), 6, -0.3, 4.0));
        ((BaseLayer) g.getLayer("c1").conf().getLayer()).setActivationFn(new QuantizedActivation(new org.nd4j.linalg.activations.impl.ActivationReLU6(), 4, 0, 6));
        assertTrue(Arrays.equals(plain, GraphOnnxExporter.fp32(g, c.input)), "the same float model");
        byte[] int8 = GraphOnnxExporter.int8(g, c.input, c.calibration, Map.of());
        float expectedScale = 4.3f / 255f;
        boolean found = Onnx.ModelProto.parseFrom(int8).getGraph().getInitializerList().stream()
                .filter(t -> t.getDataType() == Onnx.TensorProto.DataType.FLOAT_VALUE && t.getDimsCount() == 0)
                .anyMatch(t -> Math.abs(java.nio.ByteBuffer.wrap(t.getRawData().toByteArray()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat() - expectedScale) < 1e-9);
        assertTrue(found, "the swish output is quantized over its quantized activation's range [-0.3, 4.0]");
        Agreement a = compare(g.outputSingle(false, c.test), run(int8, c.sample, c.test));
        System.out.printf("cnn with quantized activations: int8 top-1 agreement with DL4J %.4f%n", a.top1);
        assertTrue(a.top1 >= 0.95, "agreement " + a.top1);
    }

    // ------------------------------------------------------------------ refusals

    static void assertRefused(ComputationGraph g, InputType input, String vertex, String kind, String detail) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphOnnxExporter.fp32(g, input));
        String m = e.getMessage();
        assertTrue(m.contains("'" + vertex + "'") && m.contains(kind) && m.contains(detail) && m.contains("supported: vertices:"), m);
        IllegalArgumentException q = assertThrows(IllegalArgumentException.class, () -> GraphOnnxExporter.int8(g, input,
                Nd4j.zeros(DataType.FLOAT, 4, sample(input)[0]), Map.of()));
        assertTrue(q.getMessage().contains("'" + vertex + "'"), q.getMessage());
    }

    @Test
    void unsupportedVerticesAreRefusedByName() {
        ComputationGraph lstm = init(base(7).graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(6))
                .addLayer("fc", new DenseLayer.Builder().nOut(5).build(), "in")
                .addLayer("lstm", new LSTM.Builder().nOut(4).build(), "fc")
                .addLayer("last", new LastTimeStep(new LSTM.Builder().nIn(4).nOut(3).build()), "lstm")
                .addLayer("out", softmax(3), "last").setOutputs("out").build());
        assertRefused(lstm, InputType.feedForward(6), "lstm", "LSTM", "");

        ComputationGraph up = init(base(7).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(6, 6, 4))
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in")
                .addLayer("up", new Upsampling2D.Builder(2).build(), "c")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "up")
                .addLayer("out", softmax(3), "gap").setOutputs("out").build());
        assertRefused(up, InputType.convolutional(6, 6, 4), "up", "Upsampling2D", "");

        ComputationGraph scaled = init(base(7).graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(6))
                .addLayer("fc", new DenseLayer.Builder().nOut(5).build(), "in")
                .addVertex("scale", new org.deeplearning4j.nn.conf.graph.ScaleVertex(0.5), "fc")
                .addLayer("out", softmax(3), "scale").setOutputs("out").build());
        assertRefused(scaled, InputType.feedForward(6), "scale", "ScaleVertex", "");

        // a channel subset (ShuffleNet's split) of a dense layer's units is supported: a Slice
        ComputationGraph subset = init(base(7).graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(6))
                .addLayer("fc", new DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "in")
                .addVertex("subset", new SubsetVertex(1, 3), "fc")
                .addLayer("out", softmax(3), "subset").setOutputs("out").build());
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 8, 6);
        Agreement a = compare(subset.outputSingle(false, x), run(GraphOnnxExporter.fp32(subset, InputType.feedForward(6)), new long[] {6}, x));
        assertTrue(a.maxAbsDiff < 1e-6, "subset export max abs diff " + a.maxAbsDiff);

        ComputationGraph clipped = init(base(7).graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(6))
                .addLayer("fc", new DenseLayer.Builder().nOut(5).activation(new ActivationReLU(4.0, 0.0, 0.0)).build(), "in")
                .addLayer("out", softmax(3), "fc").setOutputs("out").build());
        assertRefused(clipped, InputType.feedForward(6), "fc", "DenseLayer", "activation");

        ComputationGraph pnorm = init(base(7).graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(6, 6, 4))
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(2).kernelSize(2, 2).stride(2, 2).build(), "in")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "pool")
                .addLayer("out", softmax(3), "gap").setOutputs("out").build());
        assertRefused(pnorm, InputType.convolutional(6, 6, 4), "pool", "SubsamplingLayer", "PNORM");

        // DL4J M2.1 applies locked gamma/beta only when gamma != 1 and beta != 0 on its built-in path, always on MKL-DNN
        ComputationGraph locked = init(base(7).graphBuilder().addInputs("in").setInputTypes(InputType.feedForward(6))
                .addLayer("bn", new BatchNormalization.Builder().lockGammaBeta(true).gamma(2.0).beta(0.0).build(), "in")
                .addLayer("out", softmax(3), "bn").setOutputs("out").build());
        assertRefused(locked, InputType.feedForward(6), "bn", "BatchNormalization", "locked gamma");
    }

    @Test
    void weightBitsMustNameWeightLayersAtStorableWidths() {
        Case c = CASES.get("mlp");
        assertThrows(IllegalArgumentException.class, () -> GraphOnnxExporter.int8(c.graph, c.input, c.calibration, Map.of("fc1", 12)));
        assertThrows(IllegalArgumentException.class, () -> GraphOnnxExporter.int8(c.graph, c.input, c.calibration, Map.of("in", 4)));
        assertThrows(IllegalArgumentException.class, () -> GraphOnnxExporter.int8(c.graph, c.input, c.calibration.reshape(256, 28, 28), Map.of()));
    }
}
