package dev.kompakt.experiments.bench;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.data.DatasetSource;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.evaluator.onnx.OnnxExporter;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.strategies.BiasCorrection;
import dev.kompakt.strategies.Calibration;
import dev.kompakt.strategies.ChannelInheritance;
import dev.kompakt.strategies.DistillationLoss;
import dev.kompakt.strategies.GradualPruning;
import dev.kompakt.strategies.MagnitudePruner;
import dev.kompakt.strategies.MinMaxCalibration;
import dev.kompakt.strategies.PercentileCalibration;
import dev.kompakt.strategies.PruningMasks;
import dev.kompakt.strategies.QuantizationScheme;
import dev.kompakt.strategies.WeightQuantizer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The compression strategies on Fashion-MNIST, one row per measurement, mean and spread over seeds (seeds run
 * in parallel, one ND4J thread each), in three sections:
 * <ul>
 *   <li>pruning: the MLP 784-300-100-10 pruned to 90% by AGP and one-shot with the same fine-tuning; the CNN with
 *       half its filters and neurons removed physically (strongest L1 channels kept);</li>
 *   <li>quantization, for the MLP and the CNN: weight PTQ at 8 bits and at 4 bits per channel with each calibration
 *       (min-max, percentile, MSE, KL), with and without bias correction, per-tensor and asymmetric at 4 bits, and
 *       4-bit quantization-aware fine-tuning against a float fine-tune of the same epochs followed by PTQ; the INT8
 *       ONNX export (weights and activations) measured in ONNX Runtime;</li>
 *   <li>distillation: a small CNN student trained with and without response distillation from the CNN baseline.</li>
 * </ul>
 */
public final class StrategiesBenchmark {
    /** The sections {@link Settings#only} may name. */
    public static final List<String> SECTIONS = List.of("pruning", "quantization", "distillation");
    /** Learning rate of every fine-tune that starts from a baseline's weights. */
    static final double FINE_TUNE_LR = 5e-4;

    private StrategiesBenchmark() {
    }

    /**
     * Settings: seeds, and epochs for baselines, fine-tuning and students; train = 0 uses every training sample; only =
     * null runs every section, else the one named (see {@link #SECTIONS}).
     */
    public record Settings(int seeds, int baselineEpochs, int fineTuneEpochs, int studentEpochs, int train, String only) {
        public Settings {
            if (only != null && !SECTIONS.contains(only)) {
                throw new IllegalArgumentException("unknown benchmark section '" + only + "' (known: " + String.join(", ", SECTIONS) + ")");
            }
        }

        public Settings(int seeds, int baselineEpochs, int fineTuneEpochs, int studentEpochs, int train) {
            this(seeds, baselineEpochs, fineTuneEpochs, studentEpochs, train, null);
        }

        boolean runs(String section) {
            return only == null || only.equals(section);
        }
    }

