package dev.kompakt.evaluator.cost;

import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.strategies.QuantizedActivation;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-counted costs of graphs built here. Every graph is also run once: each vertex's output elements must equal the
 * length of its activation in DL4J's own forward pass, so the shapes the model works out are the ones the graph makes.
 */
class GraphCostModelTest {
    private static NeuralNetConfiguration.Builder base() {
        return new NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.RELU).dataType(DataType.FLOAT);
    }

    private static OutputLayer softmax(int nOut) {
        return new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(nOut).activation(Activation.SOFTMAX).build();
    }

    private static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static Map<String, LayerCost> byName(List<LayerCost> costs) {
        Map<String, LayerCost> m = new LinkedHashMap<>();
        costs.forEach(c -> m.put(c.name(), c));
        return m;
    }

    /** Order, index and shapes: topological order without the input, index = position, outputs as DL4J computes them. */
    private static void assertStructure(ComputationGraph g, List<LayerCost> costs, INDArray example) {
        List<String> order = new ArrayList<>(g.getConfiguration().getTopologicalOrderStr());
        order.removeAll(g.getConfiguration().getNetworkInputs());
        assertEquals(order, costs.stream().map(LayerCost::name).toList());
        Map<String, INDArray> acts = g.feedForward(example, false);
        for (int i = 0; i < costs.size(); i++) {
            LayerCost c = costs.get(i);
            assertEquals(i, c.index(), c.name());
            assertEquals(acts.get(c.name()).length(), c.outputElements(), c.name() + " output elements vs DL4J's forward pass");
        }
    }

    private static void assertCost(LayerCost c, String kind, long macs, long otherOps, long weights, long biases, long storage,
                                   long in, long out) {
        String n = c.name();
        assertEquals(kind, c.kind(), n + " kind");
        assertEquals(macs, c.macs(), n + " MACs");
        assertEquals(otherOps, c.otherOps(), n + " other ops");
        assertEquals(weights, c.weights(), n + " weights");
        assertEquals(weights, c.nonzeroWeights(), n + " non-zero weights (fresh weights)");
        assertEquals(biases, c.biases(), n + " biases");
        assertEquals(storage, c.storageBytes(), n + " storage bytes");
        assertEquals(in, c.inputElements(), n + " input elements");
        assertEquals(out, c.outputElements(), n + " output elements");
        assertEquals(32, c.activationBits(), n + " activation bits");
    }

    // ------------------------------------------------------------------ (1) MLP 784-37-19-10

    @Test
    void mlp() {
        ComputationGraph g = init(base().graphBuilder().addInputs("in")
                .addLayer("fc1", new DenseLayer.Builder().nOut(37).activation(Activation.RELU).build(), "in")
                .addLayer("fc2", new DenseLayer.Builder().nOut(19).activation(Activation.RELU).build(), "fc1")
                .addLayer("out", softmax(10), "fc2")
                .setOutputs("out").setInputTypes(InputType.feedForward(784)).build());
        List<LayerCost> c = GraphCostModel.of(g, InputType.feedForward(784), Map.of());
        assertStructure(g, c, Nd4j.rand(DataType.FLOAT, 1, 784));
        assertEquals(3, c.size());
        // dense: MACs = in x out; one activation op per output; float storage = 4 x (weights + biases)
        assertCost(c.get(0), "dense", 784 * 37, 37, 784 * 37, 37, 4 * (784 * 37 + 37), 784, 37);
        assertCost(c.get(1), "dense", 37 * 19, 19, 37 * 19, 19, 4 * (37 * 19 + 19), 37, 19);
        assertCost(c.get(2), "dense", 19 * 10, 10, 19 * 10, 10, 4 * (19 * 10 + 10), 19, 10);
        assertEquals(784 * 37 + 37 * 19 + 19 * 10, CostModel.totalMacs(c)); // 29901
        assertEquals(29008 + 37 + 703 + 19 + 190 + 10, CostModel.totalParameters(c)); // 29967
        assertEquals(29967, CostModel.nonzeroParameters(c));
        assertEquals(4 * 29967, CostModel.totalStorageBytes(c));
    }

    // ------------------------------------------------------------------ (2) CNN on 3x20x24

    private static final InputType CNN_IN = InputType.convolutional(20, 24, 3);

    /**
     * c1: 3x3 Same stride 2, 3->16: 16x10x12 (ceil(20/2), ceil(24/2)); bn (ReLU); c2: 3x3 dilation 2 (effective 5x5),
     * padding 1, Truncate, 16->24: 24x8x10 ((10+2-5)+1, (12+2-5)+1); c3: 1x1 no bias, 24->32, identity: 32x8x10;
     * global average pool: 32; softmax 7.
     */
    private static ComputationGraph cnn() {
        return init(base().graphBuilder().addInputs("in")
                .addLayer("c1", new ConvolutionLayer.Builder(3, 3).stride(2, 2).convolutionMode(ConvolutionMode.Same).nOut(16)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().activation(Activation.RELU).build(), "c1")
                .addLayer("c2", new ConvolutionLayer.Builder(3, 3).dilation(2, 2).padding(1, 1).convolutionMode(ConvolutionMode.Truncate)
                        .nOut(24).activation(Activation.RELU).build(), "bn")
                .addLayer("c3", new ConvolutionLayer.Builder(1, 1).hasBias(false).nOut(32).activation(Activation.IDENTITY).build(), "c2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c3")
                .addLayer("out", softmax(7), "gap")
                .setOutputs("out").setInputTypes(CNN_IN).build());
    }

    @Test
    void cnnWithBatchNormAndGlobalPooling() {
        ComputationGraph g = cnn();
        List<LayerCost> c = GraphCostModel.of(g, CNN_IN, Map.of());
        assertStructure(g, c, Nd4j.rand(DataType.FLOAT, 1, 3, 20, 24));
        Map<String, LayerCost> m = byName(c);
        // c1: 16*10*12 = 1920 outputs x (3*3*3) taps; W 3*3*3*16 = 432, b 16
        assertCost(m.get("c1"), "conv", 16 * 10 * 12 * (3 * 3 * 3), 1920, 3 * 3 * 3 * 16, 16, 4 * (432 + 16), 3 * 20 * 24, 1920);
        // bn: gamma, beta, mean, var = 4*16 float parameters; 2 ops per element, and none for its configured ReLU, which
        // DL4J's batch norm never applies
        assertCost(m.get("bn"), "batchnorm", 0, 2 * 1920, 0, 4 * 16, 4 * 4 * 16, 1920, 1920);
        // c2: 24*8*10 = 1920 outputs x (3*3*16); W 3*3*16*24 = 3456, b 24
        assertCost(m.get("c2"), "conv", 24 * 8 * 10 * (3 * 3 * 16), 1920, 3 * 3 * 16 * 24, 24, 4 * (3456 + 24), 1920, 1920);
        // c3: 32*8*10 = 2560 outputs x 24; W 24*32 = 768, no bias, identity activation: no other ops
        assertCost(m.get("c3"), "conv", 32 * 8 * 10 * 24, 0, 24 * 32, 0, 4 * 768, 1920, 2560);
        // global pool reads every input element once
        assertCost(m.get("gap"), "pool", 0, 2560, 0, 0, 0, 2560, 32);
        assertCost(m.get("out"), "dense", 32 * 7, 7, 32 * 7, 7, 4 * (224 + 7), 32, 7);

        assertEquals(51840 + 276480 + 61440 + 224, CostModel.totalMacs(c)); // 389984
        assertEquals(448 + 64 + 3480 + 768 + 231, CostModel.totalParameters(c)); // 4991
        assertEquals(4 * 4991, CostModel.totalStorageBytes(c));
        assertEquals(g.numParams(), CostModel.totalParameters(c), "every parameter of the graph is counted once");
    }

    @Test
    void fourBitWeightsShrinkStorageWithPerChannelScales() {
        ComputationGraph g = cnn();
        Map<String, Integer> bits = Map.of("c1", 4, "bn", 4, "c2", 4, "c3", 4, "out", 4);
        Map<String, LayerCost> m = byName(GraphCostModel.of(g, CNN_IN, bits));
        // weights at 4 bits (dense format), one float scale per output channel, float biases
        assertEquals(432 * 4 / 8 + 16 * 4 + 16 * 4, m.get("c1").storageBytes()); // 344
        assertEquals(3456 * 4 / 8 + 24 * 4 + 24 * 4, m.get("c2").storageBytes()); // 1920
        assertEquals(768 * 4 / 8 + 32 * 4, m.get("c3").storageBytes()); // 512: no biases
        assertEquals(224 * 4 / 8 + 7 * 4 + 7 * 4, m.get("out").storageBytes()); // 168
        assertEquals(4 * 64, m.get("bn").storageBytes(), "batch-norm parameters stay float32");
        assertEquals(32, m.get("bn").weightBits());
        assertEquals(4, m.get("c2").weightBits());
        assertEquals(344 + 256 + 1920 + 512 + 168, CostModel.totalStorageBytes(m.values().stream().toList())); // 3200
        assertEquals(389984, CostModel.totalMacs(m.values().stream().toList()), "bits do not change the MACs");
    }

    @Test
    void sparseWeightsChangeNonzerosAndStorageAsSparseStorageSays() {
        ComputationGraph g = cnn();
        INDArray w = g.getLayer("c2").getParam("W"); // [24 out, 16 in, 3, 3]
        w.assign(0);
        w.get(NDArrayIndex.point(0), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).assign(0.5);
        LayerCost c2 = byName(GraphCostModel.of(g, CNN_IN, Map.of())).get("c2");
        assertEquals(3456, c2.weights());
        assertEquals(144, c2.nonzeroWeights(), "one output channel of 16*3*3 taps");
        // 24 rows x 144 cols, 144 non-zeros: dense 13824, bitmask ceil(3456/8) + 144*4 = 1008,
        // CSR 144*4 + 144*1 (1-byte columns) + 25*4 = 820; plus 24 float biases
        assertEquals(SparseStorage.Format.CSR, SparseStorage.smallest(24, 144, 144, 32).format());
        assertEquals(144 * 4 + 144 + 25 * 4 + 24 * 4, c2.storageBytes()); // 916
        assertEquals(24 * 8 * 10 * 144, c2.macs(), "MACs count the dense work");

        // half the output channels: 12*144 = 1728 non-zeros; bitmask 432 + 6912 = 7344 beats CSR 6912 + 1728 + 100
        w.get(NDArrayIndex.interval(0, 12), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all()).assign(-0.25);
        List<LayerCost> costs = GraphCostModel.of(g, CNN_IN, Map.of());
        c2 = byName(costs).get("c2");
        assertEquals(1728, c2.nonzeroWeights());
        assertEquals(3456 / 8 + 1728 * 4 + 24 * 4, c2.storageBytes()); // 7440
        assertEquals(4991 - 3456 + 1728, CostModel.nonzeroParameters(costs));
        assertEquals(4991, CostModel.totalParameters(costs));
        // and at 4 bits: bitmask 432 + 864 = 1296, CSR 864 + 1728 + 100 = 2692, dense 1728 -> bitmask; + 24 scales + 24 biases
        LayerCost q = byName(GraphCostModel.of(g, CNN_IN, Map.of("c2", 4))).get("c2");
        assertEquals(432 + 1728 * 4 / 8 + 24 * 4 + 24 * 4, q.storageBytes()); // 1488
    }

    // ------------------------------------------------------------------ (3) residual graph

    @Test
    void residualBlocksWithIdentityAndProjectionShortcuts() {
        InputType input = InputType.convolutional(8, 8, 4);
        ComputationGraph g = init(base().convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                .addLayer("stem", conv(3, 1, 8, Activation.RELU, true), "in")
                // block a: 8 -> 8, identity shortcut
                .addLayer("a_c1", conv(3, 1, 8, Activation.RELU, true), "stem")
                .addLayer("a_c2", conv(3, 1, 8, Activation.IDENTITY, true), "a_c1")
                .addVertex("a_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "a_c2", "stem")
                .addLayer("a_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "a_add")
                // block b: 8 -> 16, stride 2, 1x1 stride-2 projection shortcut without bias
                .addLayer("b_c1", conv(3, 2, 16, Activation.RELU, true), "a_relu")
                .addLayer("b_c2", conv(3, 1, 16, Activation.IDENTITY, true), "b_c1")
                .addLayer("b_proj", conv(1, 2, 16, Activation.IDENTITY, false), "a_relu")
                .addVertex("b_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "b_c2", "b_proj")
                .addLayer("b_relu", new ActivationLayer.Builder().activation(Activation.RELU).build(), "b_add")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "b_relu")
                .addLayer("out", softmax(5), "gap")
                .setOutputs("out").setInputTypes(input).build());
        List<LayerCost> c = GraphCostModel.of(g, input, Map.of());
        assertStructure(g, c, Nd4j.rand(DataType.FLOAT, 1, 4, 8, 8));
        Map<String, LayerCost> m = byName(c);
        // stem: 8*8*8 = 512 outputs x 3*3*4; W 3*3*4*8 = 288
        assertCost(m.get("stem"), "conv", 512 * 36, 512, 288, 8, 4 * 296, 4 * 8 * 8, 512);
        assertCost(m.get("a_c1"), "conv", 512 * 72, 512, 576, 8, 4 * 584, 512, 512);
        assertCost(m.get("a_c2"), "conv", 512 * 72, 0, 576, 8, 4 * 584, 512, 512);
        // add: reads both operands, one op per output
        assertCost(m.get("a_add"), "add", 0, 512, 0, 0, 0, 2 * 512, 512);
        assertCost(m.get("a_relu"), "activation", 0, 512, 0, 0, 0, 512, 512);
        // b_c1: 16*4*4 = 256 outputs x 3*3*8; W 3*3*8*16 = 1152
        assertCost(m.get("b_c1"), "conv", 256 * 72, 256, 1152, 16, 4 * 1168, 512, 256);
        assertCost(m.get("b_c2"), "conv", 256 * 144, 0, 2304, 16, 4 * 2320, 256, 256);
        // projection: 256 outputs x 8 inputs, W 8*16 = 128, no bias
        assertCost(m.get("b_proj"), "conv", 256 * 8, 0, 128, 0, 4 * 128, 512, 256);
        assertCost(m.get("b_add"), "add", 0, 256, 0, 0, 0, 2 * 256, 256);
        assertCost(m.get("b_relu"), "activation", 0, 256, 0, 0, 0, 256, 256);
        assertCost(m.get("gap"), "pool", 0, 256, 0, 0, 0, 256, 16);
        assertCost(m.get("out"), "dense", 80, 5, 80, 5, 4 * 85, 16, 5);

        assertEquals(18432 + 2 * 36864 + 18432 + 36864 + 2048 + 80, CostModel.totalMacs(c)); // 149584
        assertEquals(296 + 2 * 584 + 1168 + 2320 + 128 + 85, CostModel.totalParameters(c)); // 5165
        assertEquals(g.numParams(), CostModel.totalParameters(c));
        assertEquals(4 * 5165, CostModel.totalStorageBytes(c));
    }

    private static ConvolutionLayer conv(int k, int stride, int nOut, Activation act, boolean bias) {
        return new ConvolutionLayer.Builder(k, k).stride(stride, stride).nOut(nOut).activation(act).hasBias(bias).build();
    }

    // ------------------------------------------------------------------ (4) inverted residual, SE, separable, concat

    /**
     * Built without input types: DL4J's type check rejects the squeeze-excitation product of [N,24,8,8] by [N,24,1,1]
     * although its forward pass broadcasts it, so every layer states its nIn.
     */
    private static ComputationGraph mobile() {
        return init(base().convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("in")
                // block 1, stride 1: expand 8 -> 24, depthwise 3x3, squeeze-excitation, project 24 -> 8, residual add
                .addLayer("e1", new ConvolutionLayer.Builder(1, 1).nIn(8).nOut(24).activation(Activation.RELU).build(), "in")
                .addLayer("d1", new DepthwiseConvolution2D.Builder(3, 3).nIn(24).depthMultiplier(1).activation(Activation.RELU).build(), "e1")
                .addLayer("se_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(), "d1")
                .addLayer("se_fc1", new ConvolutionLayer.Builder(1, 1).nIn(24).nOut(6).activation(Activation.RELU).build(), "se_pool")
                .addLayer("se_fc2", new ConvolutionLayer.Builder(1, 1).nIn(6).nOut(24).activation(Activation.HARDSIGMOID).build(), "se_fc1")
                .addVertex("se_mul", new ElementWiseVertex(ElementWiseVertex.Op.Product), "d1", "se_fc2")
                .addLayer("p1", new ConvolutionLayer.Builder(1, 1).nIn(24).nOut(8).activation(Activation.IDENTITY).build(), "se_mul")
                .addVertex("add1", new ElementWiseVertex(ElementWiseVertex.Op.Add), "p1", "in")
                // block 2, stride 2, depth multiplier 2, no residual: 8 -> 24 -> 48 (4x4) -> 16
                .addLayer("e2", new ConvolutionLayer.Builder(1, 1).nIn(8).nOut(24).activation(Activation.RELU).build(), "add1")
                .addLayer("d2", new DepthwiseConvolution2D.Builder(3, 3).nIn(24).depthMultiplier(2).stride(2, 2)
                        .activation(Activation.RELU).build(), "e2")
                .addLayer("p2", new ConvolutionLayer.Builder(1, 1).nIn(48).nOut(16).activation(Activation.IDENTITY).build(), "d2")
                // separable 3x3, 16 -> 20 with multiplier 2, concatenated with its input
                .addLayer("sep", new SeparableConvolution2D.Builder(3, 3).nIn(16).nOut(20).depthMultiplier(2)
                        .activation(Activation.RELU).build(), "p2")
                .addVertex("cat", new MergeVertex(), "sep", "p2")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "cat")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(36).nOut(5)
                        .activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs("out").build());
    }

    private static final InputType MOBILE_IN = InputType.convolutional(8, 8, 8);

    @Test
    void invertedResidualWithSqueezeExcitationSeparableAndConcat() {
        ComputationGraph g = mobile();
        List<LayerCost> c = GraphCostModel.of(g, MOBILE_IN, Map.of());
        assertStructure(g, c, Nd4j.rand(DataType.FLOAT, 1, 8, 8, 8));
        Map<String, LayerCost> m = byName(c);
        // e1: 24*8*8 = 1536 outputs x 8 inputs; W 8*24 = 192, b 24
        assertCost(m.get("e1"), "conv", 1536 * 8, 1536, 192, 24, 4 * 216, 512, 1536);
        // d1: 1536 outputs x 3*3 taps; W 3*3*24 = 216, b 24
        assertCost(m.get("d1"), "depthwise", 1536 * 9, 1536, 216, 24, 4 * 240, 1536, 1536);
        // squeeze: [24,1,1] out, one op per input element
        assertCost(m.get("se_pool"), "pool", 0, 1536, 0, 0, 0, 1536, 24);
        assertCost(m.get("se_fc1"), "conv", 6 * 24, 6, 144, 6, 4 * 150, 24, 6);
        assertCost(m.get("se_fc2"), "conv", 24 * 6, 24, 144, 24, 4 * 168, 6, 24);
        // excitation: [24,8,8] x [24,1,1] broadcast; reads both operands at their own sizes, one multiply per output
        assertCost(m.get("se_mul"), "mul", 0, 1536, 0, 0, 0, 1536 + 24, 1536);
        assertCost(m.get("p1"), "conv", 512 * 24, 0, 192, 8, 4 * 200, 1536, 512);
        assertCost(m.get("add1"), "add", 0, 512, 0, 0, 0, 512 + 512, 512);
        assertCost(m.get("e2"), "conv", 1536 * 8, 1536, 192, 24, 4 * 216, 512, 1536);
        // d2: 48*4*4 = 768 outputs x 9; W 3*3*24*2 = 432, b 48 (rows = channels x multiplier)
        assertCost(m.get("d2"), "depthwise", 768 * 9, 768, 432, 48, 4 * 480, 1536, 768);
        assertCost(m.get("p2"), "conv", 256 * 48, 0, 768, 16, 4 * 784, 768, 256);
        // sep: depthwise part 4*4 positions x 32 channels x 9 = 4608, pointwise 20*4*4 outputs x 32 = 10240;
        // W 2*16*3*3 = 288, pW 20*32 = 640, b 20
        assertCost(m.get("sep"), "conv", 4608 + 10240, 320, 288 + 640, 20, 4 * (288 + 640 + 20), 256, 320);
        assertCost(m.get("cat"), "concat", 0, 0, 0, 0, 0, 320 + 256, 576);
        assertCost(m.get("gap"), "pool", 0, 576, 0, 0, 0, 576, 36);
        assertCost(m.get("out"), "dense", 36 * 5, 5, 180, 5, 4 * 185, 36, 5);

        assertEquals(12288 + 13824 + 144 + 144 + 12288 + 12288 + 6912 + 12288 + 14848 + 180, CostModel.totalMacs(c)); // 85204
        assertEquals(216 + 240 + 150 + 168 + 200 + 216 + 480 + 784 + 948 + 185, CostModel.totalParameters(c)); // 3587
        assertEquals(g.numParams(), CostModel.totalParameters(c));
        assertEquals(4 * 3587, CostModel.totalStorageBytes(c));
    }

    @Test
    void depthwiseAndSeparableTensorsAreStoredWithTheirOwnRows() {
        Map<String, LayerCost> m = byName(GraphCostModel.of(mobile(), MOBILE_IN, Map.of("d2", 4, "sep", 4, "p2", 4)));
        // d2: 48 rows (24 channels x multiplier 2) of 9 at 4 bits, 48 scales, 48 biases
        assertEquals(432 * 4 / 8 + 48 * 4 + 48 * 4, m.get("d2").storageBytes()); // 600
        // sep: W as 32 rows (16 x 2) of 9 with 32 scales, pW as 20 rows of 32 with 20 scales, 20 biases
        assertEquals(288 * 4 / 8 + 32 * 4 + 640 * 4 / 8 + 20 * 4 + 20 * 4, m.get("sep").storageBytes()); // 752
        assertEquals(768 * 4 / 8 + 16 * 4 + 16 * 4, m.get("p2").storageBytes()); // 512
        assertEquals(4 * 216, m.get("e2").storageBytes(), "vertices without bits stay float");
    }

    // ------------------------------------------------------------------ (5) the project's flat-input CNN

    @Test
    void flatInputCnnLayerByLayer() {
        // the built-in CNN at width 0.75 on flat 28x28 inputs: conv 5x5 (6) -> 24x24x6, pool 2 -> 12x12x6, conv 5x5 (12)
        // -> 8x8x12, pool 2 -> 4x4x12 = 192, dense 48, softmax 10
        Architecture arch = new Architecture(Architecture.Family.CNN, 0.75);
        ComputationGraph g = NetworkFactory.build(arch, 28, 28, 10, 3, 1e-3, null);
        new MagnitudePruner(MagnitudePruner.Scope.PER_LAYER).prune(g, 0.8);
        InputType input = NetworkFactory.inputType(arch, 28, 28);
        List<LayerCost> c = GraphCostModel.of(g, input, Map.of("conv1", 8, "conv2", 4, "fc1", 4), Map.of("conv1", 8, "pool1", 8, "conv2", 8));
        assertStructure(g, c, Nd4j.rand(DataType.FLOAT, 1, 28 * 28));

        // per-layer pruning keeps n - round(0.8 n) weights: conv1 150 -> 30, conv2 1800 -> 360, fc1 9216 -> 1843, out 480 -> 96.
        // Storage is the smallest of dense, bitmask and CSR (SparseStorage), plus a float32 scale per output channel when
        // quantized, plus float32 biases.
        // conv1: 3456 outputs x 25 taps; W 6x25 at 8 bits: bitmask ceil(150/8) + 30 = 49 (dense 150, CSR 30 + 30 + 7*4 = 88)
        assertEquals(new LayerCost(0, "conv1", "conv", 3456 * 25, 3456, 150, 30, 6, 8, 49 + 6 * 4 + 6 * 4, 784, 3456, 8), c.get(0));
        // pool1: 864 outputs x 4 comparisons
        assertEquals(new LayerCost(1, "pool1", "pool", 0, 864 * 4, 0, 0, 0, 32, 0, 3456, 864, 8), c.get(1));
        // conv2: 768 outputs x (6 x 25); W 12x150 at 4 bits: bitmask 225 + 180 = 405 (dense 900, CSR 180 + 360 + 13*4 = 592)
        assertEquals(new LayerCost(2, "conv2", "conv", 768 * 150, 768, 1800, 360, 12, 4, 405 + 12 * 4 + 12 * 4, 864, 768, 8), c.get(2));
        assertEquals(new LayerCost(3, "pool2", "pool", 0, 192 * 4, 0, 0, 0, 32, 0, 768, 192, 32), c.get(3));
        // fc1: W 48x192 at 4 bits: bitmask 1152 + ceil(1843*4/8) = 1152 + 922 = 2074 (dense 4608, CSR 922 + 1843 + 49*4 = 2961)
        assertEquals(new LayerCost(4, "fc1", "dense", 9216, 48, 9216, 1843, 48, 4, 2074 + 48 * 4 + 48 * 4, 192, 48, 32), c.get(4));
        // out: W 10x48 float: bitmask 60 + 96*4 = 444 (dense 1920, CSR 384 + 96 + 11*4 = 524)
        assertEquals(new LayerCost(5, "out", "dense", 480, 10, 480, 96, 10, 32, 444 + 10 * 4, 48, 10, 32), c.get(5));
        assertEquals(6, c.size());

        assertEquals(86400 + 115200 + 9216 + 480, CostModel.totalMacs(c)); // 211,296
        assertEquals(97 + 501 + 2458 + 484, CostModel.totalStorageBytes(c)); // 3540
        assertEquals(156 + 1812 + 9264 + 490, CostModel.totalParameters(c)); // 11,722
        assertEquals(g.numParams(), CostModel.totalParameters(c));
        assertEquals(36 + 372 + 1891 + 106, CostModel.nonzeroParameters(c)); // 2405
        // (the same CNN at width 1: 20,522 parameters and 337,024 MACs, counted layer by layer in CostModelTest)
    }

    // ------------------------------------------------------------------ layers without arithmetic, quantized activations

    @Test
    void paddingDropoutAndReshapeVerticesCostNothing() {
        InputType input = InputType.convolutional(6, 6, 2);
        ComputationGraph g = init(base().graphBuilder().addInputs("in")
                .addLayer("pad", new ZeroPaddingLayer.Builder(1, 1).build(), "in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.RELU).build(), "pad")
                .addLayer("drop", new DropoutLayer.Builder(0.5).build(), "conv")
                .addVertex("flat", new PreprocessorVertex(new CnnToFeedForwardPreProcessor(6, 6, 4)), "drop")
                .addLayer("out", softmax(3), "flat")
                .setOutputs("out").setInputTypes(input).build());
        List<LayerCost> c = GraphCostModel.of(g, input, Map.of());
        assertStructure(g, c, Nd4j.rand(DataType.FLOAT, 1, 2, 6, 6));
        Map<String, LayerCost> m = byName(c);
        // padding 1 on each side: 2x8x8 = 128 elements written, no arithmetic
        assertCost(m.get("pad"), "pad", 0, 0, 0, 0, 0, 2 * 6 * 6, 2 * 8 * 8);
        // conv 3x3 Truncate on 8x8: 4x6x6 = 144 outputs x 3*3*2
        assertCost(m.get("conv"), "conv", 144 * 18, 144, 72, 4, 4 * 76, 128, 144);
        assertCost(m.get("drop"), "identity", 0, 0, 0, 0, 0, 144, 144);
        assertCost(m.get("flat"), "reshape", 0, 0, 0, 0, 0, 144, 144);
        assertCost(m.get("out"), "dense", 144 * 3, 3, 432, 3, 4 * 435, 144, 3);
    }

    @Test
    void quantizedActivationsCountAsActivationsAndActivationBitsComeFromTheMap() {
        InputType input = InputType.convolutional(5, 5, 1);
        ComputationGraph g = init(base().graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(2)
                        .activation(new QuantizedActivation(new ActivationReLU(), 8, 0, 4)).build(), "in")
                .addLayer("act", new ActivationLayer.Builder().activation(new QuantizedActivation(new ActivationIdentity(), 8, -1, 1))
                        .build(), "conv")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "act")
                .addLayer("out", softmax(2), "gap")
                .setOutputs("out").setInputTypes(input).build());
        List<LayerCost> c = GraphCostModel.of(g, input, Map.of("conv", 8), Map.of("conv", 8, "act", 8));
        assertStructure(g, c, Nd4j.rand(DataType.FLOAT, 1, 1, 5, 5));
        Map<String, LayerCost> m = byName(c);
        // conv: 2x3x3 = 18 outputs x 9 taps, one op per output for the quantized ReLU
        assertEquals(18 * 9, m.get("conv").macs());
        assertEquals(18, m.get("conv").otherOps());
        assertEquals(18 * 8 / 8 + 2 * 4 + 2 * 4, m.get("conv").storageBytes());
        assertEquals("activation", m.get("act").kind());
        assertEquals(18, m.get("act").otherOps(), "a quantized identity still requantizes every element");
        assertTrue(m.get("conv").int8Compute());
        assertTrue(m.get("act").int8Compute());
        assertEquals(8, m.get("act").activationBits());
        assertEquals(32, m.get("gap").activationBits(), "activation bits come from the map, not from the activation function");
        assertFalse(m.get("out").int8Compute());
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void unsupportedLayersAndVerticesAreRefusedByName() {
        InputType input = InputType.convolutional(4, 4, 2);
        ComputationGraph up = init(base().graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.RELU).build(), "in")
                .addLayer("up", new Upsampling2D.Builder(2).build(), "conv")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "up")
                .addLayer("out", softmax(2), "gap")
                .setOutputs("out").setInputTypes(input).build());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphCostModel.of(up, input, Map.of()));
        assertTrue(e.getMessage().contains("'up'") && e.getMessage().contains("Upsampling2D")
                && e.getMessage().contains("SeparableConvolution2D"), e.getMessage());

        // subclasses of supported layers count differently and are refused too
        ComputationGraph deconv = init(base().graphBuilder().addInputs("in")
                .addLayer("deconv", new Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(3).activation(Activation.RELU).build(), "in")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "deconv")
                .addLayer("out", softmax(2), "gap")
                .setOutputs("out").setInputTypes(input).build());
        e = assertThrows(IllegalArgumentException.class, () -> GraphCostModel.of(deconv, input, Map.of()));
        assertTrue(e.getMessage().contains("'deconv'") && e.getMessage().contains("Deconvolution2D"), e.getMessage());

        ComputationGraph scale = init(base().graphBuilder().addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(1, 1).nOut(3).activation(Activation.RELU).build(), "in")
                .addVertex("scale", new ScaleVertex(0.5), "conv")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "scale")
                .addLayer("out", softmax(2), "gap")
                .setOutputs("out").setInputTypes(input).build());
        e = assertThrows(IllegalArgumentException.class, () -> GraphCostModel.of(scale, input, Map.of()));
        assertTrue(e.getMessage().contains("'scale'") && e.getMessage().contains("ScaleVertex"), e.getMessage());

        // bit maps must name vertices of the graph
        e = assertThrows(IllegalArgumentException.class, () -> GraphCostModel.of(cnn(), CNN_IN, Map.of("conv9", 8)));
        assertTrue(e.getMessage().contains("conv9"), e.getMessage());
    }
}
