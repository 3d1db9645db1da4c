package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.data.Resize;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.onnx.GraphOnnxExporter;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.experiments.RecordedRun;
import dev.kompakt.experiments.RunData;
import dev.kompakt.experiments.SearchRunner;
import dev.kompakt.experiments.report.RunComparison;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.pareto.ParetoFront;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.architecture.Families;
import dev.kompakt.strategies.plan.CompressionPlan;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code bin/kompakt bench nas}: the joint architecture + compression search against the compression-only search of the
 * CNN baseline, on the same problem (Fashion-MNIST, objectives accuracy, latency on the Raspberry Pi 4 profile and
 * size), the same data budget (training samples and epochs per candidate, the same baseline and teacher) and the same
 * wall time ({@code budget.maxMinutes}). Then, per built family, the float32 and INT8 ONNX exports timed in ONNX Runtime
 * at batch 64, and the joint run's float32 export agreement per family. Prints a Markdown report: {@code kompakt
 * compare}'s hypervolumes, the most accurate points under each latency, and what was reached at 150 kB.
 */
public final class NasBenchmark {
    /** What the benchmark runs with. */
    public record Settings(double minutes, long seed, int trainSamples, int epochs, int baselineEpochs, Path runsDir) {
    }

    private NasBenchmark() {
    }

