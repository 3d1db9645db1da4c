package dev.kompakt.strategies.architecture;

import dev.kompakt.strategies.HardSwish;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Act;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Plan;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Stage;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

/**
 * The built-in network families as DL4J {@link ComputationGraph}s, channels-first, taking flat rows of
 * {@code channels x height x width} pixels (the stem reshapes them). Every family is a stem (3x3 convolution, batch
 * normalisation, activation), {@value ArchitectureStrategy#STAGES} stages whose first block halves the resolution, and a
 * head (global average pooling, softmax dense layer). Convolutions are linear and followed by batch normalisation, then
 * an {@link ActivationLayer} where the block has one (DL4J's batch-norm layer applies no activation). Blocks, for input
 * {@code c} channels, output {@code o}, kernel {@code k}, stride {@code s}, expansion {@code e}:
 * <ul>
 *   <li><b>resnet</b> (He et al. 2016, basic block): k x k conv (stride s) BN act, k x k conv BN, plus the input (a 1x1
 *       conv with stride s and BN when the shape changes), act;</li>
 *   <li><b>mobilenet</b> (MobileNetV2 inverted residual with MobileNetV3's squeeze-excitation): 1x1 conv to {@code e*c} BN
 *       act (absent when e = 1), k x k depthwise (stride s) BN act, optional squeeze-excitation (global average, 1x1 conv to
 *       a quarter with ReLU, 1x1 conv back with hard-sigmoid, multiplied onto the map), 1x1 conv to o BN (linear), plus
 *       the input when s = 1 and c = o;</li>
 *   <li><b>ghostnet</b> (Han et al. 2020, ghost bottleneck): ghost module to {@code e*c} with act, a k x k depthwise
 *       conv with stride 2 and BN in the first block of a stage, optional squeeze-excitation, ghost module to o without
 *       act, plus the input (or, when the shape changes, a k x k depthwise conv with stride s, BN, 1x1 conv, BN). A ghost
 *       module to n channels is a 1x1 primary conv to n/2 BN [act] and a cheap k x k depthwise conv of those BN [act],
 *       concatenated;</li>
 *   <li><b>shufflenet</b> (Ma et al. 2018, ShuffleNetV2 units): in a stage's first block both branches see the input (left:
 *       k x k depthwise with stride s BN, 1x1 conv to o/2 BN act; right: 1x1 conv to o/2 BN act, k x k depthwise with stride
 *       s BN, 1x1 conv BN act), else the channels are split in halves and only the right half goes through the right
 *       branch; the halves are concatenated and shuffled ({@link ChannelShuffleVertex}, 2 groups).</li>
 * </ul>
 * Channel counts are even (ghost modules halve them), at least {@value #MIN_CHANNELS}. Layer names say where they are:
 * {@code s2b1_dw} is the depthwise convolution of stage 2's first block.
 */
public final class Families {
    /** The smallest input height (three stride-2 stages). */
    public static final int MIN_RESOLUTION = 8;
    public static final int MIN_CHANNELS = 4;
    /** Expansion of inverted-residual and ghost blocks in compound scaling when the space has none. */
    public static final int DEFAULT_EXPANSION = 4;
    static final int[] RESNET_CHANNELS = {16, 32, 64};
    static final int[] MOBILE_CHANNELS = {16, 24, 40};
    static final int[] SHUFFLE_CHANNELS = {24, 48, 96};
    static final int[] BASE_DEPTHS = {1, 2, 2};
    /** The output layer's name. */
    public static final String OUTPUT = "out";

    private Families() {
    }

    /** A stage's base depth (compound scaling multiplies it). */
    public static int baseDepth(int stage) {
        return BASE_DEPTHS[stage];
    }

    /** Output channels of stage {@code stage} (0-based) of {@code family} at width multiplier {@code width}. */
    public static int channels(Family family, int stage, double width) {
        int base = (family == Family.RESNET ? RESNET_CHANNELS : family == Family.SHUFFLENET ? SHUFFLE_CHANNELS : MOBILE_CHANNELS)[stage];
        return even(base * width);
    }

    static int even(double c) {
        return Math.max(MIN_CHANNELS, 2 * (int) Math.round(c / 2));
    }

