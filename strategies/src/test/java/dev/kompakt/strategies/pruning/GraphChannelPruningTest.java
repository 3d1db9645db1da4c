package dev.kompakt.strategies.pruning;

import dev.kompakt.strategies.pruning.GraphChannelPruning.ChannelGroup;
import dev.kompakt.strategies.pruning.GraphChannelPruning.Selection;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Residual-aware structured pruning of ComputationGraphs: groups, shapes, parameter counts, exactness, training, errors. */
class GraphChannelPruningTest {
    static final int W = 8;
    static final int WIDE = 16;

    @Test
    void residualGroupsTieTheAddedChannelsTogether() {
        List<ChannelGroup> groups = GraphChannelPruning.groups(ResidualGraphs.residual(W, WIDE, 1));
        assertEquals(List.of(
                new ChannelGroup(List.of("stem", "b1_conv2", "b2_conv2"), List.of("stem_bn", "b1_bn2", "b2_bn2"), W),
                new ChannelGroup(List.of("b1_conv1"), List.of("b1_bn1"), W),
                new ChannelGroup(List.of("b2_conv1"), List.of("b2_bn1"), W),
                new ChannelGroup(List.of("b3_conv1"), List.of("b3_bn1"), WIDE),
                new ChannelGroup(List.of("b3_conv2", "b3_proj"), List.of("b3_bn2", "b3_proj_bn"), WIDE)), groups);
    }

    @Test
    void prunedResidualGraphHasTheHandCountedShapesAndRuns() {
        ComputationGraph g = ResidualGraphs.residual(W, WIDE, 2);
        assertEquals(ResidualGraphs.residualParams(W, W, W, WIDE, WIDE), g.numParams());
        ComputationGraph p = GraphChannelPruning.prune(g, 0.5, ImportanceCriterion.l1());

        assertEquals(ResidualGraphs.residualParams(4, 4, 4, 8, 8), p.numParams());
        System.out.printf("residual graph params: %d -> %d%n", g.numParams(), p.numParams());
        assertArrayEquals(new long[] {4, 1, 3, 3}, p.getLayer("stem").getParam("W").shape());
        assertArrayEquals(new long[] {4, 4, 3, 3}, p.getLayer("b1_conv1").getParam("W").shape());
        assertArrayEquals(new long[] {4, 4, 3, 3}, p.getLayer("b2_conv2").getParam("W").shape());
        assertArrayEquals(new long[] {8, 4, 3, 3}, p.getLayer("b3_conv1").getParam("W").shape());
        assertArrayEquals(new long[] {8, 8, 3, 3}, p.getLayer("b3_conv2").getParam("W").shape());
        assertArrayEquals(new long[] {8, 4, 1, 1}, p.getLayer("b3_proj").getParam("W").shape());
        assertArrayEquals(new long[] {8, 10}, p.getLayer("out").getParam("W").shape());
        for (String bn : List.of("stem_bn", "b1_bn1", "b1_bn2", "b2_bn1", "b2_bn2")) {
            assertEquals(4, p.getLayer(bn).getParam("gamma").length(), bn);
            assertEquals(4, p.getLayer(bn).getParam("log10stdev").length(), bn);
        }
        for (String bn : List.of("b3_bn1", "b3_bn2", "b3_proj_bn")) {
            assertEquals(8, p.getLayer(bn).getParam("mean").length(), bn);
        }
        assertEquals(4, layerConf(p, "b1_conv1").getNIn());
        assertEquals(4, layerConf(p, "b1_conv1").getNOut());
        assertEquals(8, layerConf(p, "out").getNIn());

        INDArray out = p.outputSingle(Nd4j.rand(DataType.FLOAT, 3, 1, 28, 28));
        assertArrayEquals(new long[] {3, 10}, out.shape());
        // the original is untouched
        assertEquals(ResidualGraphs.residualParams(W, W, W, WIDE, WIDE), g.numParams());
        assertArrayEquals(new long[] {W, 1, 3, 3}, g.getLayer("stem").getParam("W").shape());
    }

