package dev.kompakt.strategies.pruning;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;
import java.util.stream.IntStream;

/**
 * Structured channel pruning of a DL4J {@link ComputationGraph} that builds a physically smaller graph of the same
 * topology: filters of convolutions, neurons of dense layers, the matching batch-norm channels and the matching inputs
 * of every consumer are removed (Li et al. 2017, "Pruning Filters for Efficient ConvNets"; residual-aware grouping as in
 * Fang et al. 2023, "DepGraph: Towards Any Structural Pruning").
 *
 * <p><b>Channel groups.</b> A producer is a {@link ConvolutionLayer} or a hidden {@link DenseLayer}: a layer whose output
 * channels can be removed. Batch normalisation, activation, dropout, sub-sampling and global pooling layers keep the
 * channel indexing of their input. An {@link ElementWiseVertex} (add, subtract, product, average, max) combines its
 * inputs channel by channel, so the producers behind all its inputs must keep the same channels: they are merged into one
 * {@link ChannelGroup} (union-find). A producer that reaches no element-wise vertex is a group of its own. Groups that
 * reach a network input or a network output are never pruned (their channels are fixed by the data), and are not listed.
 *
 * <p><b>Supported graphs.</b> Vertices: network inputs; layer vertices of exactly the classes ConvolutionLayer,
 * SeparableConvolution2D (depth multiplier 1: its depthwise part keeps its input's channels, its pointwise part is a
 * producer), DepthwiseConvolution2D (depth multiplier 1: one filter per channel, so it keeps its input's channel indexing,
 * like batch norm), DenseLayer, OutputLayer, BatchNormalization, ActivationLayer, DropoutLayer, ZeroPaddingLayer,
 * SubsamplingLayer and GlobalPoolingLayer, in NCHW format, each with one input; element-wise vertices (a broadcast product,
 * as squeeze-excitation's [N, C, H, W] x [N, C, 1, 1], ties the same channels as an addition); merge vertices
 * (concatenation: its channels are its inputs' channels in order, each input's group pruned on its own and the consumers'
 * input channels gathered at their offsets). An element-wise vertex over a concatenation and anything but the same
 * concatenation (GhostNet's ghost module plus a shortcut, or times a squeeze-excitation gate) keeps all the channels of
 * its inputs: they line up only as wholes. A channel split (SubsetVertex) or shuffle ({@link
 * dev.kompakt.strategies.architecture.ChannelShuffleVertex}) selects channels by position: its input's channels are kept. A {@link CnnToFeedForwardPreProcessor} between a convolution
 * and a dense layer is followed: DL4J flattens NCHW activations in C order, so channel {@code c} of an
 * {@code h x w} map owns the dense input rows {@code c*h*w ... c*h*w + h*w - 1}. Any other preprocessor is allowed only
 * where the channels it sees are not pruned (typically on the network input). Every other vertex or layer kind (subset,
 * depth multipliers above 1, ...) is refused with an {@link IllegalArgumentException} naming the vertex,
 * rather than producing a wrong network.
 *
 * <p>The pruned graph is a new, initialised graph built from a clone of the configuration (same updater, seed and
 * hyper-parameters) with reduced nIn/nOut; every parameter is copied from the original, so a channel whose batch-norm
 * gamma and beta are zero (or, without batch norm, whose weights and bias are zero ahead of a ReLU) is removed without
 * changing the outputs. The updater state is not carried over. The original graph is not modified. All methods are
 * stateless and deterministic (ties in scores keep the lower channel index); they read the graph, so callers must not
 * train it concurrently.
 */
public final class GraphChannelPruning {
    private GraphChannelPruning() {
    }

    /**
     * Channels that are pruned together.
     *
     * @param producers  the convolution and dense layers (vertex names, topological order) whose output channels the
     *                   group indexes; all have {@code channels} outputs
     * @param batchNorms the batch-norm layers whose channels the group indexes
     * @param channels   the number of channels
     */
    public record ChannelGroup(List<String> producers, List<String> batchNorms, int channels) {
        public ChannelGroup {
            producers = List.copyOf(producers);
            batchNorms = List.copyOf(batchNorms);
            if (producers.isEmpty()) {
                throw new IllegalArgumentException("a channel group needs at least one producer");
            }
            if (channels < 1) {
                throw new IllegalArgumentException("channel group " + producers + ": channels must be >= 1, got " + channels);
            }
        }
    }

