package dev.kompakt.evaluator.onnx;

import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A small builder for ONNX graphs on the protobuf classes that ship inside nd4j-api ({@code onnx.Onnx}). Keeps
 * node and tensor names unique; writes initializers as little-endian raw data. Not thread-safe.
 */
final class OnnxGraph {
    static final int OPSET = 13;
    private final List<Onnx.NodeProto> nodes = new ArrayList<>();
    private final List<Onnx.TensorProto> initializers = new ArrayList<>();
    private int counter;

    String fresh(String stem) {
        return stem + "_" + (counter++);
    }

    String floats(String stem, long[] shape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return initializer(stem, Onnx.TensorProto.DataType.FLOAT_VALUE, shape, b.array());
    }

    String int8s(String stem, long[] shape, byte[] values) {
        return initializer(stem, Onnx.TensorProto.DataType.INT8_VALUE, shape, values);
    }

    String uint8s(String stem, long[] shape, byte[] values) {
        return initializer(stem, Onnx.TensorProto.DataType.UINT8_VALUE, shape, values);
    }

    String int32s(String stem, long[] shape, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            b.putInt(v);
        }
        return initializer(stem, Onnx.TensorProto.DataType.INT32_VALUE, shape, b.array());
    }

    String int64s(String stem, long[] shape, long[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return initializer(stem, Onnx.TensorProto.DataType.INT64_VALUE, shape, b.array());
    }

    private String initializer(String stem, int dataType, long[] shape, byte[] raw) {
        String name = fresh(stem);
        Onnx.TensorProto.Builder t = Onnx.TensorProto.newBuilder().setName(name).setDataType(dataType).setRawData(ByteString.copyFrom(raw));
        for (long d : shape) {
            t.addDims(d);
        }
        initializers.add(t.build());
        return name;
    }

    /** Adds a node with one output and returns the output's name. */
    String node(String op, List<String> inputs, Onnx.AttributeProto... attributes) {
        return labelled(op, "n_" + op, inputs, attributes);
    }

    /** As {@link #node}, with node and output names that start with {@code label} (a DL4J vertex name, for reading the model). */
    String labelled(String op, String label, List<String> inputs, Onnx.AttributeProto... attributes) {
        String out = fresh(label.equals("n_" + op) ? op.toLowerCase() : label + "/" + op.toLowerCase());
        Onnx.NodeProto.Builder n = Onnx.NodeProto.newBuilder().setOpType(op).setName(fresh(label)).addAllInput(inputs).addOutput(out);
        for (Onnx.AttributeProto a : attributes) {
            n.addAttribute(a);
        }
        nodes.add(n.build());
        return out;
    }

    static Onnx.AttributeProto ints(String name, long... values) {
        Onnx.AttributeProto.Builder a = Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    static Onnx.AttributeProto integer(String name, long value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.INT).setI(value).build();
    }

    static Onnx.AttributeProto real(String name, float value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    /** The model: one float input [N, features] named "input" and one float output [N, classes] named "output". */
    byte[] build(String graphName, String lastOutput, long features, long classes) {
        return build(graphName, new long[] {-1, features}, lastOutput, new long[] {-1, classes}, List.of());
    }

    /**
     * The model: one float input named "input" of shape {@code inputDims} and one float output named "output" (the tensor
     * {@code lastOutput}) of shape {@code outputDims}; a negative dimension is the dynamic batch size "N". Each of
     * {@code extraOutputs} (tensors of the graph) becomes a further float graph output of unknown shape under its own name.
     */
    byte[] build(String graphName, long[] inputDims, String lastOutput, long[] outputDims, List<String> extraOutputs) {
        nodes.add(Onnx.NodeProto.newBuilder().setOpType("Identity").setName("n_output").addInput(lastOutput).addOutput("output").build());
        Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder().setName(graphName)
                .addAllNode(nodes).addAllInitializer(initializers)
                .addInput(valueInfo("input", inputDims))
                .addOutput(valueInfo("output", outputDims));
        for (String extra : extraOutputs) {
            graph.addOutput(Onnx.ValueInfoProto.newBuilder().setName(extra).setType(Onnx.TypeProto.newBuilder().setTensorType(
                    Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE))));
        }
        return Onnx.ModelProto.newBuilder().setIrVersion(7).setProducerName("kompakt").setGraph(graph)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .build().toByteArray();
    }

    private static Onnx.ValueInfoProto valueInfo(String name, long[] dims) {
        Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
        for (long d : dims) {
            shape.addDim(d < 0 ? Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N")
                    : Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