    @Test
    void removingDeadChannelsFromTheResidualGraphKeepsItsOutputs() {
        ComputationGraph g = ResidualGraphs.residual(W, WIDE, 3);
        randomiseBatchNorm(g, 30);
        List<Selection> plan = GraphChannelPruning.select(g, 0.5, ImportanceCriterion.l1(), Map.of());
        kill(g, plan);
        ComputationGraph p = GraphChannelPruning.prune(g, plan);

        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 1, 28, 28).subi(0.3);
        float err = maxAbsDiff(g.outputSingle(x), p.outputSingle(x));
        // the pooled features of the kept channels, before the softmax compresses differences
        int[] kept = plan.get(4).kept();
        INDArray wideGap = g.feedForward(x, false).get("gap");
        INDArray narrowGap = p.feedForward(x, false).get("gap");
        float gapErr = maxAbsDiff(wideGap.getColumns(kept), narrowGap);
        System.out.printf("residual exactness: max |softmax diff| %.3e, max |pooled feature diff| %.3e%n", err, gapErr);
        assertTrue(err < 1e-4, "softmax outputs differ by " + err);
        assertTrue(gapErr < 1e-4, "pooled features differ by " + gapErr);
        assertTrue(wideGap.getColumns(kept).amaxNumber().doubleValue() > 1e-2, "the kept features carry signal");
        // and the removed channels were what mattered: pruning other channels of the dead graph changes its outputs
        List<Selection> other = plan.stream().map(s -> new Selection(s.group(), complement(s.kept(), s.group().channels()))).toList();
        assertTrue(maxAbsDiff(g.outputSingle(x), GraphChannelPruning.prune(g, other).outputSingle(x)) > 1e-3);
    }

    @Test
    void flatteningChainKeepsTheChannelMajorRowsOfTheDenseLayer() {
        ComputationGraph g = ResidualGraphs.flattening(6, 12, 8, 4);
        randomiseBatchNorm(g, 31);
        List<ChannelGroup> groups = GraphChannelPruning.groups(g);
        assertEquals(List.of(new ChannelGroup(List.of("c1"), List.of("bn1"), 6), new ChannelGroup(List.of("fc1"), List.of(), 12),
                new ChannelGroup(List.of("fc2"), List.of(), 8)), groups);
        List<Selection> plan = List.of(new Selection(groups.get(0), new int[] {1, 2, 5}), new Selection(groups.get(1), new int[] {0, 3, 4, 7, 8, 11}),
                new Selection(groups.get(2), new int[] {2, 6}));
        kill(g, plan);
        ComputationGraph p = GraphChannelPruning.prune(g, plan);

        assertArrayEquals(new long[] {3 * 5 * 5, 6}, p.getLayer("fc1").getParam("W").shape());
        assertArrayEquals(new long[] {6, 2}, p.getLayer("fc2").getParam("W").shape());
        assertArrayEquals(new long[] {2, 10}, p.getLayer("out").getParam("W").shape());
        assertEquals(3, ((CnnToFeedForwardPreProcessor) ((LayerVertex) p.getConfiguration().getVertices().get("fc1")).getPreProcessor()).getNumChannels());
        // rows of kept channel 2 are wide rows 50..74 (channel-major, then height, then width)
        assertArrayEquals(g.getLayer("fc1").getParam("W").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(50, 75),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(3)).dup('c').data().asFloat(),
                p.getLayer("fc1").getParam("W").get(org.nd4j.linalg.indexing.NDArrayIndex.interval(25, 50),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(1)).dup('c').data().asFloat());
        assertEquals(ResidualGraphs.convCount(3, 1, 3) + 12 + 75L * 6 + 6 + 6 * 2 + 2 + 2 * 10 + 10, p.numParams());

        INDArray x = Nd4j.rand(DataType.FLOAT, 16, 1, 10, 10);
        float err = maxAbsDiff(g.outputSingle(x), p.outputSingle(x));
        System.out.printf("flattening exactness: max |softmax diff| %.3g%n", err);
        assertTrue(err < 1e-5, "outputs differ by " + err);
    }

    @Test
    void l1PruningOfATrainedResidualGraphHalvesTheWidthsAndFineTunes() throws IOException {
        DataSet train = fashion("train", 2048);
        DataSet test = fashion("t10k", 1000);
        ComputationGraph g = ResidualGraphs.residual(W, WIDE, 5);
        int steps = 0;
        long t0 = System.nanoTime();
        for (int epoch = 0; epoch < 4; epoch++) {
            for (DataSet batch : train.batchBy(32)) {
                g.fit(batch);
                steps++;
            }
        }
        double trainedAcc = accuracy(g, test);
        long convBefore = convParams(g);
        ComputationGraph p = GraphChannelPruning.prune(g, 0.5, ImportanceCriterion.l1());
        long convAfter = convParams(p);
        double prunedAcc = accuracy(p, test);
        double scoreBefore = p.score(train.sample(256, Nd4j.getRandomFactory().getNewRandomInstance(1)));
        for (DataSet batch : train.batchBy(32)) {
            p.fit(batch);
        }
        double tunedAcc = accuracy(p, test);
        System.out.printf("trained %d steps in %.1f s: accuracy %.3f; L1 50%%: conv params %d -> %d (%.3f), all params %d -> %d,"
                        + " accuracy %.3f, after 1 fine-tuning epoch %.3f%n", steps, (System.nanoTime() - t0) / 1e9, trainedAcc,
                convBefore, convAfter, (double) convAfter / convBefore, g.numParams(), p.numParams(), prunedAcc, tunedAcc);

        assertTrue(trainedAcc > 0.55, "training reached " + trainedAcc);
        assertEquals(ResidualGraphs.residualConvParams(W, W, W, WIDE, WIDE), convBefore);
        // halving both the input and output channels of a conv quarters its weights: only the stem (1 input) halves
        assertEquals(ResidualGraphs.residualConvParams(4, 4, 4, 8, 8), convAfter);
        assertTrue(Double.isFinite(scoreBefore));
        assertTrue(Double.isFinite(p.score()));
        // a tiny network loses most of its accuracy when half of every group goes; one epoch of fit() recovers part of it
        assertTrue(tunedAcc > 0.2 && tunedAcc > prunedAcc, "fine-tuned pruned graph reached " + tunedAcc + " from " + prunedAcc);
    }

    @Test
    void pruningIsDeterministic() {
        ComputationGraph g = ResidualGraphs.residual(W, WIDE, 6);
        for (ImportanceCriterion c : List.of(ImportanceCriterion.l1(), ImportanceCriterion.random(9), ImportanceCriterion.bnScale())) {
            randomiseBatchNorm(g, 32);
            ComputationGraph a = GraphChannelPruning.prune(g, 0.5, c);
            ComputationGraph b = GraphChannelPruning.prune(g, 0.5, c);
            assertArrayEquals(a.params().dup('c').data().asFloat(), b.params().dup('c').data().asFloat());
            assertEquals(GraphChannelPruning.select(g, 0.5, c, Map.of()), GraphChannelPruning.select(g, 0.5, c, Map.of()));
        }
    }

    @Test
    void groupScoresSumTheProducersScoresAndKeepAtLeastOneChannel() {
        ComputationGraph g = ResidualGraphs.residual(W, WIDE, 7);
        ChannelGroup stem = GraphChannelPruning.groups(g).get(0);
        double[] sum = new double[W];
        for (String p : stem.producers()) {
            double[] s = ImportanceCriterion.l1().scores(g.getLayer(p).getParam("W"), 0, null);
            for (int c = 0; c < W; c++) {
                sum[c] += s[c];
            }
        }
        assertArrayEquals(sum, GraphChannelPruning.scores(g, stem, ImportanceCriterion.l1(), Map.of()), 1e-9);
        // bn_scale sums |gamma| of the batch norms right after each producer
        g.getLayer("b1_bn2").getParam("gamma").putScalar(5, 7.0);
        assertEquals(1 + 7 + 1, GraphChannelPruning.scores(g, stem, ImportanceCriterion.bnScale(), Map.of())[5], 1e-6);

        for (Selection s : GraphChannelPruning.select(g, 0.01, ImportanceCriterion.l1(), Map.of())) {
            assertEquals(1, s.kept().length);
        }
        assertEquals(3, GraphChannelPruning.keepCount(5, 0.5));
        assertThrows(IllegalArgumentException.class, () -> GraphChannelPruning.select(g, 0, ImportanceCriterion.l1(), Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new Selection(stem, new int[] {3, 1}));
        assertThrows(IllegalArgumentException.class, () -> new Selection(stem, new int[] {W}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphChannelPruning.prune(g,
                List.of(new Selection(new ChannelGroup(List.of("stem"), List.of("stem_bn"), W), new int[] {0}))));
        assertTrue(e.getMessage().startsWith("group [stem] is not a channel group of this graph"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GraphChannelPruning.prune(g, 0.5, ImportanceCriterion.taylor()));
        assertTrue(e.getMessage().contains("gradients"), e.getMessage());
    }

    @Test
    void unsupportedVerticesAreRefusedByName() {
        ComputationGraph subset = new ComputationGraph(base()
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in")
                .addVertex("half", new org.deeplearning4j.nn.conf.graph.ScaleVertex(2.0), "a")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "half")
                .addLayer("out", output(), "gap").setOutputs("out").build());
        subset.init();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GraphChannelPruning.groups(subset));
        assertTrue(e.getMessage().startsWith("vertex 'half': ScaleVertex is not supported"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GraphChannelPruning.prune(subset, 0.5, ImportanceCriterion.l1()));

        ComputationGraph depthwise = new ComputationGraph(base()
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in")
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).build(), "a")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "dw")
                .addLayer("out", output(), "gap").setOutputs("out").build());
        depthwise.init();
        e = assertThrows(IllegalArgumentException.class, () -> GraphChannelPruning.groups(depthwise));
        assertTrue(e.getMessage().startsWith("vertex 'dw': only NCHW depthwise convolutions with depth multiplier 1"), e.getMessage());
    }

    @Test
    void channelsAddedToTheNetworkInputAreNotPruned() {
        ComputationGraph g = new ComputationGraph(base()
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).nOut(1).build(), "in")
                .addLayer("b", new ConvolutionLayer.Builder(3, 3).nOut(4).build(), "in")
                .addVertex("add", new ElementWiseVertex(ElementWiseVertex.Op.Add), "in", "a")
                .addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "b")
                .addLayer("gap2", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "add")
                .addLayer("out", output(), "gap").addLayer("out2", output(), "gap2").setOutputs("out", "out2").build());
        g.init();
        assertEquals(List.of(new ChannelGroup(List.of("b"), List.of(), 4)), GraphChannelPruning.groups(g));
        ComputationGraph p = GraphChannelPruning.prune(g, 0.5, ImportanceCriterion.l2());
        assertArrayEquals(new long[] {1, 1, 3, 3}, p.getLayer("a").getParam("W").shape());
        assertArrayEquals(new long[] {2, 1, 3, 3}, p.getLayer("b").getParam("W").shape());
        assertEquals(2, p.output(Nd4j.rand(DataType.FLOAT, 2, 1, 8, 8)).length);
    }

    // ---- helpers

    private static org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder base() {
        return new NeuralNetConfiguration.Builder().seed(1).convolutionMode(ConvolutionMode.Same).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(8, 8, 1));
    }

    private static OutputLayer output() {
        return new OutputLayer.Builder(new LossMCXENT()).nOut(3).activation(Activation.SOFTMAX).build();
    }

    private static org.deeplearning4j.nn.conf.layers.FeedForwardLayer layerConf(ComputationGraph g, String name) {
        return (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) ((LayerVertex) g.getConfiguration().getVertices().get(name)).getLayerConf().getLayer();
    }

    /** Running statistics, scales and shifts away from their initial values, so copying the wrong ones would show. */
    private static void randomiseBatchNorm(ComputationGraph g, long seed) {
        Nd4j.getRandom().setSeed(seed);
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BatchNormalization) {
                l.getParam("gamma").assign(Nd4j.rand(DataType.FLOAT, l.getParam("gamma").shape()).addi(0.5));
                l.getParam("beta").assign(Nd4j.rand(DataType.FLOAT, l.getParam("beta").shape()).subi(0.3));
                l.getParam("mean").assign(Nd4j.rand(DataType.FLOAT, l.getParam("mean").shape()).subi(0.5));
                INDArray logStd = l.getParam("log10stdev");   // DL4J's default; "var" when useLogStd(false)
                INDArray spread = logStd != null ? logStd : l.getParam("var");
                spread.assign(Nd4j.rand(DataType.FLOAT, spread.shape()).muli(0.6).addi(logStd != null ? -0.2 : 0.1));
            }
        }
    }

    /**
     * Makes the channels a plan removes output exactly zero: their filters and biases are zeroed in every producer of the
     * group, and their batch-norm gamma and beta (a BN channel computes gamma * (x - mean) / sqrt(var + eps) + beta, which is
     * 0 for any running mean and variance when gamma = beta = 0). ReLU(0) = 0 and sums of zeros are zero, so the removed
     * channels contribute nothing to any consumer.
     */
    private static void kill(ComputationGraph g, List<Selection> plan) {
        for (Selection s : plan) {
            for (int c : complement(s.kept(), s.group().channels())) {
                for (String p : s.group().producers()) {
                    INDArray w = g.getLayer(p).getParam("W");
                    if (w.rank() == 4) {
                        w.slice(c).assign(0);
                    } else {
                        w.getColumn(c).assign(0);
                    }
                    g.getLayer(p).getParam("b").putScalar(c, 0);
                }
                for (String bn : s.group().batchNorms()) {
                    g.getLayer(bn).getParam("gamma").putScalar(c, 0);
                    g.getLayer(bn).getParam("beta").putScalar(c, 0);
                }
            }
        }
    }

    private static int[] complement(int[] kept, int n) {
        return java.util.stream.IntStream.range(0, n).filter(c -> Arrays.stream(kept).noneMatch(k -> k == c)).toArray();
    }

    private static float maxAbsDiff(INDArray a, INDArray b) {
        assertArrayEquals(a.shape(), b.shape());
        return a.sub(b).amaxNumber().floatValue();
    }

    private static long convParams(ComputationGraph g) {
        long n = 0;
        for (org.deeplearning4j.nn.api.Layer l : g.getLayers()) {
            if (l.conf().getLayer() instanceof ConvolutionLayer) {
                n += l.numParams();
            }
        }
        return n;
    }

    private static double accuracy(ComputationGraph g, DataSet d) {
        INDArray predicted = g.outputSingle(d.getFeatures()).argMax(1);
        INDArray actual = d.getLabels().argMax(1);
        return predicted.eq(actual).castTo(DataType.INT32).sumNumber().doubleValue() / d.numExamples();
    }

    /** The first {@code n} images of the Fashion-MNIST subset bundled with the experiments module, scaled to [0, 1]. */
    private static DataSet fashion(String prefix, int n) throws IOException {
        Path dir = Path.of("..", "experiments", "data", "fashion-mnist-subset");
        try (DataInputStream img = new DataInputStream(new GZIPInputStream(Files.newInputStream(dir.resolve(prefix + "-images-idx3-ubyte.gz"))));
             DataInputStream lab = new DataInputStream(new GZIPInputStream(Files.newInputStream(dir.resolve(prefix + "-labels-idx1-ubyte.gz"))))) {
            assertEquals(2051, img.readInt());
            int count = Math.min(n, img.readInt());
            int rows = img.readInt();
            int cols = img.readInt();
            assertEquals(2049, lab.readInt());
            assertTrue(lab.readInt() >= count);
            byte[] px = new byte[count * rows * cols];
            img.readFully(px);
            byte[] labels = new byte[count];
            lab.readFully(labels);
            float[] f = new float[px.length];
            for (int i = 0; i < px.length; i++) {
                f[i] = (px[i] & 0xff) / 255f;
            }
            float[] y = new float[count * 10];
            for (int i = 0; i < count; i++) {
                y[i * 10 + labels[i]] = 1;
            }
            assertNotEquals(0, count);
            return new DataSet(Nd4j.create(f, new long[] {count, 1, rows, cols}, 'c'), Nd4j.create(y, new long[] {count, 10}, 'c'));
        }
    }
}