    /**
     * The channels of one group to keep.
     *
     * @param kept channel indices, strictly ascending, at least one, each below {@code group.channels()}
     */
    public record Selection(ChannelGroup group, int[] kept) {
        public Selection {
            if (group == null) {
                throw new IllegalArgumentException("a selection needs a group");
            }
            kept = kept.clone();
            if (kept.length == 0) {
                throw new IllegalArgumentException("group " + group.producers() + ": at least one channel must be kept");
            }
            for (int k = 0; k < kept.length; k++) {
                if (kept[k] < 0 || kept[k] >= group.channels() || (k > 0 && kept[k] <= kept[k - 1])) {
                    throw new IllegalArgumentException("group " + group.producers() + ": kept channels must be strictly ascending in [0, "
                            + group.channels() + "), got " + Arrays.toString(kept));
                }
            }
        }

        @Override
        public int[] kept() {
            return kept.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Selection s && s.group.equals(group) && Arrays.equals(s.kept, kept);
        }

        @Override
        public int hashCode() {
            return 31 * group.hashCode() + Arrays.hashCode(kept);
        }

        @Override
        public String toString() {
            return "Selection[" + group.producers() + " keeps " + Arrays.toString(kept) + "]";
        }
    }

    /** The prunable channel groups of {@code graph}, ordered by their first producer in topological order. */
    public static List<ChannelGroup> groups(ComputationGraph graph) {
        return new Analysis(graph).groups();
    }

    /**
     * The importance of each channel of {@code group}: the sum over its producers of {@code criterion}'s per-channel
     * scores of the producer's weights. {@code gradients} holds dLoss/dW by producer vertex name when the criterion needs
     * them; a criterion that reads batch-norm scales gets the gamma of the batch norm right after each producer.
     */
    public static double[] scores(ComputationGraph graph, ChannelGroup group, ImportanceCriterion criterion, Map<String, INDArray> gradients) {
        Analysis a = new Analysis(graph);
        a.rootOf(group);
        return a.scores(group, criterion, gradients);
    }

    /** The top {@code keepRatio} of every group's channels by {@code criterion} (at least one). */
    public static List<Selection> select(ComputationGraph graph, double keepRatio, ImportanceCriterion criterion, Map<String, INDArray> gradients) {
        checkRatio(keepRatio, "all groups");
        return select(graph, g -> keepRatio, criterion, gradients);
    }

    /**
     * For every group, its top {@code keepRatio.applyAsDouble(group)} channels by {@code criterion}: the
     * {@code max(1, round(ratio * channels))} highest scores.
     */
    public static List<Selection> select(ComputationGraph graph, ToDoubleFunction<ChannelGroup> keepRatio, ImportanceCriterion criterion,
                                         Map<String, INDArray> gradients) {
        Analysis a = new Analysis(graph);
        List<Selection> out = new ArrayList<>();
        for (ChannelGroup g : a.groups()) {
            double ratio = keepRatio.applyAsDouble(g);
            checkRatio(ratio, "group " + g.producers());
            out.add(new Selection(g, ChannelInheritance.top(a.scores(g, criterion, gradients), keepCount(g.channels(), ratio))));
        }
        return out;
    }

    /** Keeps the top {@code keepRatio} of every group's channels by {@code criterion}; see {@link #prune(ComputationGraph, List)}. */
    public static ComputationGraph prune(ComputationGraph graph, double keepRatio, ImportanceCriterion criterion) {
        if (criterion.needsGradient()) {
            throw new IllegalArgumentException("criterion needs gradients: call select(graph, ratio, criterion, gradients) and prune(graph, selections)");
        }
        return prune(graph, select(graph, keepRatio, criterion, Map.of()));
    }

