package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.cost.LayerCost;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.onnx.GraphOnnxExporter;
import dev.kompakt.evaluator.onnx.HostCalibration;
import dev.kompakt.evaluator.onnx.HostLatencyModel;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Host latency model against ONNX Runtime measurements. Calibration: 48 networks of the CNN and MLP families at
 * random widths in [0.2, 2.1], half float32 and half INT8 exports. Validation: 40 other candidates drawn with
 * another seed: family, width in [0.3, 1.8], global magnitude sparsity, and weight bits (32 = float32 export,
 * 8/6/4 = INT8 export).
 * Prints every candidate's predicted and measured batch-1 p50, the share within ±10%, and Spearman's rank
 * correlation. Latency does not depend on weight values, so networks are not trained.
 */
public final class HostLatencyBenchmark {
    static final int CALIBRATION_NETWORKS = 48;

    private HostLatencyBenchmark() {
    }

    public static void run(int candidates, int warmup, int repeats, long seed, PrintStream out) {
        INDArray calibration = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 64, 784);
        float[] input = calibration.getRow(0).dup('c').data().asFloat();
        out.printf("host latency model on %s, %d cores; ONNX Runtime, 1 intra-op thread, batch 1, p50 of %d runs after %d warm-up%n%n",
                LatencyProbe.hostCpu(), Runtime.getRuntime().availableProcessors(), repeats, warmup);
        List<HostLatencyModel.Sample> fit = new ArrayList<>();
        List<String> calibrationNames = new ArrayList<>();
        Random calibrationRandom = new Random(seed + 1000);
        for (int i = 0; i < CALIBRATION_NETWORKS; i++) {
            Architecture.Family family = Architecture.Family.values()[i % 2];
            double w = 0.2 + calibrationRandom.nextDouble() * 1.9;
            boolean int8 = (i / 2) % 2 == 1;
            Architecture arch = new Architecture(family, w);
            ComputationGraph net = NetworkFactory.build(arch, 28, 28, 10, i, 1e-3, null);
            fit.add(measure(net, arch, int8, Map.of(), calibration, input, warmup, repeats));
            calibrationNames.add(String.format("| %s | %.2f | %s", family, w, int8 ? "INT8" : "FP32"));
        }
        HostLatencyModel model = HostLatencyModel.fit(fit);
        out.println("calibration networks (random widths; measured, and the fitted model's value):");
        out.println("| family | width | export | MACs | measured µs | fitted µs |");
        out.println("|---|---|---|---|---|---|");
        for (int i = 0; i < fit.size(); i++) {
            HostLatencyModel.Sample s = fit.get(i);
            out.printf("%s | %,d | %.1f | %.1f |%n", calibrationNames.get(i), CostModel.totalMacs(s.layers()), s.measuredMs() * 1000,
                    model.predictMs(s.layers(), s.integerLayers()) * 1000);
        }
        out.println();
        out.println("fitted coefficients (microseconds per unit): " + HostLatencyModel.FEATURES);
        out.println("  " + format(model.coefficients()) + "; effective cache " + (model.l2Bytes() >> 10) + " KiB (L2 per sysfs: "
                + (HostLatencyModel.l2CacheBytes() >> 10) + " KiB)");
        out.println();
        out.println("| # | family | width | sparsity | weight bits | export | MACs | predicted µs | measured µs | error |");
        out.println("|---|---|---|---|---|---|---|---|---|---|");
        Random random = new Random(seed);
        int[] bitsChoices = {32, 8, 6, 4};
        double[] predicted = new double[candidates];
        double[] measured = new double[candidates];
        List<HostLatencyModel.Sample> samples = new ArrayList<>();
        int within = 0;
        for (int i = 0; i < candidates; i++) {
            Architecture.Family family = Architecture.Family.values()[random.nextInt(2)];
            double width = 0.3 + random.nextDouble() * 1.5;
            double sparsity = random.nextDouble() * 0.9;
            int bits = bitsChoices[random.nextInt(bitsChoices.length)];
            Architecture arch = new Architecture(family, width);
            ComputationGraph net = NetworkFactory.build(arch, 28, 28, 10, 100 + i, 1e-3, null);
            new MagnitudePruner(MagnitudePruner.Scope.GLOBAL).prune(net, sparsity);
            Map<String, Integer> layerBits = new HashMap<>();
            if (bits < 32) {
                new WeightQuantizer(bits).quantize(net).forEach(q -> layerBits.put(q.layer(), q.bits()));
            }
            HostLatencyModel.Sample s = measure(net, arch, bits <= 8, layerBits, calibration, input, warmup, repeats);
            samples.add(s);
            predicted[i] = model.predictMs(s.layers(), s.integerLayers()) * 1000;
            measured[i] = s.measuredMs() * 1000;
            double error = (predicted[i] - measured[i]) / measured[i];
            within += Math.abs(error) <= 0.10 ? 1 : 0;
            out.printf("| %d | %s | %.2f | %.2f | %d | %s | %,d | %.1f | %.1f | %+.1f%% |%n", i, family, width, sparsity, bits,
                    bits <= 8 ? "INT8" : "FP32", CostModel.totalMacs(s.layers()), predicted[i], measured[i], 100 * error);
        }
        out.printf("%nwithin ±10%%: %d of %d (%.0f%%); Spearman rank correlation %.3f%n", within, candidates, 100.0 * within / candidates,
                new SpearmansCorrelation().correlation(predicted, measured));
    }

    private static HostLatencyModel.Sample measure(ComputationGraph net, Architecture arch, boolean int8, Map<String, Integer> bits,
                                                   INDArray calibration, float[] input, int warmup, int repeats) {
        org.deeplearning4j.nn.conf.inputs.InputType inputType = NetworkFactory.inputType(arch, 28, 28);
        List<LayerCost> layers = GraphCostModel.of(net, inputType, bits);
        byte[] model = int8 ? GraphOnnxExporter.int8(net, inputType, calibration, bits) : GraphOnnxExporter.fp32(net, inputType);
        double ms = OrtThread.call(() -> {
            try (OnnxModel onnx = new OnnxModel(model, 784, 1)) {
                return onnx.latency(input, 1, warmup, repeats).p50Ms();
            }
        });
        return new HostLatencyModel.Sample(layers, int8 ? HostCalibration.indices(layers, GraphOnnxExporter.integerLayers(net)) : java.util.Set.of(), ms);
    }

    private static String format(double[] c) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format("%s=%.4g", HostLatencyModel.FEATURES.get(i), c[i]));
        }
        return sb.toString();
    }
}
