package dev.kompakt.strategies.architecture;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Once-for-All's weight sharing (Cai et al. 2020) for the built families: a candidate network starts from the weights
 * of a trained larger network of its family (the "supernet") instead of random ones. Every layer of the candidate
 * takes its namesake's weights ({@link Families} names layers by stage and block, so block {@code b} of stage {@code s}
 * is the same block in both): the first blocks of each stage, the first output channels of each convolution and the
 * centre of a larger kernel. Batch-normalisation statistics are sliced alike (training then updates them).
 *
 * <p>"First channels" is followed through the graph as a map from the candidate's channels to the supernet's, so that
 * concatenations (ghost modules, ShuffleNet units), channel splits, shuffles, residual additions and squeeze-excitation
 * products stay consistent: a ghost module of {@code 2h} channels takes primary channels {@code 0..h-1} and cheap
 * channels {@code H..H+h-1} of the supernet's {@code 2H}, and a convolution whose output is added to (or multiplied
 * onto) such a map takes the same channels. OFA sorts channels by importance before sharing them; this takes them in
 * order, which the supernet's plain training makes as good as any order.
 * <p>Refuses (IllegalArgumentException naming the layer) a candidate the supernet does not contain: a deeper stage,
 * more channels, a larger kernel, a layer the supernet lacks.
 */
public final class WeightInheritance {
    private WeightInheritance() {
    }

    /** What was copied: layers inherited and their parameters, of the candidate's total. */
    public record Result(int layers, long params, long totalParams) {
    }

    /** Copies the supernet's weights into {@code candidate} (in place). */
    public static Result inherit(ComputationGraph supernet, ComputationGraph candidate) {
        ComputationGraphConfiguration cc = candidate.getConfiguration();
        ComputationGraphConfiguration sc = supernet.getConfiguration();
        Map<String, int[]> overrides = new HashMap<>();
        List<String> order = java.util.Arrays.stream(candidate.topologicalSortOrder())
                .mapToObj(i -> candidate.getVertices()[i].getVertexName()).toList();
        for (int pass = 0; ; pass++) {
            Maps maps = new Maps(cc, sc, overrides, order);
            String conflict = maps.propagate();
            if (conflict == null) {
                return copy(maps, supernet, candidate);
            }
            if (pass > 16) {
                throw new IllegalArgumentException("cannot inherit weights: channel maps do not settle at " + conflict);
            }
        }
    }

    /** The channel maps of every vertex's output: candidate channel i is supernet channel map[i]. */
    private static final class Maps {
        final ComputationGraphConfiguration cc;
        final ComputationGraphConfiguration sc;
        final Map<String, int[]> overrides;
        final Map<String, int[]> map = new HashMap<>();
        final Map<String, Integer> superChannels = new HashMap<>();
        /** Per layer: the map of its input channels. */
        final Map<String, int[]> inMap = new HashMap<>();
        final List<String> order;

        Maps(ComputationGraphConfiguration cc, ComputationGraphConfiguration sc, Map<String, int[]> overrides, List<String> order) {
            this.order = order;
            this.cc = cc;
            this.sc = sc;
            this.overrides = overrides;
        }

