package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/** The one place that holds DL4J builder chains. Networks take flat inputs of rows*cols pixels in [0, 1]. */
public final class NetworkFactory {
    private NetworkFactory() {
    }

    /** An initialised network; {@code loss} null means softmax cross-entropy. */
    public static MultiLayerNetwork build(Architecture arch, int rows, int cols, int classes, long seed, double learningRate,
                                          ILossFunction loss) {
        ILossFunction lossFn = loss == null ? new LossMCXENT() : loss;
        NeuralNetConfiguration.ListBuilder list = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .updater(new Adam(learningRate))
                .weightInit(WeightInit.RELU)
                .list();
        if (arch.family() == Architecture.Family.CNN) {
            list.layer(new ConvolutionLayer.Builder(5, 5).name("conv1").nOut(arch.scaled(8)).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool1").kernelSize(2, 2).stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).name("conv2").nOut(arch.scaled(16)).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(PoolingType.MAX).name("pool2").kernelSize(2, 2).stride(2, 2).build())
                    .layer(new DenseLayer.Builder().name("fc1").nOut(arch.scaled(64)).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(lossFn).name("out").nOut(classes).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.convolutionalFlat(rows, cols, 1));
        } else {
            list.layer(new DenseLayer.Builder().name("fc1").nOut(arch.scaled(300)).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().name("fc2").nOut(arch.scaled(100)).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(lossFn).name("out").nOut(classes).activation(Activation.SOFTMAX).build())
                    .setInputType(InputType.feedForward((long) rows * cols));
        }
        MultiLayerConfiguration conf = list.build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return net;
    }

    /** The names of a family's weight layers, in order (the layers a mixed-precision search gives bits of their own). */
    public static java.util.List<String> weightLayers(Architecture.Family family) {
        return family == Architecture.Family.CNN ? java.util.List.of("conv1", "conv2", "fc1", "out") : java.util.List.of("fc1", "fc2", "out");
    }

    /** Input type of the network's first layer, for cost accounting. */
    public static InputType inputType(Architecture arch, int rows, int cols) {
        return arch.family() == Architecture.Family.CNN ? InputType.convolutionalFlat(rows, cols, 1) : InputType.feedForward((long) rows * cols);
    }
}
