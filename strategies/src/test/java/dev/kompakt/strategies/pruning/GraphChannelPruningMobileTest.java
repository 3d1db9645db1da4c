package dev.kompakt.strategies.pruning;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Channel pruning of a MobileNet-style graph: depthwise and separable convolutions, squeeze-excitation (broadcast
 * product), a residual addition and a concatenation. Channels made dead by construction (zero weights, biases and
 * batch-norm scale/shift on every producer of their group) are removed, and the pruned graph computes exactly what the
 * original does.
 */
class GraphChannelPruningMobileTest {
    static ComputationGraph mobile() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).graphBuilder()
                .addInputs("input")
                .addLayer("stem", new ConvolutionLayer.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nIn(3).nOut(8)
                        .activation(Activation.IDENTITY).build(), "input")
                .addLayer("bn1", new BatchNormalization.Builder().nIn(8).nOut(8).activation(Activation.RELU6).build(), "stem")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nIn(8).nOut(8).depthMultiplier(1)
                        .activation(Activation.IDENTITY).build(), "bn1")
                .addLayer("bn2", new BatchNormalization.Builder().nIn(8).nOut(8).activation(Activation.RELU).build(), "dw")
                .addLayer("gp", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(), "bn2")
                .addLayer("se1", new ConvolutionLayer.Builder(1, 1).nIn(8).nOut(4).activation(Activation.RELU).build(), "gp")
                .addLayer("se2", new ConvolutionLayer.Builder(1, 1).nIn(4).nOut(8).activation(Activation.SIGMOID).build(), "se1")
                .addVertex("mul", new ElementWiseVertex(ElementWiseVertex.Op.Product), "bn2", "se2")
                .addLayer("proj", new ConvolutionLayer.Builder(1, 1).nIn(8).nOut(8).activation(Activation.IDENTITY).build(), "mul")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "proj", "bn1")
                .addLayer("sep", new SeparableConvolution2D.Builder(3, 3).convolutionMode(ConvolutionMode.Same).nIn(8).nOut(6)
                        .activation(Activation.RELU).build(), "add")
                .addVertex("cat", new MergeVertex(), "sep", "add")
                .addLayer("head", new ConvolutionLayer.Builder(1, 1).nIn(14).nOut(10).activation(Activation.RELU).build(), "cat")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "head")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(10).nOut(5).activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();   // nIn set by hand: DL4J's input-type inference refuses the broadcast product
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        // batch norm running statistics that are not the identity
        Nd4j.getRandom().setSeed(4);
        for (String bn : List.of("bn1", "bn2")) {
            Map<String, INDArray> p = g.getLayer(bn).paramTable();
            p.get("mean").assign(Nd4j.rand(DataType.FLOAT, 1, 8).subi(0.5));
            p.get("beta").assign(Nd4j.rand(DataType.FLOAT, 1, 8).subi(0.3));
            // the variance as the layer stores it (log10 of the standard deviation by default)
            String spread = p.containsKey("var") ? "var" : "log10stdev";
            p.get(spread).assign(spread.equals("var") ? Nd4j.rand(DataType.FLOAT, 1, 8).addi(0.5) : Nd4j.rand(DataType.FLOAT, 1, 8).subi(0.5).muli(0.4));
        }
        return g;
    }

    @Test
    void groupsFollowDepthwiseSqueezeExcitationResidualAndConcatenation() {
        List<GraphChannelPruning.ChannelGroup> groups = GraphChannelPruning.groups(mobile());
        assertEquals(List.of(List.of("stem", "se2", "proj"), List.of("se1"), List.of("sep"), List.of("head")),
                groups.stream().map(GraphChannelPruning.ChannelGroup::producers).toList());
        assertEquals(List.of("bn1", "bn2"), groups.get(0).batchNorms());
        assertEquals(List.of(8, 4, 6, 10), groups.stream().map(GraphChannelPruning.ChannelGroup::channels).toList());
    }

    @Test
    void deadChannelsAreRemovedWithoutChangingTheOutputs() {
        ComputationGraph g = mobile();
        // dead channels: group stem/se2/proj {1, 6}, se1 {2}, sep {0, 5}, head {3, 4, 9}
        kill(g, List.of("stem", "proj", "se2"), new int[] {1, 6}, 0);
        for (String bn : List.of("bn1", "bn2")) {
            zero(g.getLayer(bn).getParam("gamma"), new int[] {1, 6});
            zero(g.getLayer(bn).getParam("beta"), new int[] {1, 6});
        }
        zero(g.getLayer("dw").getParam("b"), new int[] {1, 6});
        kill(g, List.of("se1"), new int[] {2}, 0);
        kill(g, List.of("head"), new int[] {3, 4, 9}, 0);
        for (int c : new int[] {0, 5}) {
            g.getLayer("sep").getParam("pW").get(NDArrayIndex.point(c)).assign(0);
        }
        zero(g.getLayer("sep").getParam("b"), new int[] {0, 5});

        Map<String, int[]> dead = Map.of("stem", new int[] {1, 6}, "se1", new int[] {2}, "sep", new int[] {0, 5}, "head", new int[] {3, 4, 9});
        List<GraphChannelPruning.Selection> selections = new ArrayList<>();
        for (GraphChannelPruning.ChannelGroup group : GraphChannelPruning.groups(g)) {
            Set<Integer> gone = IntStream.of(dead.get(group.producers().get(0))).boxed().collect(java.util.stream.Collectors.toSet());
            selections.add(new GraphChannelPruning.Selection(group, IntStream.range(0, group.channels()).filter(c -> !gone.contains(c)).toArray()));
        }
        ComputationGraph pruned = GraphChannelPruning.prune(g, selections);

        assertEquals(g.getConfiguration().getVertices().keySet(), pruned.getConfiguration().getVertices().keySet(), "same topology");
        assertEquals(6, pruned.getLayer("stem").getParam("W").size(0));
        assertEquals(6, pruned.getLayer("dw").getParam("W").size(2));
        assertEquals(3, pruned.getLayer("se1").getParam("W").size(0));
        assertEquals(4, pruned.getLayer("sep").getParam("pW").size(0));
        assertEquals(6, pruned.getLayer("sep").getParam("W").size(1), "the separable's depthwise part reads the 6 kept channels of 'add'");
        assertEquals(4 + 6, pruned.getLayer("head").getParam("W").size(1), "head reads the concatenation of sep's 4 and add's 6 channels");
        assertTrue(pruned.numParams() < g.numParams());

        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 3, 12, 12);
        INDArray expected = g.outputSingle(false, x);
        INDArray actual = pruned.outputSingle(false, x);
        assertTrue(expected.equalsWithEps(actual, 1e-5), "pruned outputs\n" + actual + "\nvs\n" + expected);
    }

    @Test
    void l1SelectionPrunesEveryGroupAndTheGraphRuns() {
        ComputationGraph g = mobile();
        ComputationGraph pruned = GraphChannelPruning.prune(g, 0.5, ImportanceCriterion.l1());
        assertEquals(4, pruned.getLayer("stem").getParam("W").size(0));
        assertEquals(3, pruned.getLayer("sep").getParam("pW").size(0));
        INDArray out = pruned.outputSingle(false, Nd4j.rand(DataType.FLOAT, 2, 3, 12, 12));
        assertEquals(5, out.size(1));
    }

    /** Zeroes output channels {@code channels} (axis {@code axis}) of each layer's W and its bias. */
    private static void kill(ComputationGraph g, List<String> layers, int[] channels, int axis) {
        for (String l : layers) {
            for (int c : channels) {
                g.getLayer(l).getParam("W").get(NDArrayIndex.point(c)).assign(0);
            }
            zero(g.getLayer(l).getParam("b"), channels);
        }
    }

    /** Zeroes elements {@code idx} of a vector (rank 1, or a [1, n] row). */
    private static void zero(INDArray vector, int[] idx) {
        for (int c : idx) {
            vector.putScalar(c, 0.0);
        }
    }
}
