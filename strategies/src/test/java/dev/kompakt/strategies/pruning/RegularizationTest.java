package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.MultiLayerConversion;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The proximal operators against hand-computed values, and how they act on a network. */
class RegularizationTest {

    private static float[] flat(INDArray a) {
        return a.dup('c').data().asFloat();
    }

    /** Every exact zero is +0 (no -0 from a negative weight times 0). */
    private static void assertPositiveZeros(INDArray a) {
        for (float v : flat(a)) {
            if (v == 0f) {
                assertEquals(0, Float.floatToIntBits(v), "a zero is +0");
            }
        }
    }

    @Test
    void l1SoftThresholdsEveryWeight() {
        // lambda 0.5, step 0.5: threshold 0.25
        INDArray w = Nd4j.createFromArray(new float[][] {{0.5f, -0.25f, 0.1f}, {-2f, 0.75f, 0f}});
        Regularization.l1(0.5).proximal(w, 1, 0.5);
        assertArrayEquals(new float[] {0.25f, 0f, 0f, -1.75f, 0.5f, 0f}, flat(w));
        assertPositiveZeros(w);
    }

    @Test
    void l1ActsOnTheValuesWhateverTheOrdering() {
        // DL4J's dense W is an 'f'-ordered view of the flat parameters
        INDArray f = Nd4j.createFromArray(new float[][] {{0.5f, -0.25f, 0.1f}, {-2f, 0.75f, 0f}}).dup('f');
        Regularization.l1(1.0).proximal(f, 1, 0.25);
        assertEquals('f', f.ordering());
        assertArrayEquals(new float[] {0.25f, 0f, 0f, -1.75f, 0.5f, 0f}, flat(f));
    }

    @Test
    void groupLassoShrinksEachDenseColumnByItsNorm() {
        // columns (output units): (3, 4) norm 5 -> x 0.8; (0.3, -0.4) norm 0.5 <= 1 -> 0; (0, -2) norm 2 -> x 0.5
        INDArray w = Nd4j.createFromArray(new float[][] {{3f, 0.3f, 0f}, {4f, -0.4f, -2f}});
        Regularization.groupLasso(2.0).proximal(w, 1, 0.5);
        assertArrayEquals(new float[] {2.4f, 0f, 0f, 3.2f, 0f, -1f}, flat(w), 1e-6f);
        assertPositiveZeros(w);
    }

    @Test
    void groupLassoShrinksEachConvFilterByItsNorm() {
        // filters [2, 1, 2, 2]: (1, 1, 1, 1) norm 2 -> x 0.75; (0.1, -0.1, 0.1, -0.1) norm 0.2 <= 0.5 -> 0
        INDArray w = Nd4j.createFromArray(new float[] {1, 1, 1, 1, 0.1f, -0.1f, 0.1f, -0.1f}).reshape(2, 1, 2, 2);
        Regularization.groupLasso(0.5).proximal(w, 0, 1.0);
        assertArrayEquals(new float[] {0.75f, 0.75f, 0.75f, 0.75f, 0, 0, 0, 0}, flat(w), 1e-7f);
        assertPositiveZeros(w);
        // a channel whose norm equals the threshold is zeroed; an all-zero channel stays zero
        INDArray edge = Nd4j.createFromArray(new float[][] {{0.5f, 0f}, {-0.5f, 0f}, {0.5f, 0f}, {0.5f, 0f}});
        Regularization.groupLasso(1.0).proximal(edge, 1, 1.0);
        assertArrayEquals(new float[8], flat(edge));
    }

    @Test
    void noneLeavesWeightsAloneAndNamesDecode() {
        INDArray w = Nd4j.createFromArray(new float[][] {{0.5f, -0.25f}});
        Regularization.none().proximal(w, 1, 10);
        assertArrayEquals(new float[] {0.5f, -0.25f}, flat(w));
        assertTrue(Regularization.none().isNone());
        assertEquals(Regularization.none(), Regularization.named("none", 0));
        assertEquals(Regularization.l1(0.1), Regularization.named("l1", 0.1));
        assertEquals(Regularization.groupLasso(0.3), Regularization.named("group_lasso", 0.3));
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Regularization.named("l3", 1));
        assertEquals("unknown regularization 'l3' (known: none, l1, group_lasso)", unknown.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> Regularization.l1(0));
        assertEquals("regularization strength must be finite and > 0, got 0.0", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Regularization.groupLasso(Double.NaN));
    }

    /** dense "fc" (4, ReLU) -> softmax "out" (3) on 5 inputs, Adam at learning rate 0.1, as a graph. */
    private static ComputationGraph mlp() {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(3).updater(new Adam(0.1)).list()
                .layer(new DenseLayer.Builder().name("fc").nOut(4).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(new LossMCXENT()).name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(5)).build());
        net.init();
        return MultiLayerConversion.toGraph(net);
    }

    @Test
    void applyUsesEachLayersLearningRateAndSkipsBiases() {
        ComputationGraph net = mlp();
        net.getLayer("fc").getParam("b").assign(0.05);
        INDArray w0 = net.getLayer("fc").getParam("W").dup();
        INDArray w1 = net.getLayer("out").getParam("W").dup();
        Regularization.l1(0.5).apply(net);
        // learning rate 0.1: threshold 0.05 on every weight of both layers
        Regularization.l1(1.0).proximal(w0, 1, 0.05);
        Regularization.l1(1.0).proximal(w1, 1, 0.05);
        assertArrayEquals(flat(w0), flat(net.getLayer("fc").getParam("W")));
        assertArrayEquals(flat(w1), flat(net.getLayer("out").getParam("W")));
        assertArrayEquals(new float[] {0.05f, 0.05f, 0.05f, 0.05f}, flat(net.getLayer("fc").getParam("b")));
    }

    @Test
    void groupLassoLeavesTheOutputLayersClassesAlone() {
        ComputationGraph net = mlp();
        INDArray out = net.getLayer("out").getParam("W").dup();
        Regularization.groupLasso(1000).apply(net);
        assertEquals(0.0, net.getLayer("fc").getParam("W").norm2Number().doubleValue(), "every hidden unit zeroed");
        assertArrayEquals(flat(out), flat(net.getLayer("out").getParam("W")), "output layer untouched");
    }
}