        /** Fills the maps; returns null, or the vertex whose inputs disagree after an override was added for it. */
        String propagate() {
            for (String name : order) {
                if (cc.getNetworkInputs().contains(name)) {
                    continue;
                }
                GraphVertex v = cc.getVertices().get(name);
                GraphVertex s = sc.getVertices().get(name);
                if (s == null) {
                    throw new IllegalArgumentException("cannot inherit weights: the supernet has no layer " + name);
                }
                List<String> inputs = cc.getVertexInputs().get(name);
                int[] in = inputs.isEmpty() ? null : mapOf(inputs.get(0));
                int[] out;
                if (v instanceof LayerVertex lv) {
                    Layer l = lv.getLayerConf().getLayer();
                    inMap.put(name, in);
                    if (l instanceof DepthwiseConvolution2D || l instanceof BatchNormalization || l instanceof ActivationLayer
                            || l instanceof GlobalPoolingLayer) {
                        out = in;
                    } else if (l instanceof ConvolutionLayer conv) {
                        int n = (int) conv.getNOut();
                        out = overrides.getOrDefault(name, first(n));
                        if (out.length != n) {
                            throw new IllegalArgumentException("cannot inherit weights: " + name + " has " + n + " channels, its map " + out.length);
                        }
                    } else if (l instanceof OutputLayer) {
                        out = null;
                    } else {
                        throw new IllegalArgumentException("cannot inherit weights: layer " + name + " is a " + l.getClass().getSimpleName()
                                + "; the built families have convolution, depthwise, batch-norm, activation, pooling and output layers");
                    }
                } else if (v instanceof MergeVertex) {
                    List<String> superInputs = sc.getVertexInputs().get(name);
                    List<Integer> all = new ArrayList<>();
                    int offset = 0;
                    for (int i = 0; i < inputs.size(); i++) {
                        for (int c : mapOf(inputs.get(i))) {
                            all.add(offset + c);
                        }
                        offset += superChannels(superInputs.get(i));
                    }
                    out = all.stream().mapToInt(Integer::intValue).toArray();
                } else if (v instanceof SubsetVertex sv && s instanceof SubsetVertex ss) {
                    out = new int[sv.getTo() - sv.getFrom() + 1];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = in[sv.getFrom() + i] - ss.getFrom();
                        if (out[i] < 0 || out[i] > ss.getTo() - ss.getFrom()) {
                            throw new IllegalArgumentException("cannot inherit weights: channel split " + name + " does not match the supernet's");
                        }
                    }
                } else if (v instanceof ChannelShuffleVertex shuffle) {
                    int g = shuffle.getGroups();
                    int perGroup = in.length / g;
                    int superPerGroup = superChannels(sc.getVertexInputs().get(name).get(0)) / g;
                    out = new int[in.length];
                    for (int o = 0; o < in.length; o++) {
                        int p = in[(o % g) * perGroup + o / g];           // the candidate's input channel at output o
                        out[o] = (p % superPerGroup) * g + p / superPerGroup;   // where the supernet's shuffle puts it
                    }
                } else if (v instanceof ElementWiseVertex) {
                    out = in;
                    for (String other : inputs.subList(1, inputs.size())) {
                        int[] m = mapOf(other);
                        if (!java.util.Arrays.equals(m, out)) {
                            // the operand that a convolution chose "first channels" for takes the other's channels
                            String conv = producingConv(other);
                            String mine = producingConv(inputs.get(0));
                            if (conv != null && !overrides.containsKey(conv)) {
                                overrides.put(conv, out);
                            } else if (mine != null && !overrides.containsKey(mine)) {
                                overrides.put(mine, m);
                            } else {
                                throw new IllegalArgumentException("cannot inherit weights: the inputs of " + name + " take different channels");
                            }
                            return name;
                        }
                    }
                } else {
                    throw new IllegalArgumentException("cannot inherit weights: vertex " + name + " is a " + v.getClass().getSimpleName());
                }
                if (out != null) {
                    map.put(name, out);
                }
            }
            return null;
        }

        int[] mapOf(String vertex) {
            if (cc.getNetworkInputs().contains(vertex)) {
                return null;   // the data: the same channels in both
            }
            return map.get(vertex);
        }

        /** The convolution whose output {@code vertex} passes on unchanged (through batch norm and activations), or null. */
        String producingConv(String vertex) {
            String v = vertex;
            while (cc.getVertices().get(v) instanceof LayerVertex lv) {
                Layer l = lv.getLayerConf().getLayer();
                if (l instanceof ConvolutionLayer && !(l instanceof DepthwiseConvolution2D)) {
                    return v;
                }
                if (!(l instanceof BatchNormalization || l instanceof ActivationLayer)) {
                    return null;
                }
                v = cc.getVertexInputs().get(v).get(0);
            }
            return null;
        }

