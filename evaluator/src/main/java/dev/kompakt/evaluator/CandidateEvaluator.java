package dev.kompakt.evaluator;

import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.cost.LayerCost;
import dev.kompakt.evaluator.hardware.HardwareProfile;
import dev.kompakt.evaluator.hardware.HostEnergy;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.hardware.SimulatedDevice;
import dev.kompakt.evaluator.net.FeatureDistillation;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.evaluator.onnx.GraphOnnxExporter;
import dev.kompakt.evaluator.onnx.HostCalibration;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.strategies.CompressionPlan;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.distillation.DistillationLoss;
import dev.kompakt.strategies.distillation.RelationalDistillationLoss;
import dev.kompakt.strategies.pruning.GradualPruning;
import dev.kompakt.strategies.pruning.GraphChannelPruning;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.pruning.Regularization;
import dev.kompakt.strategies.pruning.SensitivityAnalysis;
import dev.kompakt.strategies.quantization.ActivationQuantizer;
import dev.kompakt.strategies.quantization.BiasCorrection;
import dev.kompakt.strategies.quantization.Calibration;
import dev.kompakt.strategies.quantization.QuantizationScheme;
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

/**
 * Builds, trains and measures one compression candidate:
 * <ol>
 *   <li>student: the baseline's weights at width 1.0, else the baseline's own graph with every channel group narrowed
 *       to the width ({@link GraphChannelPruning}: residual additions, squeeze-excitation products, depthwise
 *       convolutions and concatenations respected), keeping the baseline's strongest channels (or starting fresh, when
 *       planned); either way trained with Adam at the budget's learning rate ({@link NetworkFactory#forTraining});</li>
 *   <li>student channels: ranked by the planned importance criterion (l1, l2, taylor, random; bn_scale needs batch
 *       normalisation after the narrowed layers, which the cnn and mlp families do not have);</li>
 *   <li>prune: magnitude pruning to the planned sparsity, at once before fine-tuning (masks kept while
 *       training) or gradually on Zhu and Gupta's AGP schedule during fine-tuning; allocated to the layers by one global
 *       threshold, or (allocation {@code sensitivity}) by per-layer sparsities from a sensitivity analysis on
 *       {@value #SENSITIVITY_SAMPLES} training samples (each layer pruned alone, accuracy without fine-tuning; AGP scales
 *       those sparsities by the schedule's current global sparsity over the target);</li>
 *   <li>train: fine-tune (width 1.0) or train (student) for the budget, with distillation from the baseline when
 *       planned, quantization-aware (fake-quantized weights, straight-through gradient to float master weights) when
 *       planned. The distillation kinds: {@code response} trains against the teacher's softened outputs
 *       ({@link DistillationLoss}); {@code feature} first runs FitNets hint training ({@link FeatureDistillation}, default
 *       layers, as many epochs as the training, pruning masks kept) and then trains with response KD;
 *       {@code relation} trains with response KD plus RKD between the student's and the teacher's logits
 *       ({@link RelationalDistillationLoss} with the paper's weights 25 and 50). With alpha 0 the response term is plain
 *       cross-entropy in all three. The planned regularisation ({@link Regularization}: l1 or group lasso) takes a
 *       proximal step after every optimiser step of this training (not of the FitNets hint stage);</li>
 *   <li>quantize: per-channel symmetric fake quantization of the weights, each layer at its own planned bits
 *       (mixed precision), with the ranges chosen by the planned calibration (min-max by default); when planned, bias
 *       correction ({@link BiasCorrection}) against the network just before quantization on the first 256 training inputs
 *       ({@link EvaluationContext#calibration()}); when planned, fake quantization of the hidden layers' activations
 *       ({@link ActivationQuantizer}, same calibration, same inputs). With QAT, the activations are calibrated on the
 *       starting network (weights quantized) and quantized during the fine-tuning too (straight-through estimator), and
 *       keep those ranges;</li>
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
 * {@code fits_memory@<device>} (1 or 0) and {@code train_seconds}; when the plan quantizes activations,
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
                            Map<String, float[]> biasShifts) {
        public Candidate {
            biasShifts = biasShifts == null ? Map.of() : Map.copyOf(biasShifts);
        }

        /** A candidate without bias correction. */
        public Candidate(CompressionPlan plan, ComputationGraph network, Map<String, Integer> weightBits, double trainSeconds) {
            this(plan, network, weightBits, trainSeconds, Map.of());
        }

        /** The deployment form: INT8 when every weight layer was quantized to at most 8 bits, else float32. */
        public boolean int8() {
            List<WeightTensors.Target> targets = WeightTensors.of(network);
            return !targets.isEmpty() && targets.stream().allMatch(t -> weightBits.getOrDefault(t.layer(), 32) <= 8);
        }
    }

    /** The candidate's ONNX model in its deployment form (see {@link Candidate#int8()}). */
    public byte[] exportOnnx(Candidate c) {
        return c.int8() ? GraphOnnxExporter.int8(c.network(), context.inputType(), context.calibration(), c.weightBits())
                : GraphOnnxExporter.fp32(c.network(), context.inputType());
    }

    public Map<String, Double> evaluate(CompressionPlan plan, TrainingBudget budget, long seed) {
        Candidate candidate = build(plan, budget, seed);
        ComputationGraph net = candidate.network();
        Map<String, Integer> bits = candidate.weightBits();
        double trainSeconds = candidate.trainSeconds();
        double accuracy = Training.accuracy(net, context.test());
        // The INT8 deployment form runs its integer layers on 8-bit activations: the simulated devices see that too.
        Map<String, Integer> activationBits = new HashMap<>();
        if (candidate.int8()) {
            GraphOnnxExporter.integerLayers(net).forEach(v -> activationBits.put(v, 8));
        }
        if (plan.quantizesActivations()) {
            // every vertex reads and writes activations at the planned bits (the input images are 8-bit already)
            for (String v : net.getConfiguration().getVertices().keySet()) {
                activationBits.merge(v, plan.activationBits(), Math::min);
            }
        }
        List<LayerCost> costs = GraphCostModel.of(net, context.inputType(), bits, activationBits);
        long size = CostModel.totalStorageBytes(costs);
        long params = CostModel.totalParameters(costs);
        boolean int8 = candidate.int8();
        byte[] onnx = exportOnnx(candidate);
        INDArray reference = Training.predict(net, context.test().getFeatures());
        float[] oneInput = context.test().getFeatures().getRow(0).dup('c').data().asFloat();
        int batch = (int) Math.min(latencyProbe.batch(), context.test().numExamples());
        float[] batchInput = batch > 0 ? context.test().getFeatures().get(NDArrayIndex.interval(0, batch), NDArrayIndex.all()).dup('c')
                .data().asFloat() : null;
        double[] onnxResult = OrtThread.call(() -> {
            try (OnnxModel model = new OnnxModel(onnx, (int) context.test().getFeatures().size(1), latencyProbe.intraOpThreads())) {
                java.util.OptionalLong before = HostEnergy.readMicrojoules();
                OnnxModel.Latency l = model.latency(oneInput, 1, latencyProbe.warmup(), latencyProbe.repeats());
                java.util.OptionalLong after = HostEnergy.readMicrojoules();
                // RAPL covers warm-up and timed runs; the counter wraps rarely, a negative delta falls back to the model
                double raplMj = before.isPresent() && after.isPresent() && after.getAsLong() > before.getAsLong()
                        ? (after.getAsLong() - before.getAsLong()) / 1000.0 / (latencyProbe.warmup() + latencyProbe.repeats()) : Double.NaN;
                double batchMs = batch > 0 ? model.latency(batchInput, batch, Math.max(1, latencyProbe.warmup() / 4),
                        Math.max(5, latencyProbe.repeats() / 4)).p50Ms() : Double.NaN;
                return new double[] {model.top1Agreement(context.test().getFeatures(), reference), l.p50Ms(), l.p95Ms(), batchMs, raplMj};
            }
        });
        double agreement = onnxResult[0];
        OnnxModel.Latency host = new OnnxModel.Latency(1, onnxResult[1], onnxResult[2], latencyProbe.repeats());

        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        m.put("accuracy_drop", context.baselineAccuracy() - accuracy);
        m.put("size_bytes", (double) size);
        m.put("compression_ratio", (double) context.baselineSizeBytes() / size);
        m.put("params", (double) params);
        m.put("nonzero_params", (double) CostModel.nonzeroParameters(costs));
        m.put("macs", (double) CostModel.totalMacs(costs));
        m.put("sparsity", MagnitudePruner.sparsity(net));
        if (plan.sparsity() > 0 || !plan.regularizer().isNone()) {
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
        m.put("bitops", (double) costs.stream().mapToLong(c -> c.macs() * c.weightBits() * c.activationBits()).sum());
        m.put("onnx_bytes", (double) onnx.length);
        m.put("onnx_int8", int8 ? 1.0 : 0.0);
        m.put("onnx_top1_agreement", agreement);
        for (HardwareProfile p : context.profiles()) {
            SimulatedDevice.Estimate e = new SimulatedDevice(p).estimate(costs);
            m.put("latency_ms@" + p.id(), e.latencyMs());
            m.put("energy_mj@" + p.id(), e.energyMj());
            m.put("fits_memory@" + p.id(), e.fitsMemory() ? 1.0 : 0.0);
        }
        m.put("train_seconds", trainSeconds);
        if (plan.quantizesActivations()) {
            m.put("activation_bits", (double) plan.activationBits());
        }
        if (!candidate.biasShifts().isEmpty()) {
            m.put("bias_correction", 1.0);
            m.put("bias_shift_max", maxAbs(candidate.biasShifts().values()));
        }
        if (!plan.calibration().equals(CompressionPlan.MINMAX) && (!bits.isEmpty() || plan.quantizesActivations())) {
            m.put("calibration." + plan.calibration(), 1.0);
        }
        return m;
    }

    /** Builds and trains one candidate: student, prune, fine-tune (with distillation when planned), quantize. */
    public Candidate build(CompressionPlan plan, TrainingBudget budget, long seed) {
        DataSet train = subset(context.train(), budget.trainSamples());
        ILossFunction kd = trainingLoss(plan);
        ComputationGraph net;
        int epochs;
        if (plan.isStudent()) {
            // the baseline's own topology, every channel group narrowed to the width (at least one channel each)
            ComputationGraph teacher = context.teacherCopy();
            ImportanceCriterion criterion = ImportanceCriterion.named(plan.criterion(), seed);
            boolean inherit = plan.inheritWeights() && plan.widthMultiplier() < 1.0;
            Map<String, INDArray> gradients = inherit && criterion.needsGradient()
                    ? Training.weightGradients(teacher, subset(train, 512)) : Map.of();
            if (plan.widthMultiplier() > 1.0) {
                throw new IllegalArgumentException("student width " + plan.widthMultiplier() + ": a student narrows the baseline's own"
                        + " topology, so widths must be in (0, 1]");
            }
            ComputationGraph narrow = plan.widthMultiplier() < 1.0
                    ? GraphChannelPruning.prune(teacher, GraphChannelPruning.select(teacher, plan.widthMultiplier(), criterion, gradients))
                    : teacher;
            net = NetworkFactory.forTraining(narrow, budget.studentLearningRate(), kd, seed, inherit);
            epochs = budget.studentEpochs();
        } else {
            net = NetworkFactory.forTraining(context.teacherCopy(), budget.fineTuneLearningRate(), kd, seed, true);
            epochs = budget.fineTuneEpochs();
        }
        MagnitudePruner pruner = new MagnitudePruner(MagnitudePruner.Scope.GLOBAL);
        Map<String, Double> allocated = plan.allocation().equals(CompressionPlan.SENSITIVITY) && plan.sparsity() > 0
                ? sensitivityAllocation(net, train, plan.sparsity()) : null;
        // prunes to a global sparsity; with a sensitivity allocation, each layer at its share of it
        java.util.function.DoubleFunction<PruningMasks> prune = s -> allocated == null ? pruner.prune(net, s)
                : MagnitudePruner.pruneLayers(net, scaled(allocated, s / plan.sparsity()));
        boolean gradual = plan.pruningSchedule().equals(CompressionPlan.AGP) && plan.sparsity() > 0 && epochs > 0;
        PruningMasks masks = gradual ? PruningMasks.none() : prune.apply(plan.sparsity());

        WeightQuantizer quantizer = quantizer(plan, net);
        WeightQuantizer fakeQuantizer = plan.qat() ? quantizer : null;
        ActivationQuantizer activations = plan.quantizesActivations()
                ? new ActivationQuantizer(plan.activationBits(), Calibration.named(plan.calibration())) : null;
        boolean activationQat = activations != null && plan.qat() && epochs > 0;
        if (activationQat) {
            // QAT covers the activations: ranges from the starting network with its weights quantized, then fine-tuning
            // runs through the fake-quantized activations (straight-through estimator)
            INDArray master = net.params().dup();
            if (quantizer != null) {
                quantizer.quantize(net);
            }
            activations.quantize(net, context.calibration());
            net.setParams(master);
        }
        Regularization regularization = plan.regularizer();
        long t0 = System.nanoTime();
        if (epochs > 0) {
            DataSet data = train;
            if (kd != null) {
                INDArray teacher = subsetRows(context.teacherProbabilities(), train.numExamples());
                INDArray labels = DistillationLoss.encodeTargets(train.getLabels(), teacher, plan.temperature());
                if (plan.distillKind().equals(CompressionPlan.RELATION)) {
                    labels = RelationalDistillationLoss.encodeTargets(labels, subsetRows(context.teacherLogits(), train.numExamples()));
                }
                data = new DataSet(train.getFeatures(), labels);
                if (plan.distillKind().equals(CompressionPlan.FEATURE)) {
                    // FitNets stage 1 on the student's own layers; stage 2 is the (response-KD) training below
                    ComputationGraph teacherNet = context.teacherCopy();
                    FeatureDistillation.hintTrain(net, teacherNet, train, FeatureDistillation.defaultLayer(net),
                            FeatureDistillation.defaultLayer(teacherNet), epochs, budget.batchSize(), masks, seed);
                }
            }
            if (gradual) {
                // AGP: prune a little more before each quarter epoch, fine-tuning with the current masks in between
                int steps = AGP_STEPS_PER_EPOCH * epochs;
                GradualPruning schedule = new GradualPruning(0.0, plan.sparsity(), steps);
                List<DataSet> quarters = slices(data, AGP_STEPS_PER_EPOCH);
                for (int t = 1; t <= steps; t++) {
                    PruningMasks step = prune.apply(schedule.sparsityAt(t));
                    Training.fit(net, quarters.get((t - 1) % quarters.size()), 1, budget.batchSize(), step, seed + t, fakeQuantizer,
                            regularization);
                }
                prune.apply(plan.sparsity());
            } else {
                Training.fit(net, data, epochs, budget.batchSize(), masks, seed, fakeQuantizer, regularization);
            }
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;

        Map<String, Integer> bits = new HashMap<>();
        Map<String, float[]> biasShifts = Map.of();
        if (quantizer != null) {
            ComputationGraph reference = plan.biasCorrection() ? net.clone() : null;
            for (WeightQuantizer.QuantizedTensor q : quantizer.quantize(net)) {
                bits.put(q.layer(), q.bits());
            }
            if (reference != null) {
                biasShifts = BiasCorrection.correct(reference, net, context.calibration());
            }
        }
        if (activations != null && !activationQat) {
            activations.quantize(net, context.calibration());
        }

        return new Candidate(plan, net, Map.copyOf(bits), trainSeconds, biasShifts);
    }

    /**
     * The weight quantizer of a plan, or null when every weight stays float: one bit width for all layers, or (mixed
     * precision) each weight layer at {@link CompressionPlan#bitsOf} its name.
     */
    private static WeightQuantizer quantizer(CompressionPlan plan, ComputationGraph net) {
        Calibration calibration = Calibration.named(plan.calibration());
        if (plan.layerBits().isEmpty()) {
            return plan.weightBits() < 32 ? new WeightQuantizer(QuantizationScheme.perChannelSymmetric(plan.weightBits())
                    .withCalibration(calibration)) : null;
        }
        List<WeightTensors.Target> targets = WeightTensors.of(net);
        for (String layer : plan.layerBits().keySet()) {
            if (targets.stream().noneMatch(t -> t.layerName().equals(layer))) {
                throw new IllegalArgumentException("the plan sets the weight bits of layer '" + layer + "', which the network does not have"
                        + " (its weight layers: " + targets.stream().map(WeightTensors.Target::layerName).toList() + ")");
            }
        }
        Map<String, Integer> bits = new LinkedHashMap<>();
        for (WeightTensors.Target t : targets) {
            int b = plan.bitsOf(t.layer());
            if (b < 32) {
                bits.put(t.layer(), b);
            }
        }
        return bits.isEmpty() ? null : WeightQuantizer.perLayer(bits, calibration);
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

    /** Training samples the sensitivity analysis scores on (accuracy, no fine-tuning). */
    static final int SENSITIVITY_SAMPLES = 512;
    /** Sparsities at which each layer's sensitivity is measured; the last one is raised to the target when above it. */
    private static final double[] SENSITIVITY_POINTS = {0.25, 0.5, 0.75, 0.9, 0.97};
    /** Step of the greedy allocation over the measured curves. */
    private static final double ALLOCATION_STEP = 0.02;

    /**
     * Per-tensor sparsities, by tensor id, whose weighted mean is {@code target}: each weight layer of {@code net} is
     * pruned alone at {@link #SENSITIVITY_POINTS} and scored by accuracy on the first {@link #SENSITIVITY_SAMPLES}
     * training samples ({@link SensitivityAnalysis#measure}), then {@link SensitivityAnalysis#allocate} spends the
     * target where it costs least accuracy. {@code net} is left unchanged.
     */
    static Map<String, Double> sensitivityAllocation(ComputationGraph net, DataSet train, double target) {
        DataSet slice = subset(train, SENSITIVITY_SAMPLES);
        double[] points = SENSITIVITY_POINTS.clone();
        points[points.length - 1] = Math.max(points[points.length - 1], target);
        List<SensitivityAnalysis.Curve> curves = SensitivityAnalysis.measure(net, points, n -> Training.accuracy(n, slice));
        return SensitivityAnalysis.allocate(curves, target, ALLOCATION_STEP);
    }

    /** Every sparsity times {@code factor} (in [0, 1]). */
    private static Map<String, Double> scaled(Map<String, Double> sparsities, double factor) {
        Map<String, Double> out = new LinkedHashMap<>();
        sparsities.forEach((layer, s) -> out.put(layer, s * Math.min(1.0, factor)));
        return out;
    }

    /** The training loss of a plan: null (softmax cross-entropy) without distillation, else per its kind. */
    static ILossFunction trainingLoss(CompressionPlan plan) {
        if (!plan.distill()) {
            return null;
        }
        DistillationLoss response = new DistillationLoss(plan.temperature(), plan.alpha());
        return plan.distillKind().equals(CompressionPlan.RELATION) ? RelationalDistillationLoss.withPaperWeights(response) : response;
    }

    /** Pruning steps per epoch of the AGP schedule. */
    static final int AGP_STEPS_PER_EPOCH = 4;

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
