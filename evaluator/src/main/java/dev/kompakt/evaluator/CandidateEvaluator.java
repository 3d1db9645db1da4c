package dev.kompakt.evaluator;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.cost.LayerCost;
import dev.kompakt.evaluator.hardware.HardwareProfile;
import dev.kompakt.evaluator.hardware.HostEnergy;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.hardware.SimulatedDevice;
import dev.kompakt.evaluator.net.BatchNormStatistics;
import dev.kompakt.evaluator.net.FeatureDistillation;
import dev.kompakt.evaluator.net.ImageAugmentation;
import dev.kompakt.evaluator.net.LearningRateSteps;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.evaluator.onnx.GraphOnnxExporter;
import dev.kompakt.evaluator.onnx.HostCalibration;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.plan.Strategies;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.Regularization;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * Builds, trains and measures one compression candidate:
 * <ol>
 *   <li>build ({@link #build}): the strategies of {@link Strategies#ALL} (architecture, student width, pruning,
 *       regularisation, quantization, distillation; each class documents what it does) choose the network to start from
 *       (a network of a built family at its input size, with the data resized to it ({@link #contextFor}), a narrower
 *       student of the baseline's own graph, else the baseline), set up one training loop (Adam at the budget's learning
 *       rate, {@link NetworkFactory#forTraining}; per step: fake-quantized weights when quantization-aware, the optimiser
 *       step, the regularisation's proximal step, the pruning masks; in rounds when pruning is gradual), and apply their
 *       post-training operators (weight and activation quantization, bias correction), calibrated on the first 256
 *       validation inputs ({@link EvaluationContext#calibration()});</li>
 *   <li>export: ONNX, INT8 (integer kernels) when the weights have at most 8 bits, else float32;</li>
 *   <li>measure: top-1 accuracy on the test split, exact size, MACs, batch-1 latency of the export in ONNX
 *       Runtime on this host (one intra-op thread), the export's top-1 agreement with the DL4J model, and
 *       latency and energy on each simulated device.</li>
 * </ol>
 * Metric names: {@code accuracy}, {@code accuracy_drop}, {@code size_bytes}, {@code compression_ratio},
 * {@code params}, {@code nonzero_params}, {@code macs}, {@code sparsity}, {@code latency_ms@host},
 * {@code latency_p95_ms@host}, {@code latency_batch_ms@host} (p50 of one call on the configured batch, when set),
 * {@code bitops} (sum of MACs x weight bits x activation bits), {@code energy_mj@host} (RAPL when readable, else
 * modelled; {@code energy_measured@host} says which: 1 or 0), with a host calibration {@code latency_pred_ms@host} (its
 * fitted model's prediction from the layer costs) and {@code host_calibration_max_error} (its fit quality), {@code onnx_bytes}, {@code onnx_int8}, {@code onnx_top1_agreement}, {@code latency_ms@<device>}, {@code energy_mj@<device>},
 * {@code fits_memory@<device>} (1 or 0) and {@code train_seconds}; a built network that inherits its supernet's weights,
 * {@code supernet_seconds} (training of, or waiting for, the supernet in this trial: 0 when the JVM had it); when the plan quantizes activations,
 * {@code activation_bits}; with bias correction, {@code bias_correction} (1) and {@code bias_shift_max} (the largest
 * shift removed from a bias); with a calibration other than min-max, {@code calibration.<name>} (1); when the plan prunes, {@code sparsity.<layer>} for each
 * weight layer (e.g. {@code sparsity.fc1}), also when it only regularises.
 */
public final class CandidateEvaluator {
    private final EvaluationContext context;
    private final LatencyProbe latencyProbe;
    private final HostCalibration hostCalibration;

    public CandidateEvaluator(EvaluationContext context, LatencyProbe latencyProbe) {
        this(context, latencyProbe, null);
    }

    /** @param hostCalibration this host's fitted latency model, or null for none (no predicted host latency) */
    public CandidateEvaluator(EvaluationContext context, LatencyProbe latencyProbe, HostCalibration hostCalibration) {
        this.context = context;
        this.latencyProbe = latencyProbe;
        this.hostCalibration = hostCalibration;
    }

    /**
     * A built candidate: the compressed network (fake-quantized weights, pruned weights at zero), the bits of its
     * quantized layers, and how long its training took. Deterministic for a plan, budget and seed.
     */
    public record Candidate(CompressionPlan plan, ComputationGraph network, Map<String, Integer> weightBits, double trainSeconds,
                            Map<String, float[]> biasShifts, double sharedSeconds) {
        public Candidate {
            biasShifts = biasShifts == null ? Map.of() : Map.copyOf(biasShifts);
        }

        /** A candidate without bias correction. */
        public Candidate(CompressionPlan plan, ComputationGraph network, Map<String, Integer> weightBits, double trainSeconds) {
            this(plan, network, weightBits, trainSeconds, Map.of(), 0);
        }

        /** The deployment form: INT8 when every weight layer was quantized to at most 8 bits, else float32. */
        public boolean int8() {
            List<WeightTensors.Target> targets = WeightTensors.of(network);
            return !targets.isEmpty() && targets.stream().allMatch(t -> weightBits.getOrDefault(t.layer(), 32) <= 8);
        }
    }

    /**
     * The candidate's ONNX model in its deployment form (see {@link Candidate#int8()}), taking inputs of the data's shape
     * ({@link EvaluationContext#onnxSample()}: NCHW for images).
     */
    public byte[] exportOnnx(Candidate c) {
        EvaluationContext ctx = contextFor(c.plan());
        long[] sample = ctx.onnxSample();
        return c.int8() ? GraphOnnxExporter.int8(c.network(), ctx.inputType(), ctx.calibration(), c.weightBits(), sample)
                : GraphOnnxExporter.fp32(c.network(), ctx.inputType(), sample);
    }

    /**
     * The context a plan's candidate is trained and measured in: the data at the architecture's input size
     * ({@link dev.kompakt.strategies.architecture.ArchitectureStrategy.Plan#inputSize}), which is the data's own for the
     * baseline's graph.
     */
    public EvaluationContext contextFor(CompressionPlan plan) {
        if (plan.architecture().isBaseline()) {
            return context;
        }
        if (context.shape().tabular()) {
            throw new IllegalArgumentException("architecture family " + plan.architecture().family().id() + " needs image data, got table rows of "
                    + context.shape().features() + " features");
        }
        int[] size = plan.architecture().inputSize(context.rows(), context.cols());
        return context.atSize(size[0], size[1]);
    }

    /**
     * The candidate's layer costs as the metrics count them ({@code size_bytes} is their {@link CostModel#totalStorageBytes}):
     * at each layer's weight bits, and at the activation bits of its deployment form (the INT8 export runs its integer
     * layers on 8-bit activations) or of the plan's activation quantization.
     */
    public List<LayerCost> costs(Candidate candidate) {
        ComputationGraph net = candidate.network();
        Map<String, Integer> activationBits = new HashMap<>();
        if (candidate.int8()) {
            GraphOnnxExporter.integerLayers(net).forEach(v -> activationBits.put(v, 8));
        }
        QuantizationStrategy.Plan quant = candidate.plan().quantization();
        if (quant.quantizesActivations()) {
            // every vertex reads and writes activations at the planned bits (the input images are 8-bit already)
            for (String v : net.getConfiguration().getVertices().keySet()) {
                activationBits.merge(v, quant.activationBits(), Math::min);
            }
        }
        return GraphCostModel.of(net, contextFor(candidate.plan()).inputType(), candidate.weightBits(), activationBits);
    }

    public Map<String, Double> evaluate(CompressionPlan plan, TrainingBudget budget, long seed) {
        return evaluate(plan, budget, seed, null);
    }

    /**
     * The metrics the pipeline measures (see the class comment). With a {@code listener} (null = none), after every epoch
     * of the training it is told the candidate's {@link #EPOCH_METRICS} as they would be if the training ended there,
     * and it may stop the training (a {@link dev.kompakt.evaluator.net.TrainingInterruptedException} then ends the
     * evaluation). Without one, the evaluation is exactly as before epoch reports existed.
     */
    public Map<String, Double> evaluate(CompressionPlan plan, TrainingBudget budget, long seed, EpochListener listener) {
        EvaluationContext context = contextFor(plan);
        Candidate candidate = build(plan, budget, seed, listener);
        ComputationGraph net = candidate.network();
        Map<String, Integer> bits = candidate.weightBits();
        double trainSeconds = candidate.trainSeconds();
        double accuracy = Training.accuracy(net, context.validation());
        // one pass over the test inputs gives the test accuracy and the reference the export is checked against (DL4J
        // inference was most of a small network's trial: these passes were two, measured in experiments/results/training.md)
        int inferenceBatch = Training.inferenceBatch(net, context.test().getFeatures());
        INDArray reference = Training.predict(net, context.test().getFeatures(), inferenceBatch);
        double testAccuracy = context.validation() == context.test() ? accuracy : Training.accuracy(reference, context.test());
        QuantizationStrategy.Plan quant = plan.quantization();
        List<LayerCost> costs = costs(candidate);
        boolean int8 = candidate.int8();
        byte[] onnx = exportOnnx(candidate);
        float[] oneInput = context.test().getFeatures().getRow(0).dup('c').data().asFloat();
        int batch = (int) Math.min(latencyProbe.batch(), context.test().numExamples());
        float[] batchInput = batch > 0 ? context.test().getFeatures().get(NDArrayIndex.interval(0, batch), NDArrayIndex.all()).dup('c')
                .data().asFloat() : null;
        double[] onnxResult = OrtThread.call(() -> {
            try (OnnxModel model = new OnnxModel(onnx, context.onnxSample(), latencyProbe.intraOpThreads())) {
                java.util.OptionalLong before = HostEnergy.readMicrojoules();
                OnnxModel.Latency l = model.latency(oneInput, 1, latencyProbe.warmup(), latencyProbe.repeats());
                java.util.OptionalLong after = HostEnergy.readMicrojoules();
                // RAPL covers warm-up and timed runs; the counter wraps rarely, a negative delta falls back to the model
                double raplMj = before.isPresent() && after.isPresent() && after.getAsLong() > before.getAsLong()
                        ? (after.getAsLong() - before.getAsLong()) / 1000.0 / (latencyProbe.warmup() + latencyProbe.repeats()) : Double.NaN;
                double batchMs = batch > 0 ? model.latency(batchInput, batch, Math.max(1, latencyProbe.warmup() / 4),
                        Math.max(5, latencyProbe.repeats() / 4)).p50Ms() : Double.NaN;
                return new double[] {model.top1Agreement(context.test().getFeatures(), reference, inferenceBatch), l.p50Ms(), l.p95Ms(), batchMs, raplMj};
            }
        });
        double agreement = onnxResult[0];
        OnnxModel.Latency host = new OnnxModel.Latency(1, onnxResult[1], onnxResult[2], latencyProbe.repeats());

        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("accuracy_drop", context.baselineAccuracy() - accuracy);
        m.put("test_accuracy", testAccuracy);
        putSizes(m, net, costs);
        if (plan.pruning().sparsity() > 0 || plan.regularization().kind() != RegularizationStrategy.Kind.NONE) {
            MagnitudePruner.layerSparsity(net).forEach((layer, s) -> m.put("sparsity." + layer, s));
        }
        m.put("latency_ms@host", host.p50Ms());
        m.put("latency_p95_ms@host", host.p95Ms());
        if (batch > 0) {
            m.put("latency_batch_ms@host", onnxResult[3]);
        }
        boolean rapl = !Double.isNaN(onnxResult[4]);
        m.put("energy_mj@host", rapl ? onnxResult[4] : HostEnergy.modelMillijoules(host.p50Ms(), latencyProbe.intraOpThreads()));
        m.put("energy_measured@host", rapl ? 1.0 : 0.0);
        if (hostCalibration != null) {
            m.put("latency_pred_ms@host", hostCalibration.predictMs(costs, int8 ? HostCalibration.indices(costs, GraphOnnxExporter.integerLayers(net)) : java.util.Set.of()));
            m.put("host_calibration_max_error", hostCalibration.maxRelativeError());
        }
        m.put("bitops", bitops(costs));
        m.put("onnx_bytes", (double) onnx.length);
        m.put("onnx_int8", int8 ? 1.0 : 0.0);
        m.put("onnx_top1_agreement", agreement);
        putDevices(m, context, costs);
        m.put("train_seconds", trainSeconds);
        if (plan.architecture().init() == dev.kompakt.strategies.architecture.ArchitectureStrategy.Init.INHERIT) {
            m.put("supernet_seconds", candidate.sharedSeconds());   // training (or waiting for) the supernet; 0 when this JVM had it
        }
        if (quant.quantizesActivations()) {
            m.put("activation_bits", (double) quant.activationBits());
        }
        if (!candidate.biasShifts().isEmpty()) {
            m.put("bias_correction", 1.0);
            m.put("bias_shift_max", maxAbs(candidate.biasShifts().values()));
        }
        if (quant.calibration() != QuantizationStrategy.CalibrationMethod.MINMAX && (!bits.isEmpty() || quant.quantizesActivations())) {
            m.put("calibration." + quant.calibration().id(), 1.0);
        }
        return m;
    }

    /** {@code size_bytes}, {@code compression_ratio}, {@code params}, {@code nonzero_params}, {@code macs}, {@code sparsity}. */
    private void putSizes(Map<String, Double> m, ComputationGraph net, List<LayerCost> costs) {
        long size = CostModel.totalStorageBytes(costs);
        m.put("size_bytes", (double) size);
        m.put("compression_ratio", (double) context.baselineSizeBytes() / size);
        m.put("params", (double) CostModel.totalParameters(costs));
        m.put("nonzero_params", (double) CostModel.nonzeroParameters(costs));
        m.put("macs", (double) CostModel.totalMacs(costs));
        m.put("sparsity", MagnitudePruner.sparsity(net));
    }

    private static double bitops(List<LayerCost> costs) {
        return (double) costs.stream().mapToLong(c -> c.macs() * c.weightBits() * c.activationBits()).sum();
    }

    /** Each simulated device's {@code latency_ms@}, {@code energy_mj@} and {@code fits_memory@}. */
    private static void putDevices(Map<String, Double> m, EvaluationContext context, List<LayerCost> costs) {
        for (HardwareProfile p : context.profiles()) {
            SimulatedDevice.Estimate e = new SimulatedDevice(p).estimate(costs);
            m.put("latency_ms@" + p.id(), e.latencyMs());
            m.put("energy_mj@" + p.id(), e.energyMj());
            m.put("fits_memory@" + p.id(), e.fitsMemory() ? 1.0 : 0.0);
        }
    }

    /**
     * What an epoch report carries (see {@link EpochListener}): {@code accuracy} and {@code accuracy_drop} on the first
     * {@link #EPOCH_ACCURACY_SAMPLES} validation samples (the same slice at every epoch and for every trial), and the cost
     * model's metrics: {@code size_bytes}, {@code compression_ratio}, {@code params}, {@code nonzero_params}, {@code macs},
     * {@code sparsity}, {@code bitops}, and per simulated device {@code latency_ms@}, {@code energy_mj@} and
     * {@code fits_memory@}. Host measurements (ONNX Runtime latency, energy, the export) are made once, when the training
     * ends, so they are not among them.
     */
    public static final List<String> EPOCH_METRICS = List.of("accuracy", "accuracy_drop", "size_bytes", "compression_ratio", "params",
            "nonzero_params", "macs", "sparsity", "bitops", "latency_ms@<device>", "energy_mj@<device>", "fits_memory@<device>");

    /** Validation samples the epoch reports' accuracy is measured on (all of them when there are fewer). */
    public static final int EPOCH_ACCURACY_SAMPLES = 2000;

    /** Whether epoch reports carry {@code metric} ({@link #EPOCH_METRICS}; a device metric for a simulated device, not the host). */
    public static boolean reportedEachEpoch(String metric) {
        int at = metric.indexOf('@');
        if (at < 0) {
            return EPOCH_METRICS.contains(metric);
        }
        return !metric.substring(at + 1).equals("host") && EPOCH_METRICS.contains(metric.substring(0, at + 1) + "<device>");
    }

    /**
     * The candidate a training that ended now would deliver, measured: on a copy of the network, pruned to the plan's
     * sparsity where its schedule has not got there yet ({@link PruningStrategy#pruneToTarget}) and put through the
     * post-training operators (quantization, bias correction); then {@link #EPOCH_METRICS}. The build itself is unchanged.
     */
    private Map<String, Double> epochMetrics(CompressionPlan plan, Build b) {
        Build preview = b.copy();
        PruningStrategy.pruneToTarget(plan.pruning(), preview);
        preview.recalibrate();
        Strategies.afterTraining(plan, preview);
        Candidate c = new Candidate(plan, preview.net, preview.weightBits, 0, preview.biasShifts, 0);
        List<LayerCost> costs = costs(c);
        double accuracy = Training.accuracy(preview.net, subset(preview.context.validation(), EPOCH_ACCURACY_SAMPLES));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("accuracy_drop", preview.context.baselineAccuracy() - accuracy);
        putSizes(m, preview.net, costs);
        m.put("bitops", bitops(costs));
        putDevices(m, preview.context, costs);
        return m;
    }

    /**
     * Builds and trains one candidate: every strategy of {@link Strategies#ALL} configures the start (student or the
     * baseline, loss), sets up the one training loop (masks, fake quantizer, regularisation, targets, rounds), and
     * applies its post-training operators. {@code trainSeconds} covers the set-up and the training.
     */
    public Candidate build(CompressionPlan plan, TrainingBudget budget, long seed) {
        return build(plan, budget, seed, null);
    }

    /** Like {@link #build(CompressionPlan, TrainingBudget, long)}, telling {@code listener} (null = none) after each epoch. */
    public Candidate build(CompressionPlan plan, TrainingBudget budget, long seed, EpochListener listener) {
        EvaluationContext ctx = contextFor(plan);
        Build b = new Build(ctx, subset(ctx.train(), budget.trainSamples()), budget, seed);
        if (listener != null) {
            b.afterEpoch = epoch -> {
                if (!listener.epochEnded(epoch, b.epochs, epochMetrics(plan, b))) {
                    throw new dev.kompakt.evaluator.net.TrainingInterruptedException("stopped early after epoch " + epoch);
                }
            };
        }
        Strategies.configure(plan, b);
        b.start();
        long t0 = System.nanoTime();
        Strategies.beforeTraining(plan, b);
        b.train();
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        Strategies.afterTraining(plan, b);
        return new Candidate(plan, b.net, b.weightBits, trainSeconds, b.biasShifts, b.sharedSeconds);
    }

    /** The candidate being built, as the strategies see it. */
    private static final class Build implements CandidateBuild {
        private final EvaluationContext context;
        private final DataSet train;
        private final TrainingBudget budget;
        private final long seed;
        private ComputationGraph start;
        private boolean keepWeights = true;
        private boolean student;
        private ILossFunction loss;
        private ComputationGraph net;
        private int epochs;
        /** The initial learning rate of the training ({@link #start()}). */
        private double learningRate;
        private PruningMasks masks = PruningMasks.none();
        private WeightQuantizer fakeQuantizer;
        private Regularization regularization = Regularization.none();
        private INDArray targets;
        private int roundsPerEpoch;
        private IntConsumer beforeRound;
        private Runnable afterRounds;
        private Map<String, Integer> weightBits = Map.of();
        private Map<String, float[]> biasShifts = Map.of();
        /** Seconds spent training (or waiting for) shared networks. */
        private double sharedSeconds;
        /** Called with the epochs done after each epoch of {@link #train()}; null = none. */
        private IntConsumer afterEpoch;

        Build(EvaluationContext context, DataSet train, TrainingBudget budget, long seed) {
            this.context = context;
            this.train = train;
            this.budget = budget;
            this.seed = seed;
        }

        /** A copy to preview the finished candidate on: the network cloned, the set-up the post-training operators read. */
        Build copy() {
            Build c = new Build(context, train, budget, seed);
            c.start = start;
            c.keepWeights = keepWeights;
            c.student = student;
            c.loss = loss;
            c.net = net.clone();
            c.epochs = epochs;
            c.learningRate = learningRate;
            c.masks = masks;
            c.fakeQuantizer = fakeQuantizer;   // read only by recalibrate(): the preview is not trained
            return c;
        }

        /** The network to train: the configured student, else a copy of the baseline to fine-tune. */
        void start() {
            ComputationGraph graph = student ? start : context.teacherCopy();
            double lr = student ? budget.studentLearningRate() : budget.fineTuneLearningRate();
            net = NetworkFactory.forTraining(graph, lr, loss, seed, keepWeights);
            epochs = student ? budget.studentEpochs() : budget.fineTuneEpochs();
            learningRate = lr;
        }

        /** The one training loop: whole epochs, or rounds of a fraction of an epoch each. */
        void train() {
            fit();
            recalibrate();
        }

        private void fit() {
            if (epochs == 0) {
                return;
            }
            DataSet data = targets == null ? train : new DataSet(train.getFeatures(), targets);
            // one augmentation for the whole training (across the rounds too); the schedule spans its steps
            Training.Options options = Training.Options.none().withFakeQuantizer(fakeQuantizer).withRegularization(regularization)
                    .withAugment(augmentation(budget, context.shape(), seed));
            if (beforeRound == null) {
                Training.fit(net, data, epochs, budget.batchSize(), masks, seed, options.withAfterEpoch(afterEpoch)
                        .withLearningRate(schedule(budget, learningRate, (long) epochs * steps(data.numExamples(), budget.batchSize()))));
                return;
            }
            int rounds = roundsPerEpoch * epochs;
            List<DataSet> slices = slices(data, roundsPerEpoch);
            long steps = 0;
            for (int t = 1; t <= rounds; t++) {
                steps += steps(slices.get((t - 1) % slices.size()).numExamples(), budget.batchSize());
            }
            Training.Options perRound = options.withLearningRate(schedule(budget, learningRate, steps));
            for (int t = 1; t <= rounds; t++) {
                beforeRound.accept(t);
                Training.fit(net, slices.get((t - 1) % slices.size()), 1, budget.batchSize(), masks, seed + t, perRound);
                if (afterEpoch != null && t % roundsPerEpoch == 0) {
                    afterEpoch.accept(t / roundsPerEpoch);
                }
            }
            afterRounds.run();
        }

        /** Optimiser steps of one epoch over {@code n} samples in batches of {@code batch}. */
        private static long steps(int n, int batch) {
            return (n + batch - 1) / batch;
        }

        /** The budget's image augmentation for data of {@code shape}, seeded; null when it has none. */
        static ImageAugmentation augmentation(TrainingBudget budget, DataShape shape, long seed) {
            TrainingBudget.Augmentation a = budget.augmentation();
            if (!a.active()) {
                return null;
            }
            if (shape.tabular()) {
                throw new IllegalArgumentException("budget.augmentation flips and shifts images; the data are table rows of " + shape.channels()
                        + " features");
            }
            return new ImageAugmentation(shape.channels(), shape.height(), shape.width(), a.flip(), a.shift(), seed ^ 0x5DEECE66DL);
        }

        /** The budget's learning-rate schedule over {@code steps} steps from {@code lr}; null when it is constant. */
        static LearningRateSteps schedule(TrainingBudget budget, double lr, long steps) {
            TrainingBudget.Schedule kind = budget.learningRateSchedule();
            return kind == TrainingBudget.Schedule.CONSTANT ? null : new LearningRateSteps(lr, s -> kind.factor(s, steps));
        }

        /**
         * Batch-norm statistics measured on the first {@link BatchNormStatistics#SAMPLES} training samples in training
         * batches, with the weights the training's forward passes used (fake-quantized when quantization-aware): DL4J's
         * running averages sent trained networks to chance (see {@link BatchNormStatistics}). Also after no training
         * (pruned or inherited weights change the statistics too).
         */
        void recalibrate() {
            if (!BatchNormStatistics.present(net)) {
                return;
            }
            INDArray master = null;
            if (fakeQuantizer != null) {
                master = net.params().dup();
                fakeQuantizer.quantize(net);
            }
            Map<String, BatchNormStatistics.Channels> stats = BatchNormStatistics.measure(net, BatchNormStatistics.sample(train.getFeatures()),
                    budget.batchSize());
            if (master != null) {
                net.setParams(master);
            }
            BatchNormStatistics.assign(net, stats);
        }

        @Override
        public long seed() {
            return seed;
        }

        @Override
        public DataSet trainingData() {
            return train;
        }

        @Override
        public DataSet validationData() {
            // runs recorded before validation splits scored the sensitivity on training samples, as then
            return context.validation() == context.test() ? train : context.validation();
        }

        @Override
        public int[] inputShape() {
            DataShape s = context.shape();
            return new int[] {s.channels(), s.height(), s.width()};
        }

        @Override
        public int classes() {
            return context.classes();
        }

        @Override
        public int[] dataSize() {
            DataShape s = context.teacherInputShape();
            return new int[] {s.height(), s.width()};
        }

        @Override
        public ComputationGraph sharedNetwork(String key, int height, int width, java.util.function.Supplier<ComputationGraph> make, int netEpochs) {
            long t0 = System.nanoTime();
            try {
                return context.shared(key, () -> {
                    EvaluationContext at = context.atSize(height, width);
                    long netSeed = key.hashCode();
                    ComputationGraph net = NetworkFactory.forTraining(make.get(), budget.studentLearningRate(), null, netSeed, true);
                    DataSet data = subset(at.train(), budget.trainSamples());
                    Training.fit(net, data, netEpochs, budget.batchSize(), PruningMasks.none(), netSeed, Training.Options.none()
                            .withLearningRate(schedule(budget, budget.studentLearningRate(), (long) netEpochs * steps(data.numExamples(), budget.batchSize())))
                            .withAugment(augmentation(budget, at.shape(), netSeed)));
                    return net;
                });
            } finally {
                sharedSeconds += (System.nanoTime() - t0) / 1e9;
            }
        }

        @Override
        public INDArray calibrationInputs() {
            return context.calibration();
        }

        @Override
        public ComputationGraph teacher() {
            return context.teacherCopy();
        }

        @Override
        public INDArray teacherProbabilities() {
            return subsetRows(context.teacherProbabilities(), train.numExamples());
        }

        @Override
        public INDArray teacherLogits() {
            return subsetRows(context.teacherLogits(), train.numExamples());
        }

        @Override
        public Map<String, INDArray> weightGradients(ComputationGraph graph, DataSet batch) {
            return Training.weightGradients(graph, batch);
        }

        @Override
        public double accuracy(ComputationGraph graph, DataSet data) {
            return Training.accuracy(graph, data);
        }

        @Override
        public void startStudent(ComputationGraph graph, boolean keep) {
            start = graph;
            keepWeights = keep;
            student = true;
        }

        @Override
        public boolean freshStart() {
            return student && !keepWeights;
        }

        @Override
        public void trainingLoss(ILossFunction l) {
            loss = l;
        }

        @Override
        public ComputationGraph network() {
            return net;
        }

        @Override
        public int epochs() {
            return epochs;
        }

        @Override
        public void masks(PruningMasks m) {
            masks = m;
        }

        @Override
        public void fakeQuantizer(WeightQuantizer quantizer) {
            fakeQuantizer = quantizer;
        }

        @Override
        public void regularization(Regularization r) {
            regularization = r;
        }

        @Override
        public void trainingTargets(INDArray labels) {
            targets = labels;
        }

        @Override
        public void trainInRounds(int perEpoch, IntConsumer before, Runnable after) {
            roundsPerEpoch = perEpoch;
            beforeRound = before;
            afterRounds = after;
        }

        @Override
        public void hintTrain() {
            if (context.shape().height() != context.teacherInputShape().height() || context.shape().width() != context.teacherInputShape().width()) {
                throw new IllegalArgumentException("feature distillation needs the candidate at the data's own size ("
                        + context.teacherInputShape() + "), but it takes " + context.shape() + ": its hint layer reads the teacher's"
                        + " maps on the same inputs");
            }
            ComputationGraph teacherNet = context.teacherCopy();
            FeatureDistillation.hintTrain(net, teacherNet, train, FeatureDistillation.defaultLayer(net),
                    FeatureDistillation.defaultLayer(teacherNet), epochs, budget.batchSize(), masks, seed);
        }

        @Override
        public void quantized(Map<String, Integer> bits, Map<String, float[]> shifts) {
            weightBits = Map.copyOf(bits);
            biasShifts = shifts;
        }
    }

    /** The largest magnitude among the values. */
    private static double maxAbs(java.util.Collection<float[]> values) {
        double max = 0;
        for (float[] v : values) {
            for (float x : v) {
                max = Math.max(max, Math.abs(x));
            }
        }
        return max;
    }

    /** {@code k} consecutive, nearly equal slices of a dataset. */
    private static List<DataSet> slices(DataSet data, int k) {
        int n = data.numExamples();
        List<DataSet> out = new java.util.ArrayList<>();
        for (int i = 0; i < k; i++) {
            long from = (long) n * i / k;
            long to = (long) n * (i + 1) / k;
            if (to > from) {
                out.add(new DataSet(data.getFeatures().get(NDArrayIndex.interval(from, to), NDArrayIndex.all()),
                        data.getLabels().get(NDArrayIndex.interval(from, to), NDArrayIndex.all())));
            }
        }
        return out;
    }

    private static DataSet subset(DataSet data, int n) {
        if (n >= data.numExamples()) {
            return data;
        }
        return new DataSet(subsetRows(data.getFeatures(), n), subsetRows(data.getLabels(), n));
    }

    /** The first n rows (Fashion-MNIST files are in random class order, so a prefix is close to stratified). */
    private static INDArray subsetRows(INDArray a, int n) {
        if (n >= a.size(0)) {
            return a;
        }
        return a.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
    }
}
