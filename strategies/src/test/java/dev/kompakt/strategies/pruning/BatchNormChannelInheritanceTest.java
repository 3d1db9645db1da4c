package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.MultiLayerConversion;
import dev.kompakt.strategies.pruning.GraphChannelPruning.ChannelGroup;
import dev.kompakt.strategies.pruning.GraphChannelPruning.Selection;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
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
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured shrinking ({@link GraphChannelPruning}) through conv -> batch norm -> conv -> batch norm -> dense chains (a
 * sequential network converted by {@link MultiLayerConversion}), and the network-slimming criterion (|gamma| of the batch
 * norm after a layer).
 */
class BatchNormChannelInheritanceTest {
    // kept by |gamma|: bn1 {0, 2, 4}; bn2 {1, 3}
    static final float[] GAMMA1 = {0.9f, 0f, -1.2f, 0f, 0.5f, 0f};
    static final float[] BETA1 = {0.1f, 0f, -0.3f, 0f, 0.2f, 0f};
    static final float[] GAMMA2 = {0f, 2f, 0f, -0.7f};
    static final float[] BETA2 = {0f, 0.4f, 0f, 0.05f};

    /** conv3x3 (c1) -> BN (ReLU) -> conv3x3 (c2) -> BN (ReLU) -> dense 5 -> softmax 3, on 8x8 inputs, as a graph. */
    static ComputationGraph network(int c1, int c2, long seed, boolean logStd) {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3))
                .weightInit(WeightInit.XAVIER).list()
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv1").nOut(c1).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("bn1").useLogStd(logStd).activation(Activation.RELU).build())
                .layer(new ConvolutionLayer.Builder(3, 3).name("conv2").nOut(c2).activation(Activation.IDENTITY).build())
                .layer(new BatchNormalization.Builder().name("bn2").useLogStd(logStd).activation(Activation.RELU).build())
                .layer(new DenseLayer.Builder().name("fc").nOut(5).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(new LossMCXENT()).name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.convolutionalFlat(8, 8, 1)).build());
        net.init();
        return MultiLayerConversion.toGraph(net);
    }

    private static void set(ComputationGraph net, String layer, String key, float[] values) {
        INDArray p = net.getLayer(layer).getParam(key);
        p.assign(Nd4j.create(values, p.shape(), 'c'));
    }

    private static float[] get(ComputationGraph net, String layer, String key) {
        return net.getLayer(layer).getParam(key).dup('c').data().asFloat();
    }

    private static float[] pick(float[] v, int... idx) {
        float[] out = new float[idx.length];
        for (int k = 0; k < idx.length; k++) {
            out[k] = v[idx[k]];
        }
        return out;
    }

    /** A wide network whose zero-gamma channels have the largest filters, so L1 and bn_scale disagree. */
    static ComputationGraph slimmable(boolean logStd) {
        ComputationGraph wide = network(6, 4, 7, logStd);
        set(wide, "bn1", "gamma", GAMMA1);
        set(wide, "bn1", "beta", BETA1);
        set(wide, "bn2", "gamma", GAMMA2);
        set(wide, "bn2", "beta", BETA2);
        // running statistics away from their initial 0 and 1, so copying the wrong ones would show
        for (String layer : new String[] {"bn1", "bn2"}) {
            for (String key : wide.getLayer(layer).paramTable().keySet()) {
                if (!Set.of("gamma", "beta").contains(key)) {
                    INDArray p = wide.getLayer(layer).getParam(key);
                    p.assign(Nd4j.rand(DataType.FLOAT, p.shape()).muli(key.equals("mean") ? 0.5 : 0.3).addi(key.equals("mean") ? -0.2 : 0.1));
                }
            }
        }
        INDArray w1 = wide.getLayer("conv1").getParam("W");
        for (int c : new int[] {1, 3, 5}) {
            w1.slice(c).muli(10);
        }
        return wide;
    }

    /** The network's channel groups: each convolution with the batch norm after it, and the hidden dense layer. */
    private static List<ChannelGroup> groups(ComputationGraph net) {
        List<ChannelGroup> groups = GraphChannelPruning.groups(net);
        assertEquals(List.of(new ChannelGroup(List.of("conv1"), List.of("bn1"), 6), new ChannelGroup(List.of("conv2"), List.of("bn2"), 4),
                new ChannelGroup(List.of("fc"), List.of(), 5)), groups);
        return groups;
    }

    /**
     * Half of each convolution's channels (3 of 6, 2 of 4), the highest group scores by {@code criterion}, as
     * {@link GraphChannelPruning#select} ranks them; the dense layer keeps all its 5 (it has no selection).
     */
    private static List<Selection> halveConvolutions(ComputationGraph net, ImportanceCriterion criterion) {
        return groups(net).subList(0, 2).stream().map(g -> new Selection(g,
                ChannelInheritance.top(GraphChannelPruning.scores(net, g, criterion, Map.of()), g.channels() / 2))).toList();
    }

    @Test
    void batchNormParameterKeysAreThoseTheInheritanceCopies() {
        assertEquals(Set.of("gamma", "beta", "mean", "log10stdev"), network(2, 2, 1, true).getLayer("bn1").paramTable().keySet());
        assertEquals(Set.of("gamma", "beta", "mean", "var"), network(2, 2, 1, false).getLayer("bn1").paramTable().keySet());
    }

    @Test
    void bnScaleKeepsTheLargestGammasAndTheNarrowNetworkComputesTheSameOutputs() {
        for (boolean logStd : new boolean[] {true, false}) {
            ComputationGraph wide = slimmable(logStd);
            List<Selection> plan = halveConvolutions(wide, ImportanceCriterion.bnScale());
            assertArrayEquals(new int[] {0, 2, 4}, plan.get(0).kept());
            assertArrayEquals(new int[] {1, 3}, plan.get(1).kept());
            ComputationGraph narrow = GraphChannelPruning.prune(wide, plan);

            // shapes: the narrow batch-norm layers have the narrow channel counts
            assertArrayEquals(new long[] {3, 1, 3, 3}, narrow.getLayer("conv1").getParam("W").shape());
            assertEquals(3, narrow.getLayer("bn1").getParam("gamma").length());
            assertArrayEquals(new long[] {2, 3, 3, 3}, narrow.getLayer("conv2").getParam("W").shape());
            assertEquals(2, narrow.getLayer("bn2").getParam("gamma").length());
            assertArrayEquals(new long[] {2 * 4 * 4, 5}, narrow.getLayer("fc").getParam("W").shape());

            // the kept channels are those with the largest |gamma| (not the largest filters), with all their BN parameters
            float[][] wideConv1 = new float[6][];
            for (int c = 0; c < 6; c++) {
                wideConv1[c] = wide.getLayer("conv1").getParam("W").slice(c).dup('c').data().asFloat();
            }
            for (int k = 0; k < 3; k++) {
                assertArrayEquals(wideConv1[new int[] {0, 2, 4}[k]], narrow.getLayer("conv1").getParam("W").slice(k).dup('c').data().asFloat());
            }
            for (String key : wide.getLayer("bn1").paramTable().keySet()) {
                assertArrayEquals(pick(get(wide, "bn1", key), 0, 2, 4), get(narrow, "bn1", key), "bn1 " + key);
                assertArrayEquals(pick(get(wide, "bn2", key), 1, 3), get(narrow, "bn2", key), "bn2 " + key);
            }

            // the removed channels output exactly zero (gamma = beta = 0), so nothing downstream changes
            INDArray x = Nd4j.rand(DataType.FLOAT, 10, 64);
            INDArray expected = wide.outputSingle(false, x);
            INDArray actual = narrow.outputSingle(false, x);
            assertArrayEquals(expected.dup('c').data().asFloat(), actual.dup('c').data().asFloat(), 1e-5f, "logStd " + logStd);
        }
    }

    @Test
    void l1OnTheSameNetworkKeepsOtherChannelsButCopiesTheirBatchNorm() {
        ComputationGraph wide = slimmable(true);
        // select ranks every group; the dense layer keeps all its channels at ratio 1
        List<Selection> plan = GraphChannelPruning.select(wide, g -> g.producers().equals(List.of("fc")) ? 1.0 : 0.5,
                ImportanceCriterion.l1(), Map.of());
        assertEquals(groups(wide), plan.stream().map(Selection::group).toList());
        assertEquals(halveConvolutions(wide, ImportanceCriterion.l1()), plan.subList(0, 2));
        ComputationGraph narrow = GraphChannelPruning.prune(wide, plan);
        for (String key : wide.getLayer("bn1").paramTable().keySet()) {
            assertArrayEquals(pick(get(wide, "bn1", key), 1, 3, 5), get(narrow, "bn1", key), "bn1 " + key + " of the largest filters");
        }
        assertEquals(2, narrow.getLayer("bn2").getParam("gamma").length());
        assertEquals(5, narrow.getLayer("fc").getParam("W").size(1));
    }

    @Test
    void bnScaleWithoutBatchNormAfterTheLayerNamesIt() {
        MultiLayerNetwork mln = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().name("fc1").nOut(6).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(new LossMCXENT()).name("out").nOut(3).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(4)).build());
        mln.init();
        ComputationGraph wide = MultiLayerConversion.toGraph(mln);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphChannelPruning.select(wide, 0.5, ImportanceCriterion.named("bn_scale", 0), Map.of()));
        assertTrue(e.getMessage().startsWith("vertex 'fc1' is not followed by a batch normalisation"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImportanceCriterion.bnScale().scores(wide.getLayer("fc1").getParam("W"), 1, null));
        // the slimmable network's dense layer has no batch norm after it either: bn_scale over all its groups names it
        e = assertThrows(IllegalArgumentException.class,
                () -> GraphChannelPruning.select(slimmable(true), 0.5, ImportanceCriterion.bnScale(), Map.of()));
        assertTrue(e.getMessage().startsWith("vertex 'fc' is not followed by a batch normalisation"), e.getMessage());
    }

    @Test
    void bnScaleScoresAreTheAbsoluteGammas() {
        INDArray w = Nd4j.ones(DataType.FLOAT, 2, 3);
        ImportanceCriterion c = ImportanceCriterion.bnScale();
        assertTrue(c.needsBatchNormScale());
        assertArrayEquals(new double[] {0.5, 0, 2}, c.scores(w, 1, null, Nd4j.createFromArray(0.5f, 0f, -2f)), 1e-7);
        assertThrows(IllegalArgumentException.class, () -> c.scores(w, 1, null, Nd4j.createFromArray(1f, 2f)));
        assertEquals(List.of("l1", "l2", "taylor", "random", "bn_scale"), ImportanceCriterion.NAMES);
    }
}
