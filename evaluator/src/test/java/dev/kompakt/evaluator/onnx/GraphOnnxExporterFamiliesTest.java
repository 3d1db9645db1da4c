package dev.kompakt.evaluator.onnx;

import dev.kompakt.evaluator.TestData;
import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import onnx.Onnx;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GraphOnnxExporter} on the built-in families (the search's CNN and LeNet-300-100), trained briefly on the bundled
 * Fashion-MNIST subset: flat [N, 784] inputs (the CNN reshapes them to 1x28x28), the float and INT8 exports against DL4J,
 * the size of the files against the cost model's accounting, and fake-quantized weights stored as the same integers.
 */
class GraphOnnxExporterFamiliesTest {
    static final Map<Architecture.Family, ComputationGraph> NETS = new EnumMap<>(Architecture.Family.class);
    static DataSet train;
    static DataSet test;

    @BeforeAll
    static void train() {
        train = Tensors.toDataSet(TestData.bundled().train().stratified(1000));
        test = Tensors.toDataSet(TestData.bundled().test().stratified(500));
        for (Architecture.Family f : Architecture.Family.values()) {
            ComputationGraph net = NetworkFactory.build(new Architecture(f, 1.0), 28, 28, 10, 5, 3e-3, null);
            Training.fit(net, train, 2, 32, PruningMasks.none(), 5);
            NETS.put(f, net);
        }
    }

    static InputType input(Architecture.Family family) {
        return NetworkFactory.inputType(new Architecture(family, 1.0), 28, 28);
    }

    static INDArray calibration() {
        return train.getFeatures().get(NDArrayIndex.interval(0, 200), NDArrayIndex.all());
    }

    /** Top-1 agreement of the ONNX model with DL4J on the test split, and the largest |p_onnx - p_dl4j| in {@code maxAbsDiff[0]}. */
    static double agreement(ComputationGraph net, byte[] model, double[] maxAbsDiff) {
        INDArray x = test.getFeatures();
        int n = (int) x.size(0);
        INDArray reference = Training.predict(net, x);
        float[] data = x.dup('c').data().asFloat();
        float[][] out = OrtThread.call(() -> {
            try (OnnxModel onnx = new OnnxModel(model, (int) x.size(1), 1)) {
                return onnx.predict(data, n);
            }
        });
        int agree = 0;
        double diff = 0;
        int[] expected = reference.argMax(1).toIntVector();
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int k = 0; k < out[i].length; k++) {
                diff = Math.max(diff, Math.abs(out[i][k] - reference.getDouble(i, k)));
                if (out[i][k] > out[i][best]) {
                    best = k;
                }
            }
            agree += best == expected[i] ? 1 : 0;
        }
        maxAbsDiff[0] = diff;
        return (double) agree / n;
    }

    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void fp32ExportOfFlatInputFamiliesMatchesDl4j(Architecture.Family family) {
        ComputationGraph net = NETS.get(family);
        double[] diff = new double[1];
        double agree = agreement(net, GraphOnnxExporter.fp32(net, input(family)), diff);
        assertEquals(1.0, agree, 1e-9, family + " fp32 top-1 agreement");
        assertTrue(diff[0] < 1e-4, family + " max |p_onnx - p_dl4j| = " + diff[0]);
    }

    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void int8ExportRunsOnIntegerKernelsAndAgrees(Architecture.Family family) {
        ComputationGraph net = NETS.get(family);
        byte[] fp32 = GraphOnnxExporter.fp32(net, input(family));
        byte[] int8 = GraphOnnxExporter.int8(net, input(family), calibration(), Map.of());
        double[] diff = new double[1];
        double agree = agreement(net, int8, diff);
        System.out.printf("%s: fp32 %d B, int8 %d B, int8 top-1 agreement %.4f, max prob diff %.4f%n", family, fp32.length, int8.length, agree, diff[0]);
        // the CNN's first convolution has one input channel: it computes in float on its quantized weights
        assertEquals(family == Architecture.Family.CNN ? Set.of("conv2", "fc1", "out") : Set.of("fc1", "fc2", "out"),
                GraphOnnxExporter.integerLayers(net));
        assertTrue(agree >= 0.95, family + " int8 agreement " + agree);
        assertTrue(int8.length * 3 < fp32.length, "int8 file " + int8.length + " B vs fp32 " + fp32.length + " B");
    }

    /**
     * The exported files hold exactly the tensors the cost model accounts for, plus what the ONNX form adds: the QDQ
     * metadata of the INT8 model (per output channel of an integer layer an int8 weight zero point, a float32 bias scale
     * and an int32 bias zero point: 9 bytes; per quantized activation a float32 scale and a uint8 zero point: 5 bytes), the
     * float32 weights of a layer the INT8 model computes in float (the CNN's one-channel conv1, accounted at 8 bits with
     * its scales), the int64 shape of the CNN's input reshape, and graph structure (names, shapes, attributes) of at most
     * 80 bytes per node and tensor.
     */
    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void sizeAccountingMatchesTheExportedFiles(Architecture.Family family) throws Exception {
        ComputationGraph net = NETS.get(family);
        long dense = CostModel.totalStorageBytes(GraphCostModel.of(net, input(family), Map.of()));
        Map<String, Integer> eight = new HashMap<>();
        WeightTensors.of(net).forEach(t -> eight.put(t.layer(), 8));
        long int8 = CostModel.totalStorageBytes(GraphCostModel.of(net, input(family), eight));
        byte[] fp32File = GraphOnnxExporter.fp32(net, input(family));
        byte[] int8File = GraphOnnxExporter.int8(net, input(family), calibration(), Map.of());
        System.out.printf("%s: accounted %d B float / %d B int8; ONNX files %d B / %d B%n", family, dense, int8, fp32File.length, int8File.length);

        Onnx.GraphProto fp32 = Onnx.ModelProto.parseFrom(fp32File).getGraph();
        assertEquals(dense, bytes(fp32, Onnx.TensorProto.DataType.FLOAT_VALUE), "float: the float32 tensors are the accounted parameters");
        assertEquals(bytes(fp32, -1), dense + bytes(fp32, Onnx.TensorProto.DataType.INT64_VALUE), "float: nothing else but reshape shapes");
        assertStructure(fp32, fp32File.length, family + " float");

        Onnx.GraphProto q = Onnx.ModelProto.parseFrom(int8File).getGraph();
        Set<String> integer = GraphOnnxExporter.integerLayers(net);
        long extra = 0;
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            extra += integer.contains(t.layer()) ? 9 * t.outputChannels() : 3 * t.weights().length() - 4 * t.outputChannels();
        }
        long activations = q.getInitializerList().stream().filter(t -> t.getDataType() == Onnx.TensorProto.DataType.UINT8_VALUE).count();
        assertTrue(activations > 0, "quantized activations");
        assertEquals(int8 + extra + 5 * activations + bytes(q, Onnx.TensorProto.DataType.INT64_VALUE), bytes(q, -1),
                "int8: the accounted tensors plus the QDQ metadata, float layers and reshape shapes");
        assertStructure(q, int8File.length, family + " int8");
    }

    /** Raw bytes of the initializers of one data type (-1: all). */
    static long bytes(Onnx.GraphProto graph, int dataType) {
        return graph.getInitializerList().stream().filter(t -> dataType < 0 || t.getDataType() == dataType).mapToLong(t -> t.getRawData().size()).sum();
    }

    static void assertStructure(Onnx.GraphProto graph, long fileBytes, String what) {
        long structure = fileBytes - bytes(graph, -1);
        int elements = graph.getNodeCount() + graph.getInitializerCount();
        assertTrue(structure > 0 && structure <= 80L * elements, what + ": " + structure + " B of structure for " + elements + " nodes and tensors");
    }

    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void fakeQuantizedWeightsExportAsTheSameIntegers(Architecture.Family family) throws Exception {
        ComputationGraph net = NETS.get(family).clone();
        new MagnitudePruner(MagnitudePruner.Scope.GLOBAL).prune(net, 0.5);
        Map<String, Integer> bits = new HashMap<>();
        new WeightQuantizer(4).quantize(net).forEach(q -> bits.put(q.layer(), q.bits()));
        byte[] model = GraphOnnxExporter.int8(net, input(family), calibration(), bits);
        double[] diff = new double[1];
        double agree = agreement(net, model, diff);
        assertTrue(agree >= 0.95, family + " 4-bit int8 export agreement " + agree);

        // every weight of the model is the DL4J weight: an integer layer's int8 levels are the 4-bit grid's integers
        // (max |w| of a channel at level 7), at the grid's scale; a float layer (the CNN's conv1) holds the values themselves
        Onnx.GraphProto graph = Onnx.ModelProto.parseFrom(model).getGraph();
        Set<String> integer = GraphOnnxExporter.integerLayers(net);
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            float[] w = t.weights().dup('c').data().asFloat();
            Onnx.NodeProto linear = graph.getNodeList().stream()
                    .filter(n -> (n.getOpType().equals("Conv") || n.getOpType().equals("Gemm")) && n.getOutput(0).startsWith(t.layer() + "/"))
                    .findFirst().orElseThrow(() -> new AssertionError("no Conv/Gemm for " + t.layer()));
            String weightInput = linear.getInput(1);
            if (!integer.contains(t.layer())) {
                float[] stored = floats(initializer(graph, weightInput));
                assertEquals(w.length, stored.length, t.layer());
                float largest = 0;
                for (float v : w) {
                    largest = Math.max(largest, Math.abs(v));
                }
                for (int i = 0; i < w.length; i++) {
                    assertEquals(w[i], stored[i], 1e-6 * largest, t.layer() + "[" + i + "]: float weights are the DL4J weights");
                }
                continue;
            }
            Onnx.NodeProto dq = graph.getNodeList().stream().filter(n -> n.getOutput(0).equals(weightInput)).findFirst().orElseThrow();
            assertEquals("DequantizeLinear", dq.getOpType(), t.layer());
            Onnx.TensorProto levelsTensor = initializer(graph, dq.getInput(0));
            assertEquals(Onnx.TensorProto.DataType.INT8_VALUE, levelsTensor.getDataType(), t.layer() + " stored as int8");
            byte[] levels = levelsTensor.getRawData().toByteArray();
            float[] scales = floats(initializer(graph, dq.getInput(1)));
            int channels = (int) t.outputChannels();
            assertEquals(channels, scales.length, t.layer() + ": one scale per output channel");
            assertEquals(w.length, levels.length, t.layer());
            long stride = t.convolution() ? w.length / channels : 1;
            float[] max = new float[channels];
            for (int i = 0; i < w.length; i++) {
                int c = (int) ((i / stride) % channels);
                max[c] = Math.max(max[c], Math.abs(w[i]));
            }
            for (int i = 0; i < w.length; i++) {
                int c = (int) ((i / stride) % channels);
                double step = max[c] / 7.0;
                long expected = step == 0 ? 0 : Math.round(w[i] / step);
                assertTrue(Math.abs(expected) <= 7, t.layer() + "[" + i + "]: level " + expected);
                assertEquals(expected, levels[i], t.layer() + "[" + i + "]: the same integer as DL4J's 4-bit grid");
                assertEquals(step, scales[c], 1e-6 * step, t.layer() + " channel " + c + " scale");
                assertEquals(w[i], levels[i] * scales[c], 1e-6 * max[c], t.layer() + "[" + i + "]: level x scale is the DL4J weight");
            }
        }
    }

    static Onnx.TensorProto initializer(Onnx.GraphProto graph, String name) {
        return graph.getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no initializer " + name));
    }

    static float[] floats(Onnx.TensorProto t) {
        assertEquals(Onnx.TensorProto.DataType.FLOAT_VALUE, t.getDataType(), t.getName());
        ByteBuffer b = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }
}