    /** An initialised network of {@code plan} (not the baseline) for images of {@code channels x height x width}. */
    public static ComputationGraph build(Plan plan, int channels, int height, int width, int classes, long seed) {
        if (plan.isBaseline()) {
            throw new IllegalArgumentException("the baseline family has no builder: it is the baseline's own graph");
        }
        if (height < MIN_RESOLUTION || width < MIN_RESOLUTION) {
            throw new IllegalArgumentException(plan.family().id() + " needs inputs of at least " + MIN_RESOLUTION + "x" + MIN_RESOLUTION
                    + " (three stride-2 stages), got " + height + "x" + width);
        }
        Builder b = new Builder(plan, seed);
        int stem = channels(plan.family(), 0, plan.stages().get(0).width());
        b.g.addLayer("stem", conv(3, 1, channels, stem), new FeedForwardToCnnPreProcessor(height, width, channels), "input");
        String x = b.bnAct("stem", stem, true);
        int c = stem;
        for (int s = 0; s < plan.stages().size(); s++) {
            Stage st = plan.stages().get(s);
            int out = channels(plan.family(), s, st.width());
            for (int i = 0; i < st.depth(); i++) {
                String name = "s" + (s + 1) + "b" + (i + 1);
                int stride = i == 0 ? 2 : 1;
                x = switch (plan.family()) {
                    case RESNET -> b.basic(name, x, c, out, st.kernel(), stride);
                    case MOBILENET -> b.invertedResidual(name, x, c, out, st, stride);
                    case GHOSTNET -> b.ghostBottleneck(name, x, c, out, st, stride);
                    case SHUFFLENET -> stride == 1 && c == out ? b.shuffleUnit(name, x, c, st.kernel()) : b.shuffleDownUnit(name, x, c, out, st.kernel(), stride);
                    case BASELINE -> throw new IllegalStateException();
                };
                c = out;
            }
        }
        b.g.addLayer("gap", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), x)
                .addLayer(OUTPUT, new OutputLayer.Builder(new LossMCXENT()).nIn(c).nOut(classes).activation(Activation.SOFTMAX).build(), "gap")
                .setOutputs(OUTPUT);
        // nIn by hand and no input types: DL4J's input-type inference refuses squeeze-excitation's broadcast product
        ComputationGraph net = new ComputationGraph(b.g.build());
        net.init();
        return net;
    }

    private static ConvolutionLayer conv(int k, int stride, int in, int out) {
        return new ConvolutionLayer.Builder(k, k).stride(stride, stride).convolutionMode(ConvolutionMode.Same).nIn(in).nOut(out)
                .activation(Activation.IDENTITY).build();
    }

    private static DepthwiseConvolution2D depthwise(int k, int stride, int channels) {
        return new DepthwiseConvolution2D.Builder(k, k).stride(stride, stride).convolutionMode(ConvolutionMode.Same).nIn(channels)
                .nOut(channels).depthMultiplier(1).activation(Activation.IDENTITY).build();
    }

    /** Adds layers to one graph; each method returns the name of the vertex holding its output. */
    private static final class Builder {
        final ComputationGraphConfiguration.GraphBuilder g;
        final Act act;

        Builder(Plan plan, long seed) {
            this.g = new NeuralNetConfiguration.Builder().seed(seed).updater(new Adam(1e-3)).weightInit(WeightInit.RELU)
                    .graphBuilder().addInputs("input");
            this.act = plan.activation();
        }

        /** A fresh instance of the plan's activation (stateless, but each layer holds its own). */
        IActivation activation() {
            return act == Act.HARDSWISH ? new HardSwish() : Activation.RELU.getActivationFunction();
        }

        /** Batch normalisation {@code <name>_bn} of {@code name}, then the activation {@code <name>_act} when {@code withAct}. */
        String bnAct(String name, int channels, boolean withAct) {
            g.addLayer(name + "_bn", new BatchNormalization.Builder().nIn(channels).nOut(channels).build(), name);
            if (!withAct) {
                return name + "_bn";
            }
            g.addLayer(name + "_act", new ActivationLayer.Builder().activation(activation()).build(), name + "_bn");
            return name + "_act";
        }

        String basic(String n, String x, int in, int out, int k, int stride) {
            g.addLayer(n + "_conv1", conv(k, stride, in, out), x);
            String y = bnAct(n + "_conv1", out, true);
            g.addLayer(n + "_conv2", conv(k, 1, out, out), y);
            y = bnAct(n + "_conv2", out, false);
            String shortcut = x;
            if (stride != 1 || in != out) {
                g.addLayer(n + "_proj", conv(1, stride, in, out), x);
                shortcut = bnAct(n + "_proj", out, false);
            }
            g.addVertex(n + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), y, shortcut);
            g.addLayer(n + "_act", new ActivationLayer.Builder().activation(activation()).build(), n + "_add");
            return n + "_act";
        }

        String invertedResidual(String n, String x, int in, int out, Stage st, int stride) {
            int mid = st.expansion() == 1 ? in : even(in * (double) st.expansion());
            String y = x;
            if (st.expansion() != 1) {
                g.addLayer(n + "_expand", conv(1, 1, in, mid), x);
                y = bnAct(n + "_expand", mid, true);
            }
            g.addLayer(n + "_dw", depthwise(st.kernel(), stride, mid), y);
            y = bnAct(n + "_dw", mid, true);
            if (st.se()) {
                y = squeezeExcite(n, y, mid);
            }
            g.addLayer(n + "_project", conv(1, 1, mid, out), y);
            y = bnAct(n + "_project", out, false);
            if (stride == 1 && in == out) {
                g.addVertex(n + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), y, x);
                return n + "_add";
            }
            return y;
        }

        String ghostBottleneck(String n, String x, int in, int out, Stage st, int stride) {
            int mid = even(in * (double) st.expansion());
            String y = ghost(n + "_ghost1", x, in, mid, st.kernel(), true);
            if (stride != 1) {
                g.addLayer(n + "_dw", depthwise(st.kernel(), stride, mid), y);
                y = bnAct(n + "_dw", mid, false);
            }
            if (st.se()) {
                y = squeezeExcite(n, y, mid);
            }
            y = ghost(n + "_ghost2", y, mid, out, st.kernel(), false);
            String shortcut = x;
            if (stride != 1 || in != out) {
                g.addLayer(n + "_sc_dw", depthwise(st.kernel(), stride, in), x);
                String d = bnAct(n + "_sc_dw", in, false);
                g.addLayer(n + "_sc_pw", conv(1, 1, in, out), d);
                shortcut = bnAct(n + "_sc_pw", out, false);
            }
            g.addVertex(n + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), y, shortcut);
            return n + "_add";
        }

        /** ShuffleNetV2's basic unit: half the channels pass, the other half go through 1x1, k x k depthwise, 1x1; concatenated, shuffled. */
        String shuffleUnit(String n, String x, int c, int k) {
            int half = c / 2;
            g.addVertex(n + "_split_l", new SubsetVertex(0, half - 1), x)
                    .addVertex(n + "_split_r", new SubsetVertex(half, c - 1), x);
            String r = branch(n + "_r", n + "_split_r", half, half, k, 1);
            g.addVertex(n + "_cat", new MergeVertex(), n + "_split_l", r)
                    .addVertex(n + "_shuffle", new ChannelShuffleVertex(2), n + "_cat");
            return n + "_shuffle";
        }

        /** ShuffleNetV2's down-sampling unit: both branches see all channels (k x k depthwise with the stride, 1x1), each gives half. */
        String shuffleDownUnit(String n, String x, int in, int out, int k, int stride) {
            int half = out / 2;
            g.addLayer(n + "_l_dw", depthwise(k, stride, in), x);
            String l = bnAct(n + "_l_dw", in, false);
            g.addLayer(n + "_l_pw", conv(1, 1, in, half), l);
            l = bnAct(n + "_l_pw", half, true);
            String r = branch(n + "_r", x, in, half, k, stride);
            g.addVertex(n + "_cat", new MergeVertex(), l, r)
                    .addVertex(n + "_shuffle", new ChannelShuffleVertex(2), n + "_cat");
            return n + "_shuffle";
        }

        /** 1x1 conv to {@code out} BN act, k x k depthwise (stride) BN, 1x1 conv BN act. */
        private String branch(String n, String x, int in, int out, int k, int stride) {
            g.addLayer(n + "_pw1", conv(1, 1, in, out), x);
            String y = bnAct(n + "_pw1", out, true);
            g.addLayer(n + "_dw", depthwise(k, stride, out), y);
            y = bnAct(n + "_dw", out, false);
            g.addLayer(n + "_pw2", conv(1, 1, out, out), y);
            return bnAct(n + "_pw2", out, true);
        }

        /** A ghost module to {@code out} (even) channels: half from a 1x1 conv, half from a cheap depthwise conv of those. */
        String ghost(String n, String x, int in, int out, int k, boolean withAct) {
            int half = out / 2;
            g.addLayer(n + "_primary", conv(1, 1, in, half), x);
            String p = bnAct(n + "_primary", half, withAct);
            g.addLayer(n + "_cheap", depthwise(k, 1, half), p);
            String q = bnAct(n + "_cheap", half, withAct);
            g.addVertex(n + "_cat", new MergeVertex(), p, q);
            return n + "_cat";
        }

        /** Squeeze-excitation (Hu et al. 2018) as MobileNetV3 has it: a hard-sigmoid gate per channel. */
        String squeezeExcite(String n, String x, int channels) {
            int reduced = Math.max(MIN_CHANNELS, channels / 4);
            g.addLayer(n + "_se_pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false).build(), x)
                    .addLayer(n + "_se_reduce", new ConvolutionLayer.Builder(1, 1).nIn(channels).nOut(reduced).activation(Activation.RELU).build(),
                            n + "_se_pool")
                    .addLayer(n + "_se_expand", new ConvolutionLayer.Builder(1, 1).nIn(reduced).nOut(channels).activation(Activation.HARDSIGMOID)
                            .build(), n + "_se_reduce")
                    .addVertex(n + "_se", new ElementWiseVertex(ElementWiseVertex.Op.Product), x, n + "_se_expand");
            return n + "_se";
        }
    }
}
