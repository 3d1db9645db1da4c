package dev.kompakt.strategies.quantization;

import dev.kompakt.strategies.MultiLayerConversion;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class BiasCorrectionTest {

    /**
     * conv 3x3 stride 2 padding 1 (8 filters) -> conv 3x3 (6 filters) -> dense 20 -> softmax 5, on 10x10 inputs in [0, 1]
     * (flat, 100 values), as a graph: the layers are unnamed, so its vertices are layer0 ... layer3.
     */
    public static ComputationGraph net(Activation hidden) {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().seed(4).updater(new Sgd(0.1)).weightInit(WeightInit.RELU).list()
                .layer(new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(8).activation(hidden).biasInit(0.1).build())
                .layer(new ConvolutionLayer.Builder(3, 3).nOut(6).activation(hidden).build())
                .layer(new DenseLayer.Builder().nOut(20).activation(hidden).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(5).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(10, 10, 1))
                .build();
        MultiLayerNetwork net = new MultiLayerNetwork(conf);
        net.init();
        return MultiLayerConversion.toGraph(net);
    }

    public static INDArray inputs() {
        Nd4j.getRandom().setSeed(8);
        return Nd4j.rand(DataType.FLOAT, 64, 100);
    }

    @Test
    void meanPreActivationIsTheMeanOfTheLayerOutput() {
        // with identity activations, a layer's output is its pre-activation: its mean over examples (and positions) per channel
        ComputationGraph net = net(Activation.IDENTITY);
        INDArray x = inputs();
        Map<String, INDArray> acts = net.feedForward(x, false);
        float[] conv1 = acts.get("layer0").mean(0, 2, 3).toFloatVector();
        float[] conv2 = acts.get("layer1").mean(0, 2, 3).toFloatVector();
        float[] dense = acts.get("layer2").mean(0).toFloatVector();
        assertEquals(5, acts.get("layer0").size(2), "10x10, 3x3, stride 2, padding 1 -> 5x5");
        assertArrayEquals(conv1, BiasCorrection.meanPreActivation(net, "layer0", x), 1e-5f);
        assertArrayEquals(conv2, BiasCorrection.meanPreActivation(net, "layer1", x), 1e-5f);
        assertArrayEquals(dense, BiasCorrection.meanPreActivation(net, "layer2", x), 1e-5f);
    }

    @Test
    void correctionRemovesTheMeanOutputShiftOfEveryLayer() {
        ComputationGraph reference = net(Activation.RELU);
        ComputationGraph quantized = reference.clone();
        new WeightQuantizer(3).quantize(quantized);
        INDArray x = inputs();
        List<String> layers = List.of("layer0", "layer1", "layer2", "layer3");
        double[] before = new double[layers.size()];
        for (int l = 0; l < layers.size(); l++) {
            before[l] = meanAbsShift(reference, quantized, layers.get(l), x);
            assertTrue(before[l] > 1e-4, "3-bit weights shift layer " + layers.get(l) + "'s mean output: " + before[l]);
        }
        INDArray weights = quantized.getLayer("layer1").getParam("W").dup();
        Map<String, float[]> shifts = BiasCorrection.correct(reference, quantized, x);
        assertEquals(layers, List.copyOf(shifts.keySet()));
        assertEquals(weights, quantized.getLayer("layer1").getParam("W"), "weights are left alone");
        for (int l = 0; l < layers.size(); l++) {
            double after = meanAbsShift(reference, quantized, layers.get(l), x);
            assertTrue(after < 1e-5 && after < before[l] / 100, "layer " + layers.get(l) + ": mean shift " + before[l] + " -> " + after);
        }
        // the first layer sees the same inputs in both networks: its shift is (W_q - W) times the mean patch, which the bias absorbs
        float[] b0 = reference.getLayer("layer0").getParam("b").toFloatVector();
        float[] bq = quantized.getLayer("layer0").getParam("b").toFloatVector();
        for (int c = 0; c < b0.length; c++) {
            assertEquals(b0[c] - shifts.get("layer0")[c], bq[c], 1e-6f);
        }
    }

    @Test
    void correctionIsDeterministic() {
        ComputationGraph reference = net(Activation.RELU);
        ComputationGraph a = reference.clone();
        ComputationGraph b = reference.clone();
        new WeightQuantizer(4).quantize(a);
        new WeightQuantizer(4).quantize(b);
        BiasCorrection.correct(reference, a, inputs());
        BiasCorrection.correct(reference, b, inputs());
        assertEquals(a.params(), b.params());
    }

    @Test
    void sameModeConvolutionsAreRejected() {
        MultiLayerConfiguration conf = new NeuralNetConfiguration.Builder().list()
                .layer(new ConvolutionLayer.Builder(3, 3).convolutionMode(org.deeplearning4j.nn.conf.ConvolutionMode.Same).nOut(2).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(4, 4, 1)).build();
        MultiLayerNetwork mln = new MultiLayerNetwork(conf);
        mln.init();
        ComputationGraph net = MultiLayerConversion.toGraph(mln);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BiasCorrection.correct(net, net.clone(), Nd4j.rand(DataType.FLOAT, 3, 16)));
        assertTrue(e.getMessage().contains("Same"), e.getMessage());
    }

    static double meanAbsShift(ComputationGraph reference, ComputationGraph quantized, String layer, INDArray x) {
        float[] r = BiasCorrection.meanPreActivation(reference, layer, x);
        float[] q = BiasCorrection.meanPreActivation(quantized, layer, x);
        double sum = 0;
        for (int c = 0; c < r.length; c++) {
            sum += Math.abs(q[c] - r[c]);
        }
        return sum / r.length;
    }
}
