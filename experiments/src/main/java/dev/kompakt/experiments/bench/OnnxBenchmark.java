package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.data.DatasetSource;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.evaluator.onnx.GraphOnnxExporter;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.strategies.pruning.GraphChannelPruning;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * ONNX Runtime on this host: float32 against INT8 exports of the baseline CNN and MLP, and of their
 * structurally pruned halves (width 0.5, the strongest channels kept), at batch 1 and 64 with one intra-op
 * thread; the exported file's bytes beside Kompakt's size accounting; the export's top-1 agreement with DL4J.
 */
public final class OnnxBenchmark {
    private OnnxBenchmark() {
    }

    public static void run(DatasetSource.Splits data, int epochs, int warmup, int repeats, PrintStream out) {
        SampleSet trainRaw = data.train().stratified(10_000);
        DataSet train = Tensors.toDataSet(trainRaw);
        DataSet test = Tensors.toDataSet(data.test().stratified(2_000));
        INDArray calibration = train.getFeatures().get(NDArrayIndex.interval(0, 256), NDArrayIndex.all());
        out.printf("ONNX Runtime benchmark on %s, %d cores; one intra-op thread; %d warm-up + %d timed runs per cell at batch 1 (a quarter"
                + " at batch 64), split over %d rounds that alternate FP32 and INT8; p50 of run(), median over the rounds%n",
                LatencyProbe.hostCpu(), Runtime.getRuntime().availableProcessors(), warmup, repeats, ROUNDS);
        out.printf("data: %s (%d train, %d test); baselines trained %d epochs%n%n", data.directory(), trainRaw.size(), test.numExamples(), epochs);
        out.println("| model | precision | params | accounted bytes | ONNX file bytes | batch-1 p50 µs | batch-64 p50 µs | b1 speed-up vs fp32 | b64 speed-up vs fp32 | top-1 agreement with DL4J | DL4J accuracy |");
        out.println("|---|---|---|---|---|---|---|---|---|---|---|");
        for (Architecture.Family family : Architecture.Family.values()) {
            Architecture arch = new Architecture(family, 1.0);
            ComputationGraph base = NetworkFactory.build(arch, 28, 28, 10, 11, 2e-3, null);
            Training.fit(base, train, epochs, 64, PruningMasks.none(), 11);
            ComputationGraph half = NetworkFactory.forTraining(GraphChannelPruning.prune(base, 0.5, ImportanceCriterion.l1()), 1e-3, null, 11,
                    true);
            Training.fit(half, train, 1, 64, PruningMasks.none(), 11);
            row(out, family + " w1.0", arch, base, train, test, calibration, warmup, repeats);
            row(out, family + " w0.5 (structured)", arch.withWidth(0.5), half, train, test, calibration, warmup, repeats);
        }
    }

    /** The two export forms a row times. */
    enum Precision { FP32, INT8 }

    /** Rounds of interleaved timing: each round times every precision once, so load on the host hits them alike. */
    static final int ROUNDS = 5;

    private static void row(PrintStream out, String name, Architecture arch, ComputationGraph net, DataSet train, DataSet test,
                            INDArray calibration, int warmup, int repeats) {
        double accuracy = Training.accuracy(net, test);
        INDArray reference = Training.predict(net, test.getFeatures());
        long params = CostModel.totalParameters(GraphCostModel.of(net, NetworkFactory.inputType(arch, 28, 28), Map.of()));
        Precision[] precisions = Precision.values();
        long[] accounted = new long[precisions.length];
        byte[][] models = new byte[precisions.length][];
        for (Precision precision : precisions) {
            Map<String, Integer> bits = new HashMap<>();
            if (precision == Precision.INT8) {
                for (var t : dev.kompakt.strategies.WeightTensors.of(net)) {
                    bits.put(t.layer(), 8);
                }
            }
            accounted[precision.ordinal()] = CostModel.totalStorageBytes(GraphCostModel.of(net, NetworkFactory.inputType(arch, 28, 28), bits));
            models[precision.ordinal()] = precision == Precision.FP32 ? GraphOnnxExporter.fp32(net, NetworkFactory.inputType(arch, 28, 28))
                    : GraphOnnxExporter.int8(net, NetworkFactory.inputType(arch, 28, 28), calibration, Map.of());
        }
        // [precision] -> {agreement, batch-1 p50 ms, batch-64 p50 ms}, each p50 the median over ROUNDS interleaved rounds
        double[][] r = dev.kompakt.evaluator.onnx.OrtThread.call(() -> {
            OnnxModel[] onnx = new OnnxModel[models.length];
            try {
                double[][] cells = new double[models.length][3];
                double[][][] rounds = new double[models.length][2][ROUNDS];
                for (int p = 0; p < models.length; p++) {
                    onnx[p] = new OnnxModel(models[p], 784, 1);
                    cells[p][0] = onnx[p].top1Agreement(test.getFeatures(), reference, Training.inferenceBatch(net, test.getFeatures()));
                }
                float[] one = test.getFeatures().getRow(0).dup('c').data().asFloat();
                float[] batch = test.getFeatures().get(NDArrayIndex.interval(0, 64), NDArrayIndex.all()).dup('c').data().asFloat();
                for (int k = 0; k < ROUNDS; k++) {
                    for (int p = 0; p < models.length; p++) {
                        rounds[p][0][k] = onnx[p].latency(one, 1, warmup / ROUNDS, Math.max(50, repeats / ROUNDS)).p50Ms();
                        rounds[p][1][k] = onnx[p].latency(batch, 64, warmup / 4 / ROUNDS, Math.max(20, repeats / 4 / ROUNDS)).p50Ms();
                    }
                }
                for (int p = 0; p < models.length; p++) {
                    cells[p][1] = median(rounds[p][0]);
                    cells[p][2] = median(rounds[p][1]);
                }
                return cells;
            } finally {
                for (OnnxModel m : onnx) {
                    if (m != null) {
                        m.close();
                    }
                }
            }
        });
        double[] fp32 = r[Precision.FP32.ordinal()];
        for (Precision precision : precisions) {
            double[] c = r[precision.ordinal()];
            out.printf("| %s | %s | %,d | %,d | %,d | %.1f | %.1f | %.2fx | %.2fx | %.4f | %.4f |%n", name, precision, params,
                    accounted[precision.ordinal()], models[precision.ordinal()].length, c[1] * 1000, c[2] * 1000, fp32[1] / c[1], fp32[2] / c[2],
                    c[0], accuracy);
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        java.util.Arrays.sort(s);
        return s[s.length / 2];
    }
}
