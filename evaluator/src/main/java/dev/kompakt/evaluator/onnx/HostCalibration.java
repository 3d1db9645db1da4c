package dev.kompakt.evaluator.onnx;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.LayerCost;
import dev.kompakt.evaluator.hardware.HostEnergy;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import dev.kompakt.evaluator.cost.GraphCostModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The host's measured profile, made once per JVM at an executor's first trial: a fixed set of micro-benchmarks
 * (the CNN and MLP families at four widths, each exported as float32 and as INT8, 28x28 inputs, untrained weights
 * since latency does not depend on their values) is timed in ONNX Runtime at batch 1 with the probe's intra-op
 * threads, and {@link HostLatencyModel} is fitted to them. The fitted model predicts a candidate's host latency from
 * its layer costs ({@code latency_pred_ms@host}); the measured ONNX Runtime latency stays the host's objective.
 * Fit quality is the largest relative error of the fitted model on its own micro-benchmarks; it says how well the
 * model's kernel classes describe this host, not how well it predicts unseen candidates (HostLatencyBenchmark
 * measures that).
 *
 * <p>Thread-safe: {@link #forThisJvm} measures under a lock, so concurrent first trials wait for one calibration.
 * Costs a few seconds of one core; call it before trials run so no training competes with the timings.
 */
public record HostCalibration(HostLatencyModel model, String cpu, int intraOpThreads, List<Point> points, double maxRelativeError,
                              double seconds, boolean raplReadable) {
    /** Widths of the micro-benchmark networks (the search's student widths span about 0.2 to 2). */
    static final double[] WIDTHS = {0.3, 0.7, 1.2, 2.0};
    static final int ROWS = 28;
    static final int COLS = 28;
    static final int CLASSES = 10;
    static final int WARMUP = 100;
    static final int REPEATS = 300;

    private static final Map<Integer, HostCalibration> CACHE = new HashMap<>();

    /** One micro-benchmark: what it was, its MACs, its measured p50 and the fitted model's value. */
    public record Point(String name, boolean int8, long macs, double measuredMs, double fittedMs) {
        public double relativeError() {
            return fittedMs / measuredMs - 1;
        }
    }

    public HostCalibration {
        points = List.copyOf(points);
        if (intraOpThreads < 1) {
            throw new IllegalArgumentException("host calibration needs intraOpThreads >= 1, got " + intraOpThreads);
        }
    }

    /** This JVM's calibration for the thread count, measured on the first call and cached for the JVM's life. */
    public static synchronized HostCalibration forThisJvm(int intraOpThreads) {
        HostCalibration c = CACHE.get(intraOpThreads);
        if (c == null) {
            c = measure(intraOpThreads, WARMUP, REPEATS);
            CACHE.put(intraOpThreads, c);
        }
        return c;
    }

    /** Whether this JVM already holds a calibration for the thread count. */
    public static synchronized boolean isCached(int intraOpThreads) {
        return CACHE.containsKey(intraOpThreads);
    }

    /** Runs the micro-benchmarks and fits the model; not cached. */
    public static HostCalibration measure(int intraOpThreads, int warmup, int repeats) {
        long t0 = System.nanoTime();
        // activation ranges for the INT8 exports; values do not change the timings, so a few random rows suffice
        INDArray calibration = Nd4j.rand(DataType.FLOAT, 16, ROWS * COLS);
        float[] input = calibration.getRow(0).dup('c').data().asFloat();
        List<HostLatencyModel.Sample> samples = new ArrayList<>();
        List<String> names = new ArrayList<>();
        long seed = 0;
        for (Architecture.Family family : Architecture.Family.values()) {
            for (double width : WIDTHS) {
                Architecture arch = new Architecture(family, width);
                ComputationGraph net = NetworkFactory.build(arch, ROWS, COLS, CLASSES, seed++, 1e-3, null);
                InputType inputType = NetworkFactory.inputType(arch, ROWS, COLS);
                List<LayerCost> layers = GraphCostModel.of(net, inputType, Map.of());
                for (boolean int8 : new boolean[] {false, true}) {
                    byte[] onnx = int8 ? GraphOnnxExporter.int8(net, inputType, calibration, Map.of()) : GraphOnnxExporter.fp32(net, inputType);
                    double ms = OrtThread.call(() -> {
                        try (OnnxModel m = new OnnxModel(onnx, ROWS * COLS, intraOpThreads)) {
                            return m.latency(input, 1, warmup, repeats).p50Ms();
                        }
                    });
                    samples.add(new HostLatencyModel.Sample(layers, int8 ? indices(layers, GraphOnnxExporter.integerLayers(net)) : Set.of(), ms));
                    names.add(String.format(Locale.ROOT, "%s %.1f %s", family, width, int8 ? "INT8" : "FP32"));
                }
            }
        }
        HostLatencyModel model = HostLatencyModel.fit(samples);
        List<Point> points = new ArrayList<>();
        double maxError = 0;
        for (int i = 0; i < samples.size(); i++) {
            HostLatencyModel.Sample s = samples.get(i);
            Point p = new Point(names.get(i), !s.integerLayers().isEmpty(), CostModel.totalMacs(s.layers()), s.measuredMs(),
                    model.predictMs(s.layers(), s.integerLayers()));
            points.add(p);
            maxError = Math.max(maxError, Math.abs(p.relativeError()));
        }
        return new HostCalibration(model, LatencyProbe.hostCpu(), intraOpThreads, points, maxError, (System.nanoTime() - t0) / 1e9,
                HostEnergy.readMicrojoules().isPresent());
    }

    /** Predicted batch-1 latency in ms of a network with these layer costs, integer layers as exported. */
    public double predictMs(List<LayerCost> layers, Set<Integer> integerLayers) {
        return model.predictMs(layers, integerLayers);
    }

    /** One line for logs and provenance. */
    public String describe() {
        return String.format(Locale.ROOT, "host calibration on %s: %d ONNX Runtime micro-benchmarks (%d intra-op thread%s), "
                        + "max relative error %.1f%%, %.1f s; energy from %s", cpu, points.size(), intraOpThreads,
                intraOpThreads == 1 ? "" : "s", 100 * maxRelativeError, seconds, raplReadable ? "RAPL" : "the model (RAPL not readable)");
    }

    /** The positions in {@code costs} of the named vertices: the host latency model's integer layers. */
    public static Set<Integer> indices(List<LayerCost> costs, Set<String> vertices) {
        Set<Integer> out = new java.util.TreeSet<>();
        costs.stream().filter(c -> vertices.contains(c.name())).forEach(c -> out.add(c.index()));
        return out;
    }
}