    /**
     * A new graph with the same topology that keeps, in each selected group, only the selected channels; groups
     * without a selection keep all theirs. Every selection's group must be one of {@link #groups(ComputationGraph)}.
     */
    public static ComputationGraph prune(ComputationGraph graph, List<Selection> selections) {
        Analysis a = new Analysis(graph);
        Map<Integer, int[]> kept = new HashMap<>();
        for (Selection s : selections) {
            if (kept.put(a.rootOf(s.group()), s.kept()) != null) {
                throw new IllegalArgumentException("group " + s.group().producers() + " is selected twice");
            }
        }
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        for (String name : a.order) {
            if (!(conf.getVertices().get(name) instanceof LayerVertex lv)) {
                continue;
            }
            Layer layer = lv.getLayerConf().getLayer();
            Tensor in = a.in.get(name);
            int[] channelsIn = a.keptChannels(in, kept);
            if (lv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor p && channelsIn != null) {
                p.setNumChannels(channelsIn.length);
            }
            if (!(layer instanceof FeedForwardLayer ff)) {
                continue;
            }
            if (layer instanceof BatchNormalization || layer instanceof DropoutLayer || layer instanceof DepthwiseConvolution2D) {
                if (channelsIn != null) {
                    ff.setNIn((long) channelsIn.length * in.inner);
                    ff.setNOut((long) channelsIn.length * in.inner);
                }
                continue;
            }
            if (channelsIn != null) {
                ff.setNIn((long) channelsIn.length * in.inner);
            }
            Integer node = a.producerNode.get(name);
            int[] outs = node == null ? null : kept.get(a.find(node));
            if (outs != null) {
                ff.setNOut(outs.length);
            }
        }
        ComputationGraph pruned = new ComputationGraph(conf);
        pruned.init();
        for (String name : a.order) {
            if (!(conf.getVertices().get(name) instanceof LayerVertex) || graph.getLayer(name).numParams() == 0) {
                continue;
            }
            Tensor in = a.in.get(name);
            int[] channelsIn = a.keptChannels(in, kept);
            Layer layer = ((LayerVertex) graph.getConfiguration().getVertices().get(name)).getLayerConf().getLayer();
            Map<String, INDArray> src = graph.getLayer(name).paramTable();
            org.deeplearning4j.nn.api.Layer dst = pruned.getLayer(name);
            if (layer instanceof BatchNormalization) {
                for (Map.Entry<String, INDArray> e : src.entrySet()) {
                    dst.getParam(e.getKey()).assign(ChannelInheritance.gather(e.getValue(), channelsIn, dst.getParam(e.getKey()).shape()));
                }
                continue;
            }
            if (layer instanceof DepthwiseConvolution2D) {
                // W [kh, kw, channels, 1] and b [1, channels]: one filter per channel, kept with its channel
                for (Map.Entry<String, INDArray> e : src.entrySet()) {
                    INDArray target = dst.getParam(e.getKey());
                    target.assign(e.getKey().equals("W") ? axis2(e.getValue(), channelsIn) : ChannelInheritance.gather(e.getValue(), channelsIn, target.shape()));
                }
                continue;
            }
            Integer node = a.producerNode.get(name);
            int[] outs = node == null ? null : kept.get(a.find(node));
            boolean conv = layer instanceof ConvolutionLayer;
            for (Map.Entry<String, INDArray> e : src.entrySet()) {
                INDArray w = e.getValue();
                INDArray target = dst.getParam(e.getKey());
                if (layer instanceof SeparableConvolution2D && e.getKey().equals("W")) {
                    // the depthwise part [multiplier = 1, in, kh, kw] keeps the kept input channels
                    target.assign(channelsIn == null ? w : ChannelInheritance.select(w, new int[] {0}, channelsIn));
                } else if (layer instanceof SeparableConvolution2D && e.getKey().equals("pW")) {
                    // the pointwise part [out, in, 1, 1]
                    int[] o = outs == null ? range((int) w.size(0)) : outs;
                    int[] i = channelsIn == null ? range((int) w.size(1)) : channelsIn;
                    target.assign(ChannelInheritance.select(w, o, i));
                } else if (e.getKey().equals("W")) {
                    int outAxis = conv ? 0 : 1;
                    int[] o = outs == null ? range((int) w.size(outAxis)) : outs;
                    int[] i = channelsIn == null ? range((int) w.size(1 - outAxis)) : ChannelInheritance.expand(channelsIn, in.inner);
                    target.assign(conv ? ChannelInheritance.select(w, o, i) : ChannelInheritance.select(w, i, o));
                } else if (Set.of("b", "g").contains(e.getKey())) {
                    target.assign(ChannelInheritance.gather(w, outs, target.shape()));
                } else {
                    throw new IllegalArgumentException("vertex '" + name + "': parameter '" + e.getKey() + "' of "
                            + layer.getClass().getSimpleName() + " is not supported by graph channel pruning");
                }
            }
        }
        return pruned;
    }

