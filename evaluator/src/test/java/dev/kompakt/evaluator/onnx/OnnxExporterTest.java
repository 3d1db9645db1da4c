package dev.kompakt.evaluator.onnx;

import dev.kompakt.evaluator.TestData;
import dev.kompakt.evaluator.data.ImageDataset;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.MagnitudePruner;
import dev.kompakt.strategies.PruningMasks;
import dev.kompakt.strategies.WeightQuantizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OnnxExporterTest {
    static final Map<Architecture.Family, MultiLayerNetwork> NETS = new EnumMap<>(Architecture.Family.class);
    static DataSet train;
    static DataSet test;

    @BeforeAll
    static void train() {
        ImageDataset tr = TestData.bundled().train().stratified(1000);
        train = Tensors.toDataSet(tr);
        test = Tensors.toDataSet(TestData.bundled().test().stratified(500));
        for (Architecture.Family f : Architecture.Family.values()) {
            MultiLayerNetwork net = NetworkFactory.build(new Architecture(f, 1.0), 28, 28, 10, 5, 3e-3, null);
            Training.fit(net, train, 2, 32, PruningMasks.none(), 5);
            NETS.put(f, net);
        }
    }

    static double agreement(MultiLayerNetwork net, byte[] model, double[] maxAbsDiff) {
        INDArray x = test.getFeatures();
        int n = (int) x.size(0);
        INDArray reference = net.output(x, false);
        try (OnnxModel onnx = new OnnxModel(model, (int) x.size(1), 1)) {
            float[][] out = onnx.predict(x.dup('c').data().asFloat(), n);
            int agree = 0;
            double diff = 0;
            for (int i = 0; i < n; i++) {
                int best = 0;
                for (int k = 1; k < out[i].length; k++) {
                    if (out[i][k] > out[i][best]) {
                        best = k;
                    }
                    diff = Math.max(diff, Math.abs(out[i][k] - reference.getDouble(i, k)));
                }
                diff = Math.max(diff, Math.abs(out[i][0] - reference.getDouble(i, 0)));
                if (best == reference.getRow(i).argMax().getInt(0)) {
                    agree++;
                }
            }
            maxAbsDiff[0] = diff;
            return (double) agree / n;
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void fp32ExportMatchesDl4j(Architecture.Family family) {
        MultiLayerNetwork net = NETS.get(family);
        double[] diff = new double[1];
        double agree = agreement(net, OnnxExporter.fp32(net), diff);
        assertEquals(1.0, agree, 1e-9, family + " fp32 top-1 agreement");
        assertTrue(diff[0] < 1e-4, family + " max |p_onnx - p_dl4j| = " + diff[0]);
    }

    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void int8ExportRunsOnIntegerKernelsAndAgrees(Architecture.Family family) {
        MultiLayerNetwork net = NETS.get(family);
        INDArray calibration = train.getFeatures().get(NDArrayIndex.interval(0, 200), NDArrayIndex.all());
        byte[] fp32 = OnnxExporter.fp32(net);
        byte[] int8 = OnnxExporter.int8(net, calibration, Map.of());
        double[] diff = new double[1];
        double agree = agreement(net, int8, diff);
        System.out.printf("%s: fp32 %d B, int8 %d B, int8 top-1 agreement %.4f, max prob diff %.4f%n", family, fp32.length, int8.length, agree, diff[0]);
        assertTrue(agree >= 0.95, family + " int8 agreement " + agree);
        assertTrue(int8.length * 3 < fp32.length, "int8 file " + int8.length + " B vs fp32 " + fp32.length + " B");
    }

    @org.junit.jupiter.api.Test
    void int8CnnPoolsTheFloatFirstConvolutionBeforeItsReluAndQuantization() throws Exception {
        MultiLayerNetwork net = NETS.get(Architecture.Family.CNN);
        INDArray calibration = train.getFeatures().get(NDArrayIndex.interval(0, 200), NDArrayIndex.all());
        onnx.Onnx.GraphProto graph = onnx.Onnx.ModelProto.parseFrom(OnnxExporter.int8(net, calibration, Map.of())).getGraph();
        java.util.List<String> ops = graph.getNodeList().stream().map(onnx.Onnx.NodeProto::getOpType).toList();
        // Relu between MaxPool and QuantizeLinear: ONNX Runtime would otherwise run the pool on uint8 in NCHW (10x slower)
        assertEquals(java.util.List.of("Reshape", "Conv", "MaxPool", "Relu", "QuantizeLinear", "QLinearConv", "MaxPool"), ops.subList(0, 7));
    }

    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void sizeAccountingMatchesTheExportedFiles(Architecture.Family family) {
        MultiLayerNetwork net = NETS.get(family);
        var input = dev.kompakt.evaluator.net.NetworkFactory.inputType(new Architecture(family, 1.0), 28, 28);
        long dense = dev.kompakt.evaluator.cost.CostModel.totalStorageBytes(dev.kompakt.evaluator.cost.CostModel.of(net, input, Map.of()));
        Map<Integer, Integer> eight = new HashMap<>();
        dev.kompakt.strategies.WeightTensors.of(net).forEach(t -> eight.put(t.layerIndex(), 8));
        long int8 = dev.kompakt.evaluator.cost.CostModel.totalStorageBytes(dev.kompakt.evaluator.cost.CostModel.of(net, input, eight));
        long fp32File = OnnxExporter.fp32(net).length;
        INDArray calibration = train.getFeatures().get(NDArrayIndex.interval(0, 200), NDArrayIndex.all());
        long int8File = OnnxExporter.int8(net, calibration, Map.of()).length;
        System.out.printf("%s: accounted %d B float / %d B int8; ONNX files %d B / %d B%n", family, dense, int8, fp32File, int8File);
        // the files hold exactly the accounted tensors plus graph structure (names, shapes, attributes, activation scales)
        assertTrue(fp32File >= dense && fp32File - dense <= 0.02 * dense + 2_500, "float: file " + fp32File + " vs accounted " + dense);
        assertTrue(int8File >= int8 && int8File - int8 <= 0.02 * int8 + 2_500, "int8: file " + int8File + " vs accounted " + int8);
    }

    @ParameterizedTest
    @EnumSource(Architecture.Family.class)
    void fakeQuantizedWeightsExportExactly(Architecture.Family family) {
        MultiLayerNetwork net = NETS.get(family).clone();
        new MagnitudePruner(MagnitudePruner.Scope.GLOBAL).prune(net, 0.5);
        Map<Integer, Integer> bits = new HashMap<>();
        new WeightQuantizer(4).quantize(net).forEach(q -> bits.put(q.layerIndex(), q.bits()));
        INDArray calibration = train.getFeatures().get(NDArrayIndex.interval(0, 200), NDArrayIndex.all());
        double[] diff = new double[1];
        double agree = agreement(net, OnnxExporter.int8(net, calibration, bits), diff);
        assertTrue(agree >= 0.95, family + " 4-bit int8 export agreement " + agree);
    }
}
