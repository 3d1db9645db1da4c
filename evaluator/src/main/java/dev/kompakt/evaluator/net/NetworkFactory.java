package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.linalg.lossfunctions.impl.LossMSE;

/** The one place that holds DL4J builder chains. Networks take flat inputs of rows*cols pixels in [0, 1]. */
public final class NetworkFactory {
    private NetworkFactory() {
    }

    /** An initialised network; {@code loss} null means softmax cross-entropy. */
    public static MultiLayerNetwork build(Architecture arch, int rows, int cols, int classes, long seed, double learningRate,
                                          ILossFunction loss) {
        return build(arch.family(), arch.units(), rows, cols, classes, seed, learningRate, loss);
    }

    /**
     * An initialised network of {@code family} with the given hidden-layer widths (see {@link Architecture#units()}), e.g.
     * a CNN with half its filters and all its dense units: {@code {4, 8, 64}}. {@code loss} null means softmax cross-entropy.
     */
    public static MultiLayerNetwork build(Architecture.Family family, int[] units, int rows, int cols, int classes, long seed,
                                          double learningRate, ILossFunction loss) {
        int expected = family == Architecture.Family.CNN ? 3 : 2;
        if (units.length != expected || java.util.Arrays.stream(units).anyMatch(u -> u < 1)) {
            throw new IllegalArgumentException(family + " takes " + expected + " hidden-layer widths >= 1, got " + java.util.Arrays.toString(units));
        }
        ILossFunction lossFn = loss == null ? new LossMCXENT() : loss;
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.RELU)
                .list();
        if (family == Architecture.Family.CNN) {
            list.layer(new ConvolutionLayer.Builder(5, 5).name("conv1").nOut(units[0]).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool1").kernelSize(2, 2).stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).name("conv2").nOut(units[1]).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool2").kernelSize(2, 2).stride(2, 2).build())
                    .layer(new DenseLayer.Builder().name("fc1").nOut(units[2]).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(lossFn).name("out").nOut(classes).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(rows, cols, 1));
        } else {
            list.layer(new DenseLayer.Builder().name("fc1").nOut(units[0]).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().name("fc2").nOut(units[1]).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(lossFn).name("out").nOut(classes).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward((long) rows * cols));
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /**
     * A family's network with batch normalisation after every hidden conv and dense layer, for network slimming
     * ({@link dev.kompakt.strategies.ImportanceCriterion#bnScale()}): each such layer is linear and the batch-norm layer
     * after it (named {@code bn_<layer>}) applies the ReLU; softmax cross-entropy. Not a search family: the search builds
     * its candidates with {@link #build}, and the cost model and ONNX export do not handle batch-norm layers.
     */
    public static MultiLayerNetwork buildWithBatchNorm(Architecture arch, int rows, int cols, int classes, long seed, double learningRate) {
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.RELU)
                .list();
        if (arch.family() == Architecture.Family.CNN) {
            list.layer(new ConvolutionLayer.Builder(5, 5).name("conv1").nOut(arch.scaled(8)).activation(Activation.IDENTITY).build())
                    .layer(new BatchNormalization.Builder().name("bn_conv1").activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool1").kernelSize(2, 2).stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).name("conv2").nOut(arch.scaled(16)).activation(Activation.IDENTITY).build())
                    .layer(new BatchNormalization.Builder().name("bn_conv2").activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool2").kernelSize(2, 2).stride(2, 2).build())
                    .layer(new DenseLayer.Builder().name("fc1").nOut(arch.scaled(64)).activation(Activation.IDENTITY).build())
                    .layer(new BatchNormalization.Builder().name("bn_fc1").activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(new LossMCXENT()).name("out").nOut(classes).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(rows, cols, 1));
        } else {
            list.layer(new DenseLayer.Builder().name("fc1").nOut(arch.scaled(300)).activation(Activation.IDENTITY).build())
                    .layer(new BatchNormalization.Builder().name("bn_fc1").activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().name("fc2").nOut(arch.scaled(100)).activation(Activation.IDENTITY).build())
                    .layer(new BatchNormalization.Builder().name("bn_fc2").activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(new LossMCXENT()).name("out").nOut(classes).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward((long) rows * cols));
        }
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    /** The names of a family's weight layers, in order (the layers a mixed-precision search gives bits of their own). */
    public static java.util.List<String> weightLayers(Architecture.Family family) {
        return family == Architecture.Family.CNN ? java.util.List.of("conv1", "conv2", "fc1", "out") : java.util.List.of("fc1", "fc2", "out");
    }

    /**
     * The stage-1 network of FitNets hint training (Romero et al. 2015): copies of the student's layers 0..{@code guidedLayer}
     * (same configurations, updaters and input preprocessors, freshly initialised from {@code seed}; copy the student's
     * parameters in before training), then the regressor that maps the guided layer's output to the teacher hint's shape,
     * then a mean-squared-error loss. For a convolutional guided layer the regressor is a 1x1 convolution to
     * {@code hintShape[1]} channels and the hint map is flattened (channel, row, column order) for the loss; for a dense
     * guided layer it is a dense layer to {@code hintShape[1]} units. The regressor uses {@code hintActivation}, the
     * teacher hint layer's own non-linearity, as the paper does, and the guided layer's updater.
     *
     * @param hintShape the teacher hint's activation shape: {@code [N, units]} or {@code [N, channels, rows, cols]}
     */
    public static MultiLayerNetwork hintRegressor(MultiLayerNetwork student, int guidedLayer, long[] hintShape, IActivation hintActivation,
                                                  long seed) {
        MultiLayerConfiguration sc = student.getLayerWiseConfigurations();
        if (guidedLayer < 0 || guidedLayer >= student.getnLayers() - 1) {
            throw new IllegalArgumentException("guided layer must be a hidden layer in [0, " + (student.getnLayers() - 2) + "], got " + guidedLayer);
        }
        org.deeplearning4j.nn.conf.layers.Layer guided = sc.getConf(guidedLayer).getLayer();
        if (!(guided instanceof FeedForwardLayer ff) || !(guided instanceof BaseLayer base)) {
            throw new IllegalArgumentException("guided layer " + guidedLayer + " must be a dense or convolution layer, got "
                    + guided.getClass().getSimpleName());
        }
        boolean conv = guided instanceof ConvolutionLayer;
        if (hintShape.length != (conv ? 4 : 2)) {
            throw new IllegalArgumentException("a " + (conv ? "convolution" : "dense") + " guided layer needs a rank-" + (conv ? 4 : 2)
                    + " hint, got shape " + java.util.Arrays.toString(hintShape));
        }
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(base.getIUpdater().clone())
                .weightInit(WeightInit.RELU)
                .list();
        for (int i = 0; i <= guidedLayer; i++) {
            list.layer(i, sc.getConf(i).getLayer().clone());
            InputPreProcessor pre = sc.getInputPreProcess(i);
            if (pre != null) {
                list.inputPreProcessor(i, pre.clone());
            }
        }
        long guidedOut = ff.getNOut();
        if (conv) {
            list.layer(guidedLayer + 1, new ConvolutionLayer.Builder(1, 1).name("hint_regressor").nIn(guidedOut).nOut(hintShape[1])
                    .activation(hintActivation).build());
            list.inputPreProcessor(guidedLayer + 2, new CnnToFeedForwardPreProcessor(hintShape[2], hintShape[3], hintShape[1]));
        } else {
            list.layer(guidedLayer + 1, new DenseLayer.Builder().name("hint_regressor").nIn(guidedOut).nOut(hintShape[1])
                    .activation(hintActivation).build());
        }
        list.layer(guidedLayer + 2, new LossLayer.Builder(new LossMSE()).name("hint_mse").activation(Activation.IDENTITY).build());
        MultiLayerNetwork net = new MultiLayerNetwork(list.build());
        net.init();
        return net;
    }

    /** Input type of the network's first layer, for cost accounting. */
    public static InputType inputType(Architecture arch, int rows, int cols) {
        return arch.family() == Architecture.Family.CNN ? InputType.convolutionalFlat(rows, cols, 1) : InputType.feedForward((long) rows * cols);
    }
}