    /** {@code w[:, :, idx, :]} of a rank-4 array as a new C-order array; {@code w} itself when {@code idx} is null. */
    private static INDArray axis2(INDArray w, int[] idx) {
        if (idx == null) {
            return w;
        }
        long[] shape = w.shape();
        float[] src = w.dup('c').data().asFloat();
        int c = (int) shape[2];
        int m = (int) shape[3];
        int outer = (int) (shape[0] * shape[1]);
        float[] dst = new float[outer * idx.length * m];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < idx.length; k++) {
                System.arraycopy(src, (o * c + idx[k]) * m, dst, (o * idx.length + k) * m, m);
            }
        }
        return org.nd4j.linalg.factory.Nd4j.create(dst, new long[] {shape[0], shape[1], idx.length, m}, 'c');
    }

    static int keepCount(int channels, double ratio) {
        return (int) Math.min(channels, Math.max(1, Math.round(ratio * channels)));
    }

    private static void checkRatio(double ratio, String what) {
        if (!(ratio > 0 && ratio <= 1)) {
            throw new IllegalArgumentException(what + ": keep ratio must be in (0, 1], got " + ratio);
        }
    }

    private static int[] range(int n) {
        return IntStream.range(0, n).toArray();
    }

    /**
     * The tensor a vertex outputs: the union-find nodes of its channels, in order (one node, or several when it is a
     * concatenation), and the rows each channel owns (1 unless flattened).
     */
    private record Tensor(int[] nodes, int inner) {
        Tensor(int node, int inner) {
            this(new int[] {node}, inner);
        }

        int node() {
            if (nodes.length != 1) {
                throw new IllegalStateException("a concatenated tensor has no single channel node");
            }
            return nodes[0];
        }

        boolean concatenated() {
            return nodes.length > 1;
        }
    }

    /** One pass over the graph: topological order, channel nodes, union-find, checks. */
    private static final class Analysis {
        private static final Set<Class<?>> PASS_THROUGH = Set.of(ActivationLayer.class, DropoutLayer.class, ZeroPaddingLayer.class);
        private static final String SUPPORTED = "ConvolutionLayer, SeparableConvolution2D and DepthwiseConvolution2D (depth multiplier 1),"
                + " DenseLayer, OutputLayer, BatchNormalization, ActivationLayer, DropoutLayer, ZeroPaddingLayer, SubsamplingLayer,"
                + " GlobalPoolingLayer, ElementWiseVertex, MergeVertex, SubsetVertex and ChannelShuffleVertex";

        final ComputationGraph graph;
        final List<String> order;
        final Map<String, Tensor> out = new HashMap<>();
        final Map<String, Tensor> in = new HashMap<>();
        final Map<String, Integer> producerNode = new LinkedHashMap<>();
        final Map<String, List<String>> consumers = new HashMap<>();
        private final List<Integer> parent = new ArrayList<>();
        private final List<Long> channels = new ArrayList<>();
        private final List<Boolean> fixed = new ArrayList<>();
        private final List<String> bns = new ArrayList<>();
        private final Map<String, Tensor> needsFixed = new LinkedHashMap<>();

        Analysis(ComputationGraph graph) {
            this.graph = graph;
            ComputationGraphConfiguration conf = graph.getConfiguration();
            this.order = topological(conf);
            for (String name : order) {
                if (conf.getNetworkInputs().contains(name)) {
                    out.put(name, new Tensor(node(-1, true), 1));
                    continue;
                }
                List<String> inputs = conf.getVertexInputs().get(name);
                for (String i : inputs) {
                    consumers.computeIfAbsent(i, k -> new ArrayList<>()).add(name);
                }
                GraphVertex v = conf.getVertices().get(name);
                if (v instanceof LayerVertex lv) {
                    layer(name, lv, inputs);
                } else if (v instanceof ElementWiseVertex) {
                    elementWise(name, inputs);
                } else if (v instanceof MergeVertex) {
                    merge(name, inputs);
                } else if (v instanceof SubsetVertex sv) {
                    fixedThrough(name, inputs, sv.getTo() - sv.getFrom() + 1L);
                } else if (v instanceof dev.kompakt.strategies.architecture.ChannelShuffleVertex) {
                    fixedThrough(name, inputs, -2);
                } else {
                    throw unsupported(name, v.getClass().getSimpleName());
                }
            }
            for (String o : conf.getNetworkOutputs()) {
                for (int n : out.get(o).nodes) {
                    fixed.set(find(n), true);
                }
            }
            for (Map.Entry<String, Tensor> e : needsFixed.entrySet()) {
                if (Arrays.stream(e.getValue().nodes).anyMatch(n -> !fixed.get(find(n)))) {
                    LayerVertex lv = (LayerVertex) conf.getVertices().get(e.getKey());
                    throw new IllegalArgumentException("vertex '" + e.getKey() + "': its input preprocessor "
                            + lv.getPreProcessor().getClass().getSimpleName() + " sees prunable channels; only CnnToFeedForwardPreProcessor"
                            + " is supported there");
                }
            }
        }

        private void layer(String name, LayerVertex lv, List<String> inputs) {
            Layer layer = lv.getLayerConf().getLayer();
            Class<?> kind = layer.getClass();
            if (inputs.size() != 1) {
                throw new IllegalArgumentException("vertex '" + name + "': a layer with " + inputs.size()
                        + " inputs (implicitly merged) is not supported by graph channel pruning");
            }
            Tensor t = out.get(inputs.get(0));
            InputPreProcessor p = lv.getPreProcessor();
            if (p instanceof CnnToFeedForwardPreProcessor cp) {
                if (t.inner != 1 || cp.getFormat() == CNN2DFormat.NHWC) {
                    throw new IllegalArgumentException("vertex '" + name + "': only a CnnToFeedForwardPreProcessor on NCHW activations is supported");
                }
                t = new Tensor(t.nodes, Math.toIntExact(cp.getInputHeight() * cp.getInputWidth()));
                checkChannels(name, t, cp.getNumChannels());
            } else if (p != null) {
                needsFixed.put(name, t);
            }
            in.put(name, t);
            if (kind == ConvolutionLayer.class || kind == SeparableConvolution2D.class) {
                ConvolutionLayer c = (ConvolutionLayer) layer;
                if (t.inner != 1 || c.getCnn2dDataFormat() == CNN2DFormat.NHWC) {
                    throw new IllegalArgumentException("vertex '" + name + "': only NCHW convolutions on CNN activations are supported");
                }
                if (layer instanceof SeparableConvolution2D sep && sep.getDepthMultiplier() != 1) {
                    throw new IllegalArgumentException("vertex '" + name + "': a separable convolution with depth multiplier "
                            + sep.getDepthMultiplier() + " is not supported by graph channel pruning (multiplier 1 is)");
                }
                checkChannels(name, t, c.getNIn());
                producer(name, c.getNOut());
            } else if (kind == DepthwiseConvolution2D.class) {
                DepthwiseConvolution2D d = (DepthwiseConvolution2D) layer;
                if (t.inner != 1 || d.getCnn2dDataFormat() == CNN2DFormat.NHWC || d.getDepthMultiplier() != 1) {
                    throw new IllegalArgumentException("vertex '" + name + "': only NCHW depthwise convolutions with depth multiplier 1 are"
                            + " supported by graph channel pruning (this one: multiplier " + d.getDepthMultiplier() + ")");
                }
                // one filter per channel: the channels pass through, indexed as its input's
                checkChannels(name, t, d.getNIn());
                out.put(name, t);
            } else if (kind == DenseLayer.class) {
                checkChannels(name, t, ((DenseLayer) layer).getNIn() / t.inner);
                producer(name, ((DenseLayer) layer).getNOut());
            } else if (kind == OutputLayer.class) {
                checkChannels(name, t, ((OutputLayer) layer).getNIn() / t.inner);
                out.put(name, new Tensor(node(((OutputLayer) layer).getNOut(), true), 1));
            } else if (kind == BatchNormalization.class) {
                if (t.inner != 1 || ((BatchNormalization) layer).getCnn2DFormat() == CNN2DFormat.NHWC) {
                    throw new IllegalArgumentException("vertex '" + name + "': only per-channel NCHW batch normalisation is supported");
                }
                checkChannels(name, t, ((BatchNormalization) layer).getNOut());
                bns.add(name);
                out.put(name, t);
            } else if (kind == SubsamplingLayer.class || kind == GlobalPoolingLayer.class) {
                if (t.inner != 1 || (layer instanceof SubsamplingLayer s && s.getCnn2dDataFormat() == CNN2DFormat.NHWC)) {
                    throw new IllegalArgumentException("vertex '" + name + "': only pooling of NCHW activations is supported");
                }
                out.put(name, t);
            } else if (PASS_THROUGH.contains(kind)) {
                out.put(name, t);
            } else {
                throw unsupported(name, kind.getSimpleName());
            }
        }

        /**
         * Element-wise vertices tie the channels of their inputs together, including a broadcast product (squeeze-excitation
         * multiplies [N, C, H, W] by [N, C, 1, 1]: the same C channels).
         */
        private void elementWise(String name, List<String> inputs) {
            Tensor first = out.get(inputs.get(0));
            for (String i : inputs) {
                Tensor t = out.get(i);
                if (t.inner != first.inner) {
                    throw new IllegalArgumentException("vertex '" + name + "': inputs '" + inputs.get(0) + "' and '" + i
                            + "' are laid out differently (one is flattened), so their channels cannot be pruned together");
                }
                if (t.concatenated() || first.concatenated()) {
                    if (!Arrays.equals(roots(t), roots(first))) {
                        // a concatenation combined with other channel groups (a ghost module's output plus a shortcut, or
                        // times a squeeze-excitation gate): their channels line up only as wholes, so none of them is pruned
                        for (String j : inputs) {
                            for (int n : out.get(j).nodes) {
                                fixed.set(find(n), true);
                            }
                        }
                    }
                    continue;
                }
                int a = find(first.node());
                int b = find(t.node());
                if (a == b) {
                    continue;
                }
                long ca = channels.get(a);
                long cb = channels.get(b);
                if (ca >= 0 && cb >= 0 && ca != cb) {
                    throw new IllegalArgumentException("vertex '" + name + "': inputs '" + inputs.get(0) + "' and '" + i + "' have "
                            + ca + " and " + cb + " channels");
                }
                parent.set(b, a);
                channels.set(a, Math.max(ca, cb));
                fixed.set(a, fixed.get(a) || fixed.get(b));
            }
            out.put(name, first);
        }

        /**
         * A channel split (subset) or shuffle: it picks or reorders channels by position, so its input's channels are kept
         * (fixed) and its output is a new fixed group of {@code nChannels} (-2: as many as its input has).
         */
        private void fixedThrough(String name, List<String> inputs, long nChannels) {
            if (inputs.size() != 1) {
                throw new IllegalArgumentException("vertex '" + name + "': a channel split or shuffle takes one input");
            }
            Tensor t = out.get(inputs.get(0));
            long total = 0;
            for (int n : t.nodes) {
                if (channels.get(find(n)) < 0) {
                    throw new IllegalArgumentException("vertex '" + name + "': splitting or shuffling the network input's channels is not"
                            + " supported by graph channel pruning");
                }
                fixed.set(find(n), true);
                total += channels.get(find(n));
            }
            out.put(name, new Tensor(node(nChannels == -2 ? total : nChannels, true), t.inner));
        }

        /** A concatenation: its channels are its inputs' channels one after another, each input's kept on its own. */
        private void merge(String name, List<String> inputs) {
            int inner = out.get(inputs.get(0)).inner;
            List<Integer> nodes = new ArrayList<>();
            for (String i : inputs) {
                Tensor t = out.get(i);
                if (t.inner != inner) {
                    throw new IllegalArgumentException("vertex '" + name + "': inputs '" + inputs.get(0) + "' and '" + i
                            + "' are laid out differently (one is flattened), so they cannot be concatenated channel by channel");
                }
                for (int n : t.nodes) {
                    if (channels.get(find(n)) < 0) {
                        throw new IllegalArgumentException("vertex '" + name + "': concatenating the network input is not supported by graph"
                                + " channel pruning");
                    }
                    nodes.add(n);
                }
            }
            out.put(name, new Tensor(nodes.stream().mapToInt(Integer::intValue).toArray(), inner));
        }

        private int[] roots(Tensor t) {
            return Arrays.stream(t.nodes).map(this::find).toArray();
        }

        /**
         * The kept channels of tensor {@code t} in its own channel indexing (a concatenation's offsets included), or null
         * when none of its channel groups is pruned.
         */
        int[] keptChannels(Tensor t, Map<Integer, int[]> kept) {
            boolean any = false;
            List<Integer> all = new ArrayList<>();
            int offset = 0;
            for (int n : t.nodes) {
                int root = find(n);
                int[] k = kept.get(root);
                int size = Math.toIntExact(channels.get(root));
                if (k != null) {
                    any = true;
                    for (int c : k) {
                        all.add(offset + c);
                    }
                } else {
                    for (int c = 0; c < size; c++) {
                        all.add(offset + c);
                    }
                }
                offset += size;
            }
            return any ? all.stream().mapToInt(Integer::intValue).toArray() : null;
        }

        private void producer(String name, long nOut) {
            int n = node(nOut, false);
            producerNode.put(name, n);
            out.put(name, new Tensor(n, 1));
        }

        private void checkChannels(String name, Tensor t, long expected) {
            long c = 0;
            for (int n : t.nodes) {
                long k = channels.get(find(n));
                if (k < 0) {
                    return;   // the network input: its channel count is the data's
                }
                c += k;
            }
            if (c != expected) {
                throw new IllegalArgumentException("vertex '" + name + "' expects " + expected + " input channels but its input has " + c);
            }
        }

        private static IllegalArgumentException unsupported(String name, String kind) {
            return new IllegalArgumentException("vertex '" + name + "': " + kind + " is not supported by graph channel pruning (supported: "
                    + SUPPORTED + ")");
        }

        private int node(long nChannels, boolean isFixed) {
            parent.add(parent.size());
            channels.add(nChannels);
            fixed.add(isFixed);
            return parent.size() - 1;
        }

        int find(int n) {
            while (parent.get(n) != n) {
                parent.set(n, parent.get(parent.get(n)));
                n = parent.get(n);
            }
            return n;
        }

        List<ChannelGroup> groups() {
            Map<Integer, List<String>> producers = new LinkedHashMap<>();
            for (Map.Entry<String, Integer> e : producerNode.entrySet()) {
                int root = find(e.getValue());
                if (!fixed.get(root)) {
                    producers.computeIfAbsent(root, k -> new ArrayList<>()).add(e.getKey());
                }
            }
            List<ChannelGroup> groups = new ArrayList<>();
            for (Map.Entry<Integer, List<String>> e : producers.entrySet()) {
                List<String> norms = bns.stream().filter(b -> !out.get(b).concatenated() && find(out.get(b).node()) == e.getKey()).toList();
                groups.add(new ChannelGroup(e.getValue(), norms, Math.toIntExact(channels.get(e.getKey()))));
            }
            return groups;
        }

        /** The union-find root of {@code group}, which must be one of this graph's groups. */
        int rootOf(ChannelGroup group) {
            Integer node = producerNode.get(group.producers().get(0));
            if (node != null) {
                int root = find(node);
                for (ChannelGroup g : groups()) {
                    if (g.equals(group)) {
                        return root;
                    }
                }
            }
            throw new IllegalArgumentException("group " + group.producers() + " is not a channel group of this graph (its groups: "
                    + groups().stream().map(ChannelGroup::producers).toList() + ")");
        }

        double[] scores(ChannelGroup group, ImportanceCriterion criterion, Map<String, INDArray> gradients) {
            double[] sum = new double[group.channels()];
            for (String p : group.producers()) {
                boolean separable = graph.getLayer(p).conf().getLayer() instanceof SeparableConvolution2D;
                INDArray w = graph.getLayer(p).getParam(separable ? "pW" : "W");
                int axis = graph.getLayer(p).conf().getLayer() instanceof ConvolutionLayer ? 0 : 1;
                INDArray g = null;
                if (criterion.needsGradient()) {
                    g = gradients.get(p);
                    if (g == null) {
                        throw new IllegalArgumentException("vertex '" + p + "': the criterion needs a gradient and none was given");
                    }
                }
                double[] s = criterion.scores(w, axis, g, criterion.needsBatchNormScale() ? followingBatchNormScale(p) : null);
                for (int c = 0; c < sum.length; c++) {
                    sum[c] += s[c];
                }
            }
            return sum;
        }

        /** The gamma of the batch norm right after producer {@code p}, past activation and dropout layers. */
        private INDArray followingBatchNormScale(String p) {
            String v = p;
            while (true) {
                List<String> next = consumers.getOrDefault(v, List.of());
                if (next.size() != 1 || !(graph.getConfiguration().getVertices().get(next.get(0)) instanceof LayerVertex lv)) {
                    break;
                }
                v = next.get(0);
                Layer layer = lv.getLayerConf().getLayer();
                if (layer instanceof BatchNormalization) {
                    INDArray gamma = graph.getLayer(v).getParam("gamma");
                    if (gamma == null) {
                        throw new IllegalArgumentException("vertex '" + p + "': the batch normalisation after it ('" + v
                                + "') has no learned scale (gamma is locked), which the criterion ranks channels by");
                    }
                    return gamma;
                }
                if (!PASS_THROUGH.contains(layer.getClass())) {
                    break;
                }
            }
            throw new IllegalArgumentException("vertex '" + p + "' is not followed by a batch normalisation, whose scale (gamma) the criterion"
                    + " ranks channels by; use a criterion that reads the weights (l1, l2, taylor) for this graph");
        }

        /**
         * Depth-first post-order: each vertex after its inputs, otherwise in the configuration's vertex order (network
         * inputs first), so a block's main path precedes its shortcut as it was declared.
         */
        private static List<String> topological(ComputationGraphConfiguration conf) {
            List<String> names = new ArrayList<>(conf.getNetworkInputs());
            names.addAll(conf.getVertices().keySet());
            List<String> order = new ArrayList<>();
            Map<String, Boolean> done = new HashMap<>();   // false while on the current path, true when placed
            for (String n : names) {
                visit(n, conf, done, order);
            }
            return order;
        }

        private static void visit(String n, ComputationGraphConfiguration conf, Map<String, Boolean> done, List<String> order) {
            Boolean state = done.get(n);
            if (Boolean.TRUE.equals(state)) {
                return;
            }
            if (state != null) {
                throw new IllegalArgumentException("vertex '" + n + "' is on a cycle");
            }
            if (!conf.getNetworkInputs().contains(n) && !conf.getVertices().containsKey(n)) {
                throw new IllegalArgumentException("vertex input '" + n + "' is neither a vertex nor a network input");
            }
            done.put(n, false);
            for (String i : conf.getVertexInputs().getOrDefault(n, List.of())) {
                visit(i, conf, done, order);
            }
            done.put(n, true);
            order.add(n);
        }
    }
}
