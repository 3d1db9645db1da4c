package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.data.DatasetSource;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.FeatureDistillation;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.ThreadMemory;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.evaluator.onnx.GraphOnnxExporter;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.strategies.distillation.RelationalDistillationLoss;
import dev.kompakt.strategies.pruning.GraphChannelPruning;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import dev.kompakt.strategies.quantization.BiasCorrection;
import dev.kompakt.strategies.quantization.Calibration;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import dev.kompakt.strategies.distillation.DistillationLoss;
import dev.kompakt.strategies.pruning.GradualPruning;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.quantization.MinMaxCalibration;
import dev.kompakt.strategies.quantization.PercentileCalibration;
import dev.kompakt.strategies.quantization.QuantizationScheme;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The compression strategies on Fashion-MNIST, one row per measurement, mean and spread over seeds. The baselines of
 * every seed are trained first (or loaded from {@link Settings#baselines}), then every measurement of every seed runs as
 * an independent task on two threads (one ND4J thread each), in three sections:
 * <ul>
 *   <li>pruning: the MLP 784-300-100-10 pruned to 90% by AGP and one-shot with the same fine-tuning, beside the dense
 *       baseline fine-tuned alike; the CNN with half the filters of each convolution removed physically (strongest L1
 *       filters kept), fine-tuned on a cosine learning-rate schedule with cross-entropy and with distillation from the
 *       unpruned baseline, beside the unpruned CNN fine-tuned alike;</li>
 *   <li>quantization, for the MLP and the CNN: weight PTQ at 8 bits and at 4 bits per channel with each calibration
 *       (min-max, percentile, MSE, KL), with and without bias correction, per-tensor and asymmetric at 4 bits, and
 *       4-bit quantization-aware fine-tuning against a float fine-tune of the same epochs followed by PTQ; the INT8
 *       ONNX export (weights and activations) measured in ONNX Runtime;</li>
 *   <li>distillation: a small CNN student (under a quarter of the teacher's parameters) trained from scratch without
 *       distillation, with response KD, with feature KD (FitNets) and with relation KD (RKD), the CNN baseline as
 *       teacher.</li>
 * </ul>
 */
public final class StrategiesBenchmark {
    /** The sections {@link Settings#only} may name. */
    public static final List<String> SECTIONS = List.of("pruning", "quantization", "distillation");
    /** Learning rate of every fine-tune that starts from a baseline's weights. */
    static final double FINE_TUNE_LR = 5e-4;
    static final double MLP_LR = 1e-3;
    static final double CNN_LR = 2e-3;
    /** Learning rate of the CNN with half its filters removed (its inherited weights need larger changes than a fine-tune). */
    static final double PRUNED_CNN_LR = 1e-3;
    static final double STUDENT_LR = 3e-3;
    static final double STUDENT_WIDTH = 0.45;
    static final double KD_TEMPERATURE = 2.0;
    static final double KD_ALPHA = 0.5;
    /** Epochs of FitNets' stage 1 (hint training) before the student's own epochs. */
    static final int HINT_EPOCHS = 2;

    private StrategiesBenchmark() {
    }

    /**
     * Settings: seeds, and epochs for baselines, fine-tuning and students; train = 0 uses every training sample; only =
     * null runs every section, else the one named (see {@link #SECTIONS}).
     */
    public record Settings(int seeds, int baselineEpochs, int fineTuneEpochs, int studentEpochs, int train, String only, Path baselines) {
        public Settings {
            for (String section : only == null ? new String[0] : only.split(",")) {
                if (!SECTIONS.contains(section.trim())) {
                    throw new IllegalArgumentException("unknown benchmark section '" + section.trim() + "' (known: " + String.join(", ", SECTIONS) + ")");
                }
            }
        }

        public Settings(int seeds, int baselineEpochs, int fineTuneEpochs, int studentEpochs, int train) {
            this(seeds, baselineEpochs, fineTuneEpochs, studentEpochs, train, null, null);
        }

        boolean runs(String section) {
            return only == null || java.util.Arrays.stream(only.split(",")).map(String::trim).anyMatch(section::equals);
        }
    }

    public static void run(DatasetSource.Splits splits, Settings s, PrintStream out) throws Exception {
        DataSet train = Tensors.toDataSet(s.train() > 0 ? splits.train().stratified(s.train()) : splits.train());
        DataSet test = Tensors.toDataSet(splits.test());
        out.printf("compression strategies on %s: %d train, %d test; %d seeds, tasks on 2 threads; baselines %d epochs, fine-tuning %d (lr %s), "
                        + "students %d; Adam, batch 128; %s; host %s%n%n", splits.directory(), train.numExamples(), test.numExamples(), s.seeds(),
                s.baselineEpochs(), s.fineTuneEpochs(), FINE_TUNE_LR, s.studentEpochs(), s.only() == null ? "all sections" : "only " + s.only(),
                LatencyProbe.hostCpu());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            // phase 1: the baselines of every seed; phase 2: every measurement of every seed, as independent tasks so that
            // both threads stay busy (each task works on its own copies of the baselines)
            List<Future<Baselines>> baselines = new ArrayList<>();
            for (int seed = 1; seed <= s.seeds(); seed++) {
                long sd = seed;
                baselines.add(pool.submit(releasing(() -> Baselines.of(train, test, s, sd))));
            }
            List<List<Future<Map<String, Double>>>> tasks = new ArrayList<>();
            for (Future<Baselines> f : baselines) {
                tasks.add(submitTasks(pool, f.get(), train, test, s));
            }
            List<Map<String, Double>> results = new ArrayList<>();
            for (int i = 0; i < tasks.size(); i++) {
                Map<String, Double> r = new LinkedHashMap<>(baselines.get(i).get().rows());
                for (Future<Map<String, Double>> t : tasks.get(i)) {
                    r.putAll(t.get());
                }
                addDistillationGains(r);
                results.add(r);
            }
            out.println("| measurement | mean | spread (min .. max) |");
            out.println("|---|---|---|");
            for (String key : results.get(0).keySet()) {
                double mean = results.stream().mapToDouble(r -> r.get(key)).average().orElse(Double.NaN);
                double min = results.stream().mapToDouble(r -> r.get(key)).min().orElse(Double.NaN);
                double max = results.stream().mapToDouble(r -> r.get(key)).max().orElse(Double.NaN);
                out.printf("| %s | %.4f | %.4f .. %.4f |%n", key, mean, min, max);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The trained baselines of one seed, their test accuracies, and the CNN teacher's outputs on the training set
     * (computed once, since a network's forward pass is not safe to share between threads).
     */
    private record Baselines(long seed, ComputationGraph mlp, double mlpAccuracy, ComputationGraph cnn, double cnnAccuracy, long cnnParameters,
                             INDArray teacherProbabilities, INDArray teacherLogits) {
        static Baselines of(DataSet train, DataSet test, Settings s, long seed) throws IOException {
            ComputationGraph mlp = null;
            double mlpAcc = Double.NaN;
            if (s.runs("pruning") || s.runs("quantization")) {
                mlp = baseline(new Architecture(Architecture.Family.MLP, 1.0), MLP_LR, train, s, seed);
                mlpAcc = Training.accuracy(mlp, test);
            }
            Architecture cnnArch = new Architecture(Architecture.Family.CNN, 1.0);
            ComputationGraph cnn = baseline(cnnArch, CNN_LR, train, s, seed);
            INDArray probabilities = s.runs("pruning") || s.runs("distillation") ? Training.predict(cnn, train.getFeatures()) : null;
            INDArray logits = s.runs("distillation") ? Training.logits(cnn, train.getFeatures()) : null;
            return new Baselines(seed, mlp, mlpAcc, cnn, Training.accuracy(cnn, test), parameters(cnn, cnnArch), probabilities, logits);
        }

        Map<String, Double> rows() {
            Map<String, Double> r = new LinkedHashMap<>();
            if (mlp != null) {
                r.put("MLP baseline accuracy", mlpAccuracy);
            }
            r.put("CNN baseline accuracy", cnnAccuracy);
            return r;
        }
    }

    /** {@code task}, then the release of the ND4J workspaces it attached to its pool thread. */
    private static <T> java.util.concurrent.Callable<T> releasing(java.util.concurrent.Callable<T> task) {
        return () -> {
            try {
                return task.call();
            } finally {
                ThreadMemory.release();
            }
        };
    }

    /** The measurement tasks of one seed, in the order their rows are printed. */
    private static List<Future<Map<String, Double>>> submitTasks(ExecutorService pool, Baselines b, DataSet train, DataSet test, Settings s) {
        List<java.util.concurrent.Callable<Map<String, Double>>> tasks = new ArrayList<>();
        long seed = b.seed();
        INDArray calibration = train.getFeatures().get(NDArrayIndex.interval(0, 256), NDArrayIndex.all());
        if (s.runs("pruning")) {
            tasks.add(() -> mlpPruning(b.mlp().clone(), b.mlpAccuracy(), train, test, s, seed));
            tasks.add(() -> cnnDenseFineTune(b.cnn().clone(), b.cnnAccuracy(), train, test, s, seed));
            tasks.add(() -> cnnFilterPruning(b.cnn().clone(), b.cnnAccuracy(), b.cnnParameters(), b.teacherProbabilities(), train, test, s, seed, false));
            tasks.add(() -> cnnFilterPruning(b.cnn().clone(), b.cnnAccuracy(), b.cnnParameters(), b.teacherProbabilities(), train, test, s, seed, true));
        }
        if (s.runs("quantization")) {
            tasks.add(() -> {
                Map<String, Double> r = new LinkedHashMap<>();
                quantization("MLP", b.mlp().clone(), b.mlpAccuracy(), train, test, calibration, s, seed, r);
                r.put("MLP INT8 ONNX (weights + activations, min-max calibration): loss (pp)",
                        100 * (b.mlpAccuracy() - onnxAccuracy(GraphOnnxExporter.int8(b.mlp().clone(), MLP_INPUT, calibration, Map.of()), test)));
                return r;
            });
            tasks.add(() -> {
                Map<String, Double> r = new LinkedHashMap<>();
                quantization("CNN", b.cnn().clone(), b.cnnAccuracy(), train, test, calibration, s, seed, r);
                r.put("CNN INT8 ONNX (weights + activations): loss (pp)",
                        100 * (b.cnnAccuracy() - onnxAccuracy(GraphOnnxExporter.int8(b.cnn().clone(), CNN_INPUT, calibration, Map.of()), test)));
                return r;
            });
        }
        if (s.runs("distillation")) {
            for (String kind : List.of("none", "response", "feature", "relation")) {
                tasks.add(() -> student(kind, b, train, test, s));
            }
        }
        List<Future<Map<String, Double>>> futures = new ArrayList<>();
        for (var t : tasks) {
            futures.add(pool.submit(releasing(t)));
        }
        return futures;
    }

    /**
     * The MLP pruned to 90% by AGP (4 pruning steps per fine-tuning epoch, each followed by a quarter epoch of
     * fine-tuning) and one-shot with the same fine-tuning budget; beside them the dense baseline fine-tuned for the same
     * epochs, so a gain from extra training is not mistaken for a gain from pruning.
     */
    private static Map<String, Double> mlpPruning(ComputationGraph mlpBase, double mlpAcc, DataSet train, DataSet test, Settings s, long seed) {
        Map<String, Double> r = new LinkedHashMap<>();
        ComputationGraph dense = mlpBase.clone();
        dense.setLearningRate(FINE_TUNE_LR);
        Training.fit(dense, train, s.fineTuneEpochs(), 128, PruningMasks.none(), seed);
        r.put("MLP dense baseline fine-tuned the same epochs (no pruning): loss (pp)", 100 * (mlpAcc - Training.accuracy(dense, test)));
        ComputationGraph agp = mlpBase.clone();
        agp.setLearningRate(FINE_TUNE_LR);
        MagnitudePruner pruner = new MagnitudePruner(MagnitudePruner.Scope.GLOBAL);
        int steps = 4 * s.fineTuneEpochs();
        GradualPruning schedule = new GradualPruning(0.0, 0.9, steps);
        for (int t = 1; t <= steps; t++) {
            PruningMasks masks = pruner.prune(agp, schedule.sparsityAt(t));
            Training.fit(agp, quarter(train, (t - 1) % 4), 1, 128, masks, seed + t);
        }
        r.put("MLP AGP 90%: sparsity", MagnitudePruner.sparsity(agp));
        r.put("MLP AGP 90%: accuracy loss (pp)", 100 * (mlpAcc - Training.accuracy(agp, test)));
        ComputationGraph oneShot = mlpBase.clone();
        oneShot.setLearningRate(FINE_TUNE_LR);
        PruningMasks masks = pruner.prune(oneShot, 0.9);
        Training.fit(oneShot, train, s.fineTuneEpochs(), 128, masks, seed);
        r.put("MLP one-shot 90%: accuracy loss (pp)", 100 * (mlpAcc - Training.accuracy(oneShot, test)));
        return r;
    }

    /**
     * The CNN with half the filters of each convolution removed physically (conv1 8 -> 4, conv2 16 -> 8; the strongest L1
     * filters kept, fc1 keeps its 64 units and loses the inputs of the removed filters), fine-tuned with a cosine-decayed
     * learning rate from {@value #PRUNED_CNN_LR} ({@link #fitCosine}) with cross-entropy or, when {@code distil}, with response distillation from the unpruned baseline (prune, then distil, in one budget).
     */
    private static Map<String, Double> cnnFilterPruning(ComputationGraph cnnBase, double cnnAcc, long p0, INDArray teacherProbabilities,
                                                        DataSet train, DataSet test, Settings s, long seed, boolean distil) {
        Map<String, Double> r = new LinkedHashMap<>();
        // half of each convolution's filters (the strongest by L1) and all of fc1's units; conv1 and conv2 are the graph's
        // channel groups, fc1 is left whole
        List<GraphChannelPruning.Selection> halves = GraphChannelPruning.select(cnnBase,
                g -> g.producers().contains("fc1") ? 1.0 : 0.5, ImportanceCriterion.l1(), Map.of());
        ComputationGraph pruned = NetworkFactory.forTraining(GraphChannelPruning.prune(cnnBase, halves), PRUNED_CNN_LR,
                distil ? new DistillationLoss(KD_TEMPERATURE, KD_ALPHA) : null, seed, true);
        if (!distil) {
            r.put("CNN 50% of filters removed: parameters (fraction of baseline)", (double) parameters(pruned, new Architecture(Architecture.Family.CNN, 1.0)) / p0);
            r.put("CNN 50% of filters removed, before fine-tuning: accuracy loss (pp)", 100 * (cnnAcc - Training.accuracy(pruned, test)));
        }
        DataSet data = distil ? new DataSet(train.getFeatures(), DistillationLoss.encodeTargets(train.getLabels(), teacherProbabilities,
                KD_TEMPERATURE)) : train;
        fitCosine(pruned, data, s.fineTuneEpochs(), PRUNED_CNN_LR, seed);
        r.put("CNN 50% of filters removed, fine-tuned" + (distil ? " with KD from the baseline" : "") + " (cosine lr): accuracy loss (pp)",
                100 * (cnnAcc - Training.accuracy(pruned, test)));
        if (distil) {
            double l0 = onnxLatencyMs(GraphOnnxExporter.fp32(cnnBase, CNN_INPUT));
            double l1 = onnxLatencyMs(GraphOnnxExporter.fp32(pruned, CNN_INPUT));
            r.put("CNN 50% of filters removed: ONNX Runtime batch-1 latency (fraction of baseline)", l1 / l0);
        }
        return r;
    }

    /**
     * The unpruned CNN baseline fine-tuned exactly like the pruned one (same epochs, cosine schedule from the same
     * learning rate), so that a gain from the extra training is not mistaken for a property of the pruned network.
     */
    private static Map<String, Double> cnnDenseFineTune(ComputationGraph cnnBase, double cnnAcc, DataSet train, DataSet test, Settings s, long seed) {
        fitCosine(cnnBase, train, s.fineTuneEpochs(), PRUNED_CNN_LR, seed);
        return Map.of("CNN dense baseline fine-tuned alike (no pruning, cosine lr): loss (pp)", 100 * (cnnAcc - Training.accuracy(cnnBase, test)));
    }

    /**
     * Fine-tunes for {@code epochs} with the learning rate decayed per epoch on a half cosine from {@code lr0}
     * (epoch e of E at lr0 * (1 + cos(pi * e / E)) / 2; Loshchilov and Hutter 2017, without restarts); the
     * optimiser's state carries over between epochs.
     */
    static void fitCosine(ComputationGraph net, DataSet data, int epochs, double lr0, long seed) {
        for (int e = 0; e < epochs; e++) {
            net.setLearningRate(cosineRate(lr0, e, epochs));
            Training.fit(net, data, 1, 128, PruningMasks.none(), seed * 1000 + e);
        }
    }

    static double cosineRate(double lr0, int epoch, int epochs) {
        return lr0 * (1 + Math.cos(Math.PI * epoch / epochs)) / 2;
    }

    /**
     * A student CNN with at most a quarter of the teacher's parameters (width {@value #STUDENT_WIDTH}), trained from
     * scratch for the student epochs: without distillation ({@code none}), with response KD (Hinton 2015), with FitNets
     * hint training ({@value #HINT_EPOCHS} epochs of stage 1, then response KD), or with RKD on the logits plus response KD.
     */
    private static Map<String, Double> student(String kind, Baselines b, DataSet train, DataSet test, Settings s) {
        Architecture arch = new Architecture(Architecture.Family.CNN, STUDENT_WIDTH);
        long seed = b.seed();
        DistillationLoss response = new DistillationLoss(KD_TEMPERATURE, KD_ALPHA);
        ILossFunction loss = switch (kind) {
            case "none" -> null;
            case "relation" -> RelationalDistillationLoss.withPaperWeights(response);
            default -> response;
        };
        ComputationGraph net = NetworkFactory.build(arch, 28, 28, 10, seed, STUDENT_LR, loss);
        DataSet data = train;
        if (loss != null) {
            INDArray targets = DistillationLoss.encodeTargets(train.getLabels(), b.teacherProbabilities(), KD_TEMPERATURE);
            if (kind.equals("relation")) {
                targets = RelationalDistillationLoss.encodeTargets(targets, b.teacherLogits());
            }
            data = new DataSet(train.getFeatures(), targets);
        }
        Map<String, Double> r = new LinkedHashMap<>();
        if (kind.equals("feature")) {
            FeatureDistillation.HintTraining h = FeatureDistillation.hintTrain(net, b.cnn().clone(), train, HINT_EPOCHS, 128, seed);
            r.put("KD student, FitNets stage 1: hint MSE after / before", h.mseAfter() / h.mseBefore());
        }
        Training.fit(net, data, s.studentEpochs(), 128, PruningMasks.none(), seed);
        double accuracy = Training.accuracy(net, test);
        switch (kind) {
            case "none" -> {
                r.put("KD student: parameters (fraction of teacher)", (double) parameters(net, arch) / b.cnnParameters());
                r.put(STUDENT_WITHOUT_KD, accuracy);
            }
            case "response" -> r.put(studentRow("response KD"), accuracy);
            case "feature" -> r.put(studentRow("feature KD (FitNets hints on conv2, then response KD)"), accuracy);
            default -> r.put(studentRow("relation KD (RKD distance 25 + angle 50 on the logits, plus response KD)"), accuracy);
        }
        return r;
    }

    private static final String STUDENT_WITHOUT_KD = "KD student without KD: accuracy";

    private static String studentRow(String kind) {
        return "KD student with " + kind + " (T=" + KD_TEMPERATURE + ", alpha=" + KD_ALPHA + "): accuracy";
    }

    /** Adds a gain row (pp over the student without KD) after each distilled student's accuracy row. */
    private static void addDistillationGains(Map<String, Double> r) {
        Double plain = r.get(STUDENT_WITHOUT_KD);
        if (plain == null) {
            return;
        }
        Map<String, Double> gains = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : r.entrySet()) {
            if (e.getKey().startsWith("KD student with ")) {
                String kind = e.getKey().substring("KD student with ".length(), e.getKey().indexOf(" (T="));
                gains.put("KD gain over the student without KD, " + kind.replaceAll(" \\(.*", "") + " (pp)", 100 * (e.getValue() - plain));
            }
        }
        r.putAll(gains);
    }

    private static long parameters(ComputationGraph net, Architecture arch) {
        return CostModel.totalParameters(GraphCostModel.of(net, NetworkFactory.inputType(arch, 28, 28), Map.of()));
    }

    /**
     * A baseline trained for the settings' epochs, or the one an earlier run saved in {@link Settings#baselines} for the
     * same family, seed, epochs and training-set size (saved with its updater state, so fine-tuning continues alike).
     */
    private static ComputationGraph baseline(Architecture arch, double learningRate, DataSet train, Settings s, long seed) throws IOException {
        Path file = s.baselines() == null ? null : s.baselines().resolve(String.format("%s-seed%d-epochs%d-train%d-lr%s.zip",
                arch.family().name().toLowerCase(java.util.Locale.ROOT), seed, s.baselineEpochs(), train.numExamples(), learningRate));
        if (file != null && Files.isRegularFile(file)) {
            return restore(file);
        }
        ComputationGraph net = NetworkFactory.build(arch, 28, 28, 10, seed, learningRate, null);
        Training.fit(net, train, s.baselineEpochs(), 128, PruningMasks.none(), seed);
        if (file != null) {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            ModelSerializer.writeModel(net, tmp.toFile(), true);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return net;
    }

    /**
     * The weight-quantization rows of one baseline: INT8 and INT4 per-channel PTQ with each calibration, with and without
     * bias correction on the 256 calibration inputs, INT4 per-tensor and asymmetric, and INT4 QAT against a float fine-tune
     * of the same epochs and learning rate followed by INT4 PTQ. Losses in percentage points against the baseline.
     */
    private static void quantization(String name, ComputationGraph base, double baseAccuracy, DataSet train, DataSet test, INDArray calibration,
                                     Settings s, long seed, Map<String, Double> r) {
        r.put(name + " INT8 per-channel weight PTQ: loss (pp)",
                100 * (baseAccuracy - ptqAccuracy(base, QuantizationScheme.perChannelSymmetric(8), null, test)));
        for (String c : List.of("minmax", "percentile", "mse", "kl")) {
            QuantizationScheme scheme = QuantizationScheme.perChannelSymmetric(4).withCalibration(Calibration.named(c));
            String label = Map.of("minmax", "min-max", "percentile", "percentile " + PercentileCalibration.DEFAULT_PERCENTILE, "mse", "MSE",
                    "kl", "KL").get(c);
            r.put(name + " INT4 per-channel weight PTQ (" + label + "): loss (pp)", 100 * (baseAccuracy - ptqAccuracy(base, scheme, null, test)));
            r.put(name + " INT4 per-channel weight PTQ (" + label + ") + bias correction: loss (pp)",
                    100 * (baseAccuracy - ptqAccuracy(base, scheme, calibration, test)));
        }
        QuantizationScheme perTensor = new QuantizationScheme(4, QuantizationScheme.Granularity.PER_TENSOR, true, new MinMaxCalibration());
        r.put(name + " INT4 per-tensor weight PTQ (min-max): loss (pp)", 100 * (baseAccuracy - ptqAccuracy(base, perTensor, null, test)));
        QuantizationScheme asymmetric = new QuantizationScheme(4, QuantizationScheme.Granularity.PER_CHANNEL, false, new MinMaxCalibration());
        r.put(name + " INT4 per-channel asymmetric weight PTQ (min-max): loss (pp)", 100 * (baseAccuracy - ptqAccuracy(base, asymmetric, null, test)));

        WeightQuantizer int4 = new WeightQuantizer(4);
        ComputationGraph tuned = base.clone();
        tuned.setLearningRate(FINE_TUNE_LR);
        Training.fit(tuned, train, s.fineTuneEpochs(), 128, PruningMasks.none(), seed);
        r.put(name + " float fine-tune (" + s.fineTuneEpochs() + " epochs): loss (pp)", 100 * (baseAccuracy - Training.accuracy(tuned, test)));
        int4.quantize(tuned);
        r.put(name + " float fine-tune (" + s.fineTuneEpochs() + " epochs) then INT4 PTQ (min-max): loss (pp)",
                100 * (baseAccuracy - Training.accuracy(tuned, test)));
        ComputationGraph qat = base.clone();
        qat.setLearningRate(FINE_TUNE_LR);
        Training.fit(qat, train, s.fineTuneEpochs(), 128, PruningMasks.none(), seed, Training.Options.none().withFakeQuantizer(int4));
        int4.quantize(qat);
        r.put(name + " INT4 QAT (" + s.fineTuneEpochs() + " epochs, STE, min-max): loss (pp)", 100 * (baseAccuracy - Training.accuracy(qat, test)));
    }

    /** Test accuracy of a copy of {@code base} with its weights quantized, and its biases corrected on {@code biasCalibration} when not null. */
    private static double ptqAccuracy(ComputationGraph base, QuantizationScheme scheme, INDArray biasCalibration, DataSet test) {
        ComputationGraph q = base.clone();
        new WeightQuantizer(scheme).quantize(q);
        if (biasCalibration != null) {
            BiasCorrection.correct(base, q, biasCalibration);
        }
        return Training.accuracy(q, test);
    }

    /** A saved baseline with its updater state: a graph, or a MultiLayerNetwork saved by earlier versions (converted). */
    private static ComputationGraph restore(Path file) throws IOException {
        try {
            return ModelSerializer.restoreComputationGraph(file.toFile(), true);
        } catch (RuntimeException | IOException e) {
            return dev.kompakt.strategies.MultiLayerConversion.toGraph(ModelSerializer.restoreMultiLayerNetwork(file.toFile(), true));
        }
    }

    /** The input types of the built-in families on 28x28 images. */
    private static final org.deeplearning4j.nn.conf.inputs.InputType CNN_INPUT =
            NetworkFactory.inputType(new Architecture(Architecture.Family.CNN, 1.0), 28, 28);
    private static final org.deeplearning4j.nn.conf.inputs.InputType MLP_INPUT =
            NetworkFactory.inputType(new Architecture(Architecture.Family.MLP, 1.0), 28, 28);

    private static DataSet quarter(DataSet d, int q) {
        long n = d.numExamples();
        long from = n * q / 4;
        long to = n * (q + 1) / 4;
        return new DataSet(d.getFeatures().get(NDArrayIndex.interval(from, to), NDArrayIndex.all()),
                d.getLabels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all()));
    }

    private static double onnxAccuracy(byte[] model, DataSet test) {
        return OrtThread.call(() -> {
            try (OnnxModel m = new OnnxModel(model, 784, 1)) {
                return m.top1Agreement(test.getFeatures(), test.getLabels(), Training.MAX_INFERENCE_BATCH);
            }
        });
    }

    private static double onnxLatencyMs(byte[] model) {
        return OrtThread.call(() -> {
            try (OnnxModel m = new OnnxModel(model, 784, 1)) {
                float[] x = new float[784];
                return m.latency(x, 1, 500, 3000).p50Ms();
            }
        });
    }
}