    public static void run(DatasetSource.Splits splits, Settings s, PrintStream out) throws Exception {
        DataSet train = Tensors.toDataSet(s.train() > 0 ? splits.train().stratified(s.train()) : splits.train());
        DataSet test = Tensors.toDataSet(splits.test());
        out.printf("compression strategies on %s: %d train, %d test; %d seeds in parallel; baselines %d epochs, fine-tuning %d (lr %s), "
                        + "students %d; Adam, batch 128; %s; host %s%n%n", splits.directory(), train.numExamples(), test.numExamples(), s.seeds(),
                s.baselineEpochs(), s.fineTuneEpochs(), FINE_TUNE_LR, s.studentEpochs(), s.only() == null ? "all sections" : "only " + s.only(),
                LatencyProbe.hostCpu());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(2, s.seeds()));
        List<Future<Map<String, Double>>> runs = new ArrayList<>();
        for (int seed = 1; seed <= s.seeds(); seed++) {
            long sd = seed;
            runs.add(pool.submit(() -> oneSeed(train, test, s, sd)));
        }
        List<Map<String, Double>> results = new ArrayList<>();
        for (Future<Map<String, Double>> f : runs) {
            results.add(f.get());
        }
        pool.shutdown();
        out.println("| measurement | mean | spread (min .. max) |");
        out.println("|---|---|---|");
        for (String key : results.get(0).keySet()) {
            double mean = results.stream().mapToDouble(r -> r.get(key)).average().orElse(Double.NaN);
            double min = results.stream().mapToDouble(r -> r.get(key)).min().orElse(Double.NaN);
            double max = results.stream().mapToDouble(r -> r.get(key)).max().orElse(Double.NaN);
            out.printf("| %s | %.4f | %.4f .. %.4f |%n", key, mean, min, max);
        }
    }

    private static Map<String, Double> oneSeed(DataSet train, DataSet test, Settings s, long seed) {
        Map<String, Double> r = new LinkedHashMap<>();
        INDArray calibration = train.getFeatures().get(NDArrayIndex.interval(0, 256), NDArrayIndex.all());

        Architecture mlp = new Architecture(Architecture.Family.MLP, 1.0);
        Architecture cnn = new Architecture(Architecture.Family.CNN, 1.0);
        MultiLayerNetwork mlpBase = null;
        double mlpAcc = Double.NaN;
        if (s.runs("pruning") || s.runs("quantization")) {
            mlpBase = NetworkFactory.build(mlp, 28, 28, 10, seed, 1e-3, null);
            Training.fit(mlpBase, train, s.baselineEpochs(), 128, PruningMasks.none(), seed);
            mlpAcc = Training.accuracy(mlpBase, test);
            r.put("MLP baseline accuracy", mlpAcc);
        }
        MultiLayerNetwork cnnBase = NetworkFactory.build(cnn, 28, 28, 10, seed, 2e-3, null);
        Training.fit(cnnBase, train, s.baselineEpochs(), 128, PruningMasks.none(), seed);
        double cnnAcc = Training.accuracy(cnnBase, test);
        long p0 = CostModel.totalParameters(CostModel.of(cnnBase, NetworkFactory.inputType(cnn, 28, 28), Map.of()));

        // --- MLP: AGP vs one-shot magnitude pruning to 90%, same fine-tuning budget
        if (s.runs("pruning")) {
            MultiLayerNetwork agp = mlpBase.clone();
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
            MultiLayerNetwork oneShot = mlpBase.clone();
            oneShot.setLearningRate(FINE_TUNE_LR);
            PruningMasks masks = pruner.prune(oneShot, 0.9);
            Training.fit(oneShot, train, s.fineTuneEpochs(), 128, masks, seed);
            r.put("MLP one-shot 90%: accuracy loss (pp)", 100 * (mlpAcc - Training.accuracy(oneShot, test)));
        }

        // --- quantization of the MLP
        if (s.runs("quantization")) {
            quantization("MLP", mlpBase, mlpAcc, train, test, calibration, s, seed, r);
            r.put("MLP INT8 ONNX (weights + activations, min-max calibration): loss (pp)",
                    100 * (mlpAcc - onnxAccuracy(OnnxExporter.int8(mlpBase, calibration, Map.of()), test)));
        }

        r.put("CNN baseline accuracy", cnnAcc);
        // --- CNN: half the filters and neurons removed physically, then fine-tuned
        if (s.runs("pruning")) {
            MultiLayerNetwork half = NetworkFactory.build(cnn.withWidth(0.5), 28, 28, 10, seed, FINE_TUNE_LR, null);
            ChannelInheritance.copyStrongestChannels(cnnBase, half);
            Training.fit(half, train, s.fineTuneEpochs(), 128, PruningMasks.none(), seed);
            long p1 = CostModel.totalParameters(CostModel.of(half, NetworkFactory.inputType(cnn, 28, 28), Map.of()));
            r.put("CNN 50% filters removed: parameters (fraction of baseline)", (double) p1 / p0);
            r.put("CNN 50% filters removed: accuracy loss (pp)", 100 * (cnnAcc - Training.accuracy(half, test)));
            double l0 = onnxLatencyMs(OnnxExporter.fp32(cnnBase));
            double l1 = onnxLatencyMs(OnnxExporter.fp32(half));
            r.put("CNN 50% filters removed: ONNX Runtime batch-1 latency (fraction of baseline)", l1 / l0);
        }
        if (s.runs("quantization")) {
            quantization("CNN", cnnBase, cnnAcc, train, test, calibration, s, seed, r);
            r.put("CNN INT8 ONNX (weights + activations): loss (pp)",
                    100 * (cnnAcc - onnxAccuracy(OnnxExporter.int8(cnnBase, calibration, Map.of()), test)));
        }

        // --- distillation: a student with at most a quarter of the teacher's parameters, from scratch
        if (s.runs("distillation")) {
            Architecture studentArch = cnn.withWidth(0.45);
            MultiLayerNetwork plain = NetworkFactory.build(studentArch, 28, 28, 10, seed, 3e-3, null);
            long ps = CostModel.totalParameters(CostModel.of(plain, NetworkFactory.inputType(studentArch, 28, 28), Map.of()));
            r.put("KD student: parameters (fraction of teacher)", (double) ps / p0);
            Training.fit(plain, train, s.studentEpochs(), 128, PruningMasks.none(), seed);
            double plainAcc = Training.accuracy(plain, test);
            double temperature = 4.0;
            MultiLayerNetwork kd = NetworkFactory.build(studentArch, 28, 28, 10, seed, 3e-3, new DistillationLoss(temperature, 0.7));
            INDArray teacher = Training.predict(cnnBase, train.getFeatures());
            Training.fit(kd, new DataSet(train.getFeatures(), DistillationLoss.encodeTargets(train.getLabels(), teacher, temperature)),
                    s.studentEpochs(), 128, PruningMasks.none(), seed);
            double kdAcc = Training.accuracy(kd, test);
            r.put("KD student without KD: accuracy", plainAcc);
            r.put("KD student with response KD (T=4, alpha=0.7): accuracy", kdAcc);
            r.put("KD gain (pp)", 100 * (kdAcc - plainAcc));
        }
        return r;
    }

    /**
     * The weight-quantization rows of one baseline: INT8 and INT4 per-channel PTQ with each calibration, with and without
     * bias correction on the 256 calibration inputs, INT4 per-tensor and asymmetric, and INT4 QAT against a float fine-tune
     * of the same epochs and learning rate followed by INT4 PTQ. Losses in percentage points against the baseline.
     */
    private static void quantization(String name, MultiLayerNetwork base, double baseAccuracy, DataSet train, DataSet test, INDArray calibration,
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
        MultiLayerNetwork tuned = base.clone();
        tuned.setLearningRate(FINE_TUNE_LR);
        Training.fit(tuned, train, s.fineTuneEpochs(), 128, PruningMasks.none(), seed);
        r.put(name + " float fine-tune (" + s.fineTuneEpochs() + " epochs): loss (pp)", 100 * (baseAccuracy - Training.accuracy(tuned, test)));
        int4.quantize(tuned);
        r.put(name + " float fine-tune (" + s.fineTuneEpochs() + " epochs) then INT4 PTQ (min-max): loss (pp)",
                100 * (baseAccuracy - Training.accuracy(tuned, test)));
        MultiLayerNetwork qat = base.clone();
        qat.setLearningRate(FINE_TUNE_LR);
        Training.fit(qat, train, s.fineTuneEpochs(), 128, PruningMasks.none(), seed, int4);
        int4.quantize(qat);
        r.put(name + " INT4 QAT (" + s.fineTuneEpochs() + " epochs, STE, min-max): loss (pp)", 100 * (baseAccuracy - Training.accuracy(qat, test)));
    }

    /** Test accuracy of a copy of {@code base} with its weights quantized, and its biases corrected on {@code biasCalibration} when not null. */
    private static double ptqAccuracy(MultiLayerNetwork base, QuantizationScheme scheme, INDArray biasCalibration, DataSet test) {
        MultiLayerNetwork q = base.clone();
        new WeightQuantizer(scheme).quantize(q);
        if (biasCalibration != null) {
            BiasCorrection.correct(base, q, biasCalibration);
        }
        return Training.accuracy(q, test);
    }

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
                return m.top1Agreement(test.getFeatures(), test.getLabels());
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
