package dev.kompakt.strategies.architecture;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ShuffleNet's channel shuffle (Zhang et al. 2018) as a DL4J graph vertex: the channels of an NCHW map, seen as
 * {@code groups} groups of {@code C/groups}, are interleaved: output channel {@code k*groups + j} is input channel
 * {@code j*(C/groups) + k}. It is reshape [N, g, C/g, H, W], transpose of the two channel axes, reshape [N, C, H, W]
 * (exactly the ONNX export's Reshape-Transpose-Reshape). No parameters; the gradient is the inverse permutation.
 * DL4J 1.0.0-M2.1 has no permute vertex, hence this one; it serialises with the configuration by its class name.
 */
public final class ChannelShuffleVertex extends GraphVertex {
    private static final long serialVersionUID = 1L;
    private int groups;

    /** For deserialisation. */
    public ChannelShuffleVertex() {
        this(2);
    }

    public ChannelShuffleVertex(int groups) {
        if (groups < 2) {
            throw new IllegalArgumentException("channel shuffle needs at least 2 groups, got " + groups);
        }
        this.groups = groups;
    }

    public int getGroups() {
        return groups;
    }

    public void setGroups(int groups) {
        this.groups = groups;
    }

    @Override
    public ChannelShuffleVertex clone() {
        return new ChannelShuffleVertex(groups);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelShuffleVertex v && v.groups == groups;
    }

    @Override
    public int hashCode() {
        return 31 * ChannelShuffleVertex.class.hashCode() + groups;
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx, INDArray paramsView,
                                                                     boolean initializeParams, DataType networkDatatype) {
        return new Impl(graph, name, idx, groups, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... in) throws InvalidInputTypeException {
        if (in.length != 1 || !(in[0] instanceof InputType.InputTypeConvolutional c)) {
            throw new InvalidInputTypeException("channel shuffle takes one convolutional (NCHW) input, got " + java.util.Arrays.toString(in));
        }
        if (c.getChannels() % groups != 0) {
            throw new InvalidInputTypeException("channel shuffle of " + c.getChannels() + " channels into " + groups + " groups: not divisible");
        }
        return in[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... in) {
        return new LayerMemoryReport.Builder(null, ChannelShuffleVertex.class, in[0], in[0]).standardMemory(0, 0).workingMemory(0, 0, 0, 0)
                .cacheMemory(0, 0).build();
    }

    @Override
    public String toString() {
        return "ChannelShuffleVertex(groups=" + groups + ")";
    }

    /** {@code x} [N, C, H, W] with its channels permuted: {@code groups} groups interleaved, or (inverse) de-interleaved. */
    static INDArray shuffle(INDArray x, int groups, boolean inverse) {
        long n = x.size(0);
        long c = x.size(1);
        long h = x.size(2);
        long w = x.size(3);
        long a = inverse ? c / groups : groups;
        long b = inverse ? groups : c / groups;
        return x.dup('c').reshape('c', n, a, b, h, w).permute(0, 2, 1, 3, 4).dup('c').reshape('c', n, c, h, w);
    }

    /** The vertex in a running graph. */
    static final class Impl extends BaseGraphVertex {
        private final int groups;

        Impl(ComputationGraph graph, String name, int index, int groups, DataType dataType) {
            super(graph, name, index, null, null, dataType);
            this.groups = groups;
        }

        @Override
        public boolean hasLayer() {
            return false;
        }

        @Override
        public Layer getLayer() {
            return null;
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoForward() || inputs[0].rank() != 4) {
                throw new IllegalStateException("vertex '" + vertexName + "': channel shuffle needs one NCHW input");
            }
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, shuffle(inputs[0], groups, false));
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
            if (!canDoBackward()) {
                throw new IllegalStateException("vertex '" + vertexName + "': no epsilon to backpropagate");
            }
            return new Pair<>(null, new INDArray[] {workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, shuffle(epsilon, groups, true))});
        }

        @Override
        public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
            if (backpropGradientsViewArray != null) {
                throw new IllegalArgumentException("channel shuffle has no parameters");
            }
        }

        @Override
        public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState, int minibatchSize) {
            return new Pair<>(maskArrays == null || maskArrays.length == 0 ? null : maskArrays[0], currentMaskState);
        }

        @Override
        public String toString() {
            return "ChannelShuffle(" + vertexName + ", groups=" + groups + ")";
        }
    }
}