    public static void run(Settings s, PrintStream out) throws Exception {
        Instant started = Instant.now();
        Files.createDirectories(s.runsDir());
        String compression = spec("nas-compression", s, "");
        String joint = spec("nas-joint", s, """
                  architecture:
                    families: [baseline, resnet, mobilenet, ghostnet, shufflenet]
                    minDepth: 1
                    maxDepth: 2
                    widths: [0.25, 0.5, 0.75, 1.0]
                    kernels: [3, 5, 7]
                    expansions: [2, 4, 6]
                    se: [false, true]
                    activations: [relu, hardswish]
                    resolutions: [14, 20, 28]
                """);
        Map<String, Path> runs = new LinkedHashMap<>();
        Map<String, Duration> walls = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : List.of(Map.entry("compression-only", compression), Map.entry("joint", joint))) {
            Path specFile = s.runsDir().resolve(e.getKey() + ".yaml");
            Files.writeString(specFile, e.getValue());
            ExperimentSpec spec = SpecLoader.load(specFile, ProfileRegistry.builtIn().all().keySet());
            Path runDir = s.runsDir().resolve(e.getKey());
            out.printf("searching %s for %.0f minutes (%s) ...%n", e.getKey(), s.minutes(), runDir);
            ByteArrayOutputStream console = new ByteArrayOutputStream();
            SearchRunner.Result r = SearchRunner.run(spec, e.getValue(), new SearchRunner.Options("local[*]", runDir, null, null, null),
                    new PrintStream(console, true, StandardCharsets.UTF_8));
            Files.writeString(s.runsDir().resolve(e.getKey() + ".log"), console.toString(StandardCharsets.UTF_8));
            runs.put(e.getKey(), runDir);
            walls.put(e.getKey(), r.wallTime());
            out.printf("  %d trials in %s%n", r.summary().trials().size(), r.wallTime());
        }
        RecordedRun compressionRun = RecordedRun.load(runs.get("compression-only"), ProfileRegistry.builtIn().all().keySet());
        RecordedRun jointRun = RecordedRun.load(runs.get("joint"), ProfileRegistry.builtIn().all().keySet());
        report(s, compressionRun, jointRun, walls, Duration.between(started, Instant.now()), out);
    }

    static String spec(String name, Settings s, String architecture) {
        return """
                # written by bin/kompakt bench nas
                schemaVersion: 1
                name: %s
                seed: %d
                data:
                  dataset: fashion-mnist
                  trainSamples: 60000
                  testSamples: 10000
                baseline:
                  architecture: cnn
                  epochs: %d
                  batchSize: 64
                  learningRate: 0.002
                strategies:
                %s  student: { widths: [0.25, 0.5, 0.75, 1.0], init: [inherit], criteria: [l1] }
                  pruning: { minSparsity: 0.0, maxSparsity: 0.9, schedules: [oneshot, agp] }
                  quantization: { weightBits: [32, 8] }
                  distillation: { minTemperature: 1.0, maxTemperature: 8.0, minAlpha: 0.3, maxAlpha: 0.9 }
                budget:
                  trials: 100000
                  maxMinutes: %s
                  fineTuneEpochs: %d
                  studentEpochs: %d
                  trainSamples: %d
                  batchSize: 64
                search:
                  sampler: motpe
                  startupTrials: 10
                  objectives:
                    - { metric: accuracy, direction: maximize }
                    - { metric: latency_ms@rpi4, direction: minimize }
                    - { metric: size_bytes, direction: minimize }
                devices: [rpi4]
                execution:
                  latencyWarmup: 20
                  latencyRepeats: 100
                """.formatted(name, s.seed(), s.baselineEpochs(), architecture, s.minutes(), s.epochs(), s.epochs(), s.trainSamples());
    }

    private static void report(Settings s, RecordedRun compression, RecordedRun joint, Map<String, Duration> walls, Duration total,
                               PrintStream out) throws Exception {
        List<Objective> objectives = compression.spec().search().objectives();
        out.printf("%n# Architecture + compression search against compression only%n%n");
        out.printf("Command: `bin/kompakt bench nas --minutes %s --seed %d --train-samples %d --candidate-epochs %d --baseline-epochs %d`; %s total.%n%n",
                fmt(s.minutes()), s.seed(), s.trainSamples(), s.epochs(), s.baselineEpochs(), total.withNanos(0));
        out.printf("Problem: Fashion-MNIST (the Debian set when installed; 54,000 training / 6,000 validation / 10,000 test images), objectives"
                + " accuracy (validation, max), latency_ms@rpi4 (min), size_bytes (min). Both runs share the baseline (CNN, %d epochs on all"
                + " training images, cached) as teacher and start point, MO-TPE (10 random trials first), seed %d, and the same data budget"
                + " per candidate: %,d training samples, %d epochs (students, built families) or %d (fine-tuning the baseline). Each run"
                + " asks trials for %s minutes (budget.maxMinutes), then finishes those in flight.%n%n",
                s.baselineEpochs(), s.seed(), s.trainSamples(), s.epochs(), s.epochs(), fmt(s.minutes()));
        out.println("| run | trials | complete | wall time | front | hypervolume (`kompakt compare`) |");
        out.println("|---|---:|---:|---:|---:|---:|");
        RunComparison cmp = RunComparison.of(List.of(compression, joint));
        String[] names = {"compression-only", "joint"};
        for (int i = 0; i < 2; i++) {
            RunComparison.Row r = cmp.rows().get(i);
            out.printf("| %s | %d | %d | %s | %d | %.4f |%n", names[i], r.trials(), r.complete(), walls.get(names[i]).withNanos(0), r.front(),
                    r.hypervolume());
        }
        out.println();

        List<Trial> cFront = ParetoFront.of(compression.trials(), objectives, List.of());
        List<Trial> jFront = ParetoFront.of(joint.trials(), objectives, List.of());
        out.println("Most accurate point at or below each compression-only front point's latency (accuracy on validation; test accuracy in"
                + " brackets):");
        out.println();
        out.println("| latency_ms@rpi4 <= | compression-only | joint | joint's network | gain (pp) |");
        out.println("|---:|---:|---:|---|---:|");
        double bestGainAtTop = Double.NaN;
        double maxGain = Double.NEGATIVE_INFINITY;
        List<Trial> byLatency = new ArrayList<>(cFront);
        byLatency.sort(Comparator.comparingDouble(t -> t.metric("latency_ms@rpi4")));
        Trial top = cFront.stream().max(Comparator.comparingDouble(t -> t.metric("accuracy"))).orElse(null);
        for (Trial c : byLatency) {
            double lat = c.metric("latency_ms@rpi4");
            Trial cBest = best(compression.trials(), lat).orElseThrow();
            Optional<Trial> jBest = best(joint.trials(), lat);
            double gain = jBest.map(j -> 100 * (j.metric("accuracy") - cBest.metric("accuracy"))).orElse(Double.NaN);
            maxGain = Double.isNaN(gain) ? maxGain : Math.max(maxGain, gain);
            if (c == top) {
                bestGainAtTop = gain;
            }
            out.printf("| %.4f | %s | %s | %s | %s |%n", lat, acc(cBest), jBest.map(NasBenchmark::acc).orElse("none"),
                    jBest.map(NasBenchmark::network).orElse(""), Double.isNaN(gain) ? "" : String.format(Locale.ROOT, "%+.2f", gain));
        }
        out.printf("%nAt the latency of the most accurate compression-only point the joint search's best is %s pp %s; the largest gain"
                + " at any of these latencies is %+.2f pp.%n%n", Double.isNaN(bestGainAtTop) ? "n/a" : String.format(Locale.ROOT, "%+.2f", bestGainAtTop),
                Double.isNaN(bestGainAtTop) ? "" : bestGainAtTop >= 1.0 ? "(>= 1.0: met)" : "(< 1.0: not met)", maxGain);

        out.println("Most accurate point (test accuracy) at or below 150 kB size_bytes in each run:");
        out.println();
        for (int i = 0; i < 2; i++) {
            RecordedRun r = i == 0 ? compression : joint;
            Optional<Trial> t = r.trials().stream().filter(x -> x.state() == TrialState.COMPLETE && x.metric("size_bytes") <= 150_000)
                    .max(Comparator.comparingDouble(x -> x.metric("test_accuracy")));
            out.printf("- %s: %s%n", names[i], t.map(x -> String.format(Locale.ROOT, "trial %d, test accuracy %.4f, %,.0f B, %s", x.number(),
                    x.metric("test_accuracy"), x.metric("size_bytes"), network(x))).orElse("none"));
        }
        out.println();

        out.println("The joint run's trials by family (float32 export agreement with DL4J on the 10,000 test images, lowest per family):");
        out.println();
        out.println("| family | trials | complete | best accuracy | lowest float32 agreement | mean train seconds |");
        out.println("|---|---:|---:|---:|---:|---:|");
        for (Family f : Family.values()) {
            List<Trial> ts = joint.trials().stream().filter(t -> family(t) == f).toList();
            List<Trial> done = ts.stream().filter(t -> t.state() == TrialState.COMPLETE).toList();
            double agreement = done.stream().filter(t -> t.metric("onnx_int8") == 0.0).mapToDouble(t -> t.metric("onnx_top1_agreement")).min()
                    .orElse(Double.NaN);
            out.printf("| %s | %d | %d | %s | %s | %s |%n", f.id(), ts.size(), done.size(),
                    done.stream().mapToDouble(t -> t.metric("accuracy")).max().stream().mapToObj(v -> String.format(Locale.ROOT, "%.4f", v))
                            .findFirst().orElse(""),
                    Double.isNaN(agreement) ? "" : String.format(Locale.ROOT, "%.4f", agreement),
                    done.stream().mapToDouble(t -> t.metric("train_seconds")).average().stream().mapToObj(v -> String.format(Locale.ROOT, "%.0f", v))
                            .findFirst().orElse(""));
        }
        out.println();
        onnxSpeed(out);
    }

    /**
     * Each built family at width 1 (ResNet also 2), kernel 3, expansion 4 (SE in stage 3), 28x28 and 16x16: float32 against
     * INT8 in ONNX Runtime at batch 64.
     */
    public static void onnxSpeed(PrintStream out) throws IOException {
        out.println("Float32 and INT8 ONNX exports in ONNX Runtime, batch 64, one intra-op thread (p50 of 200 runs after 50 warm-up; untrained"
                + " weights: the arithmetic does not depend on them; INT8 calibrated on 256 training images):");
        out.println();
        out.println("| network | params | float32 ms | INT8 ms | speed-up | integer layers |");
        out.println("|---|---:|---:|---:|---:|---:|");
        INDArray images = Tensors.toDataSet(dev.kompakt.evaluator.data.DatasetSource.load("fashion-mnist", RunData.bundledData(), 10).train()
                .stratified(512)).getFeatures();
        record Shape(Family family, double width, int resolution) {
        }
        List<Shape> shapes = new ArrayList<>();
        for (Family f : List.of(Family.RESNET, Family.MOBILENET, Family.GHOSTNET, Family.SHUFFLENET)) {
            for (double w : f == Family.RESNET ? new double[] {1.0, 2.0} : new double[] {1.0}) {   // width 2: 32/64/128 channels
                for (int r : new int[] {28, 16}) {
                    shapes.add(new Shape(f, w, r));
                }
            }
        }
        for (Shape shape : shapes) {
            Family f = shape.family();
            int r = shape.resolution();
            double w = shape.width();
            ArchitectureStrategy.Plan plan = new ArchitectureStrategy.Plan(f, ArchitectureStrategy.Act.RELU,
                    List.of(new ArchitectureStrategy.Stage(1, w, 3, 4, false), new ArchitectureStrategy.Stage(2, w, 3, 4, false),
                            new ArchitectureStrategy.Stage(2, w, 3, 4, true)), r, 0);
            ComputationGraph net = Families.build(plan, 1, r, r, 10, 1);
            INDArray x = Resize.bilinear(images, 1, 28, 28, r, r);
            InputType input = InputType.convolutionalFlat(r, r, 1);
            long[] sample = {1, r, r};
            byte[] fp32 = GraphOnnxExporter.fp32(net, input, sample);
            byte[] int8 = GraphOnnxExporter.int8(net, input, x.get(NDArrayIndex.interval(0, 256), NDArrayIndex.all()), Map.of(), sample);
            float[] batch = x.get(NDArrayIndex.interval(0, 64), NDArrayIndex.all()).dup('c').data().asFloat();
            double[] ms = OrtThread.call(() -> {
                try (OnnxModel a = new OnnxModel(fp32, sample, 1); OnnxModel b = new OnnxModel(int8, sample, 1)) {
                    return new double[] {a.latency(batch, 64, 50, 200).p50Ms(), b.latency(batch, 64, 50, 200).p50Ms()};
                }
            });
            out.printf("| %s | %,d | %.3f | %.3f | %.2fx | %d |%n", plan.describe().replace(" | ", " / "), net.numParams(), ms[0], ms[1], ms[0] / ms[1],
                    GraphOnnxExporter.integerLayers(net).size());
        }
        out.println();
    }

    /** The most accurate COMPLETE trial at or below {@code latency} on the Raspberry Pi 4 profile. */
    private static Optional<Trial> best(List<Trial> trials, double latency) {
        return trials.stream().filter(t -> t.state() == TrialState.COMPLETE && t.metric("latency_ms@rpi4") <= latency)
                .max(Comparator.comparingDouble(t -> t.metric("accuracy")));
    }

    private static Family family(Trial t) {
        return t.assignment().has(ArchitectureStrategy.FAMILY) ? CompressionPlan.from(t.assignment()).architecture().family() : Family.BASELINE;
    }

    private static String acc(Trial t) {
        return String.format(Locale.ROOT, "%.4f (%.4f) #%d", t.metric("accuracy"), t.metric("test_accuracy"), t.number());
    }

    private static String network(Trial t) {
        CompressionPlan p = CompressionPlan.from(t.assignment());
        String arch = p.architecture().isBaseline() ? "cnn width " + p.student().width() : p.architecture().describe();
        return arch + String.format(Locale.ROOT, ", %.0f%% sparse, %s", 100 * t.metric("sparsity"), t.metric("onnx_int8") == 1.0 ? "INT8" : "FP32");
    }

    private static String fmt(double minutes) {
        return minutes == Math.rint(minutes) ? Long.toString((long) minutes) : Double.toString(minutes);
    }
}