        /** Output channels of the supernet's vertex {@code name}. */
        int superChannels(String name) {
            Integer known = superChannels.get(name);
            if (known != null) {
                return known;
            }
            GraphVertex v = sc.getVertices().get(name);
            List<String> inputs = sc.getVertexInputs().get(name);
            int c;
            if (v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof ConvolutionLayer conv && !(conv instanceof DepthwiseConvolution2D)) {
                c = (int) conv.getNOut();
            } else if (v instanceof MergeVertex) {
                c = inputs.stream().mapToInt(this::superChannels).sum();
            } else if (v instanceof SubsetVertex sv) {
                c = sv.getTo() - sv.getFrom() + 1;
            } else {
                c = superChannels(inputs.get(0));   // depthwise, batch norm, activation, pooling, shuffle, element-wise
            }
            superChannels.put(name, c);
            return c;
        }
    }

    private static Result copy(Maps maps, ComputationGraph supernet, ComputationGraph candidate) {
        int layers = 0;
        long params = 0;
        for (org.deeplearning4j.nn.api.Layer layer : candidate.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            Layer conf = layer.conf().getLayer();
            if (layer.numParams() == 0) {
                continue;
            }
            org.deeplearning4j.nn.api.Layer from = supernet.getLayer(name);
            int[] in = maps.inMap.get(name);
            int[] out = maps.map.get(name);
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray dst = p.getValue();
                INDArray src = from.getParam(p.getKey());
                if (src == null) {
                    throw new IllegalArgumentException("cannot inherit weights: supernet layer " + name + " has no parameter " + p.getKey());
                }
                String key = p.getKey();
                if (conf instanceof DepthwiseConvolution2D) {
                    if (key.equals("W")) {      // [kH, kW, channels, multiplier]
                        within(out, src.size(2), name);
                        copyDepthwise(src, dst, centre(src, dst, 0), centre(src, dst, 1), out);
                    } else {
                        copyVector(src, dst, out, name);
                    }
                } else if (conf instanceof ConvolutionLayer) {
                    if (key.equals("W")) {      // [out, in, kH, kW]
                        int[] inputs = in == null ? first((int) dst.size(1)) : in;
                        within(out, src.size(0), name);
                        within(inputs, src.size(1), name + " (inputs)");
                        copy4(src, dst, out, inputs, centre(src, dst, 2), centre(src, dst, 3));
                    } else {
                        copyVector(src, dst, out, name);
                    }
                } else if (conf instanceof BatchNormalization) {
                    copyVector(src, dst, out, name);
                } else if (conf instanceof OutputLayer) {
                    if (key.equals("W")) {      // [in, classes]
                        within(in, src.size(0), name);
                        requireSame(src.size(1), dst.size(1), name + " classes");
                        for (int i = 0; i < in.length; i++) {
                            for (int j = 0; j < dst.size(1); j++) {
                                dst.putScalar(i, j, src.getDouble(in[i], j));
                            }
                        }
                    } else {
                        dst.assign(src);
                    }
                } else {
                    throw new IllegalArgumentException("cannot inherit weights: layer " + name + " is a " + conf.getClass().getSimpleName());
                }
                params += dst.length();
            }
            layers++;
        }
        return new Result(layers, params, candidate.numParams());
    }

    private static int[] first(int n) {
        int[] m = new int[n];
        for (int i = 0; i < n; i++) {
            m[i] = i;
        }
        return m;
    }

    /** The centre {@code dst.size(dim)} positions of {@code src}'s dimension {@code dim}. */
    private static int[] centre(INDArray src, INDArray dst, int dim) {
        int big = (int) src.size(dim);
        int small = (int) dst.size(dim);
        if (small > big || (big - small) % 2 != 0) {
            throw new IllegalArgumentException("cannot inherit weights: a kernel of " + small + " from one of " + big);
        }
        int[] m = new int[small];
        for (int i = 0; i < small; i++) {
            m[i] = (big - small) / 2 + i;
        }
        return m;
    }

    private static void copy4(INDArray src, INDArray dst, int[] a, int[] b, int[] c, int[] d) {
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                for (int k = 0; k < c.length; k++) {
                    for (int l = 0; l < d.length; l++) {
                        dst.putScalar(new long[] {i, j, k, l}, src.getDouble(a[i], b[j], c[k], d[l]));
                    }
                }
            }
        }
    }

    private static void within(int[] channels, long size, String layer) {
        for (int c : channels) {
            if (c >= size) {
                throw new IllegalArgumentException("cannot inherit weights: " + layer + " needs channel " + c + " of the supernet's " + size
                        + " (the candidate is wider than the supernet)");
            }
        }
    }

    /** Depthwise weights {@code [kH, kW, channels, multiplier]}: kernel rows/columns, then channels by {@code channels}. */
    private static void copyDepthwise(INDArray src, INDArray dst, int[] rows, int[] cols, int[] channels) {
        requireSame(src.size(3), dst.size(3), "depth multiplier");
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                for (int k = 0; k < channels.length; k++) {
                    for (int m = 0; m < dst.size(3); m++) {
                        dst.putScalar(new long[] {i, j, k, m}, src.getDouble(rows[i], cols[j], channels[k], m));
                    }
                }
            }
        }
    }

    /** A per-channel parameter ({@code [1, C]}: bias, batch-norm gamma, beta, mean, variance). */
    private static void copyVector(INDArray src, INDArray dst, int[] channels, String layer) {
        if (channels.length != dst.length()) {
            throw new IllegalArgumentException("cannot inherit weights: " + layer + " has " + dst.length() + " channels, its map " + channels.length);
        }
        for (int i = 0; i < channels.length; i++) {
            if (channels[i] >= src.length()) {
                throw new IllegalArgumentException("cannot inherit weights: " + layer + " needs channel " + channels[i] + " of the supernet's "
                        + src.length());
            }
            dst.putScalar(i, src.getDouble(channels[i]));
        }
    }

    private static void requireSame(long a, long b, String what) {
        if (a != b) {
            throw new IllegalArgumentException("cannot inherit weights: " + what + " differ (" + a + " vs " + b + ")");
        }
    }
}
