package dev.kompakt.strategies.quantization;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.CompressionStrategy;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.WeightTensors;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Quantization of the candidate: per-channel symmetric fake quantization of the weights after training, each weight
 * layer at its bits (one width for all, or mixed precision per layer), with the ranges chosen by a calibration; optionally
 * quantization-aware fine-tuning (fake-quantized weights in the forward pass, straight-through gradient to float master
 * weights; Jacob et al. 2018, Bengio et al. 2013), bias correction after post-training weight quantization
 * ({@link BiasCorrection}) and fake quantization of the hidden layers' activations ({@link ActivationQuantizer}). With QAT,
 * the activations are calibrated on the starting network (weights quantized) and quantized during the training too, and
 * keep those ranges. Calibration and bias correction use {@link CandidateBuild#calibrationInputs()}.
 *
 * <p>Parameters: {@code quant.weight_bits} (or, for mixed precision, {@code quant.weight_bits.<layer>} per weight layer),
 * {@code quant.qat}, {@code quant.calibration}, {@code quant.bias_correction}, {@code quant.activation_bits}; each
 * option is left out of the space at its default, so a range without it is the space searched before it existed. See
 * {@link #fragment} for when each is active.
 */
public final class QuantizationStrategy implements CompressionStrategy<QuantizationStrategy.Range, QuantizationStrategy.Plan> {
    public static final String WEIGHT_BITS = "quant.weight_bits";
    /** Mixed precision: {@code quant.weight_bits.<layer>}, one per weight layer, instead of {@link #WEIGHT_BITS}. */
    public static final String LAYER_BITS_PREFIX = WEIGHT_BITS + ".";
    public static final String QAT = "quant.qat";
    public static final String CALIBRATION = "quant.calibration";
    public static final String BIAS_CORRECTION = "quant.bias_correction";
    public static final String ACTIVATION_BITS = "quant.activation_bits";
    /** Float weights or activations. */
    public static final int FLOAT = 32;

    /** How the quantization ranges are chosen ({@link Calibration#named}). */
    public enum CalibrationMethod implements Option {
        /** The full range, nothing clipped (the default). */
        MINMAX("minmax"), PERCENTILE("percentile"), MSE("mse"),
        /** TensorRT's entropy calibration. */
        KL("kl");

        private final String id;

        CalibrationMethod(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        /** The calibration operator. */
        public Calibration calibration() {
            return Calibration.named(id);
        }
    }

    /**
     * Weight bit widths to choose from, e.g. [32, 8, 6, 4] (32 = float); {@code qat} the QAT choices, e.g. [false, true]
     * (empty = post-training quantization only); {@code layers} the weight layers of a mixed-precision space;
     * {@code calibrations} (default [minmax]); {@code biasCorrection} choices (empty = off); {@code activationBits} over 32
     * or 2..8 (default [32]); {@code mixedPrecision} one bit width per weight layer instead of one for all: its layers are
     * the baseline's, set with {@link #withLayers} once the baseline is known (a spec names no layers).
     */
    public record Range(List<Integer> weightBits, List<Boolean> qat, List<String> layers, List<CalibrationMethod> calibrations,
                        List<Boolean> biasCorrection, List<Integer> activationBits, boolean mixedPrecision) {
        public Range {
            weightBits = List.copyOf(weightBits);
            for (int b : weightBits) {
                checkWeightBits(b, "weight bits");
            }
            qat = qat == null ? List.of() : List.copyOf(qat);
            layers = layers == null ? List.of() : List.copyOf(layers);
            calibrations = calibrations == null || calibrations.isEmpty() ? List.of(CalibrationMethod.MINMAX) : List.copyOf(calibrations);
            biasCorrection = biasCorrection == null ? List.of() : List.copyOf(biasCorrection);
            activationBits = activationBits == null || activationBits.isEmpty() ? List.of(FLOAT) : List.copyOf(activationBits);
            for (int b : activationBits) {
                checkActivationBits(b);
            }
        }

        /** Mixed precision exactly when {@code layers} are named. */
        public Range(List<Integer> weightBits, List<Boolean> qat, List<String> layers, List<CalibrationMethod> calibrations,
                     List<Boolean> biasCorrection, List<Integer> activationBits) {
            this(weightBits, qat, layers, calibrations, biasCorrection, activationBits, layers != null && !layers.isEmpty());
        }

        /** This range over the weight layers of a baseline (when mixed precision; unchanged otherwise). */
        public Range withLayers(List<String> weightLayers) {
            return mixedPrecision ? new Range(weightBits, qat, weightLayers, calibrations, biasCorrection, activationBits, true) : this;
        }

        /** Min-max calibration, no bias correction, float activations. */
        public Range(List<Integer> weightBits, List<Boolean> qat, List<String> layers) {
            this(weightBits, qat, layers, List.of(), List.of(), List.of());
        }

        public Range(List<Integer> weightBits) {
            this(weightBits, List.of(), List.of());
        }
    }

    /**
     * @param weightBits     32 for float weights, else the bits of every weight layer not named in {@code layerBits}
     * @param layerBits      mixed precision: bits of named weight layers (32 = float), overriding {@code weightBits}; empty =
     *                       every weight layer at {@code weightBits}. A mixed-precision plan from the space names every
     *                       weight layer and sets {@code weightBits} to its widest layer's bits
     * @param qat            quantization-aware training; only when some layer's bits are below 32
     * @param calibration    how the ranges are chosen; other than min-max only with some weight or activation bits below 32
     * @param biasCorrection bias correction after post-training weight quantization; only with some weight bits below 32
     * @param activationBits 32 for float activations, else 2 to 8 for the hidden layers' outputs
     */
    public record Plan(int weightBits, Map<String, Integer> layerBits, boolean qat, CalibrationMethod calibration, boolean biasCorrection,
                       int activationBits) {
        public Plan {
            layerBits = layerBits == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(layerBits));
            for (Map.Entry<String, Integer> e : layerBits.entrySet()) {
                if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
                    throw new IllegalArgumentException("layer bits need a layer name and bits, got " + e.getKey() + " -> " + e.getValue());
                }
                checkWeightBits(e.getValue(), "weight bits of layer " + e.getKey());
            }
            checkWeightBits(weightBits, "weight bits");
            calibration = calibration == null ? CalibrationMethod.MINMAX : calibration;
            activationBits = activationBits == 0 ? FLOAT : activationBits;
            checkActivationBits(activationBits);
            boolean floatWeights = weightBits == FLOAT && layerBits.values().stream().allMatch(b -> b == FLOAT);
            if (qat && floatWeights) {
                throw new IllegalArgumentException("quantization-aware training needs weight bits below 32, got 32 (float)");
            }
            if (biasCorrection && floatWeights) {
                throw new IllegalArgumentException("bias correction needs weight bits below 32, got 32 (float)");
            }
            if (calibration != CalibrationMethod.MINMAX && floatWeights && activationBits == FLOAT) {
                throw new IllegalArgumentException("calibration " + calibration.id() + " needs weight or activation bits below 32, got 32"
                        + " (float) for both");
            }
        }

        /** One width for every weight layer, post-training, min-max, float activations. */
        public static Plan weights(int bits) {
            return new Plan(bits, Map.of(), false, CalibrationMethod.MINMAX, false, FLOAT);
        }

        /** The bits of the weight layer named {@code layer}: its own from {@link #layerBits}, else {@link #weightBits}. */
        public int bitsOf(String layer) {
            return layerBits.getOrDefault(layer, weightBits);
        }

        /** Whether the hidden layers' activations are quantized (activation bits below 32). */
        public boolean quantizesActivations() {
            return activationBits < FLOAT;
        }

        /** Whether every weight stays float. */
        public boolean floatWeights() {
            return weightBits == FLOAT && layerBits.values().stream().allMatch(b -> b == FLOAT);
        }
    }

    @Override
    public String prefix() {
        return "quant.";
    }

    /**
     * {@code weight_bits} (one categorical), {@code qat} active for bits below 32, {@code calibration} active for bits below
     * 32 (unconditional when activation bits below 32 are searched too), {@code bias_correction} active for bits below 32,
     * {@code activation_bits} unconditional. Mixed precision: one {@code weight_bits.<layer>} per layer, and the options
     * unconditional (they take effect when some layer is below 32 bits).
     */
    @Override
    public SearchSpace fragment(Range range) {
        List<Parameter> params = new ArrayList<>();
        boolean quantizedActivations = range.activationBits().stream().anyMatch(b -> b < FLOAT);
        boolean searchCalibration = !range.calibrations().equals(List.of(CalibrationMethod.MINMAX));
        List<Object> calibrations = Option.choices(range.calibrations());
        if (range.mixedPrecision() && range.layers().isEmpty()) {
            throw new IllegalStateException("a mixed-precision range needs the baseline's weight layers (Range.withLayers)");
        }
        if (range.mixedPrecision()) {
            for (String layer : range.layers()) {
                params.add(new Parameter.Categorical("weight_bits." + layer, new ArrayList<>(range.weightBits())));
            }
            boolean integer = range.weightBits().stream().anyMatch(b -> b < FLOAT);
            if (!range.qat().isEmpty() && integer) {
                params.add(new Parameter.Categorical("qat", new ArrayList<>(range.qat())));
            }
            if (searchCalibration && (integer || quantizedActivations)) {
                params.add(new Parameter.Categorical("calibration", new ArrayList<>(calibrations)));
            }
            if (!range.biasCorrection().isEmpty() && integer) {
                params.add(new Parameter.Categorical("bias_correction", new ArrayList<>(range.biasCorrection())));
            }
            addActivationBits(range, params);
            return new SearchSpace(params);
        }
        params.add(new Parameter.Categorical("weight_bits", new ArrayList<>(range.weightBits())));
        List<Object> integer = range.weightBits().stream().filter(b -> b < FLOAT).map(b -> (Object) b).toList();
        Optional<Parameter.Condition> quantizedWeights = integer.isEmpty() ? Optional.empty()
                : Optional.of(new Parameter.Condition("weight_bits", integer));
        if (!range.qat().isEmpty() && !integer.isEmpty()) {
            params.add(new Parameter.Categorical("qat", new ArrayList<>(range.qat()), quantizedWeights));
        }
        if (searchCalibration && quantizedActivations) {
            params.add(new Parameter.Categorical("calibration", new ArrayList<>(calibrations)));
        } else if (searchCalibration && !integer.isEmpty()) {
            params.add(new Parameter.Categorical("calibration", new ArrayList<>(calibrations), quantizedWeights));
        }
        if (!range.biasCorrection().isEmpty() && !integer.isEmpty()) {
            params.add(new Parameter.Categorical("bias_correction", new ArrayList<>(range.biasCorrection()), quantizedWeights));
        }
        addActivationBits(range, params);
        return new SearchSpace(params);
    }

    private static void addActivationBits(Range range, List<Parameter> params) {
        if (!range.activationBits().equals(List.of(FLOAT))) {
            params.add(new Parameter.Categorical("activation_bits", new ArrayList<>(range.activationBits())));
        }
    }

    /** A choice that does nothing for the candidate (QAT, calibration, bias correction of float weights) decodes to its default. */
    @Override
    public Plan decode(Assignment a) {
        Map<String, Integer> layerBits = new LinkedHashMap<>();
        for (String name : a.values().keySet()) {
            if (name.startsWith(LAYER_BITS_PREFIX)) {
                layerBits.put(name.substring(LAYER_BITS_PREFIX.length()), a.getInt(name));
            }
        }
        int bits = a.has(WEIGHT_BITS) ? a.getInt(WEIGHT_BITS) : layerBits.values().stream().mapToInt(Integer::intValue).max().orElse(FLOAT);
        int narrowest = Math.min(bits, layerBits.values().stream().mapToInt(Integer::intValue).min().orElse(FLOAT));
        boolean qat = narrowest < FLOAT && a.has(QAT) && a.getBoolean(QAT);
        int activationBits = a.has(ACTIVATION_BITS) ? a.getInt(ACTIVATION_BITS) : FLOAT;
        CalibrationMethod calibration = (narrowest < FLOAT || activationBits < FLOAT) && a.has(CALIBRATION)
                ? Option.parse(CalibrationMethod.class, a.getString(CALIBRATION)) : CalibrationMethod.MINMAX;
        boolean biasCorrection = narrowest < FLOAT && a.has(BIAS_CORRECTION) && a.getBoolean(BIAS_CORRECTION);
        return new Plan(bits, layerBits, qat, calibration, biasCorrection, activationBits);
    }

    @Override
    public Plan identity() {
        return Plan.weights(FLOAT);
    }

    @Override
    public void beforeTraining(Plan plan, CandidateBuild build) {
        ComputationGraph net = build.network();
        WeightQuantizer quantizer = quantizer(plan, net);
        if (plan.qat()) {
            build.fakeQuantizer(quantizer);
        }
        if (activationQat(plan, build)) {
            // QAT covers the activations: ranges from the starting network with its weights quantized, then training runs
            // through the fake-quantized activations (straight-through estimator)
            INDArray master = net.params().dup();
            if (quantizer != null) {
                quantizer.quantize(net);
            }
            activations(plan).quantize(net, build.calibrationInputs());
            net.setParams(master);
        }
    }

    @Override
    public void afterTraining(Plan plan, CandidateBuild build) {
        ComputationGraph net = build.network();
        WeightQuantizer quantizer = quantizer(plan, net);
        Map<String, Integer> bits = new HashMap<>();
        Map<String, float[]> biasShifts = Map.of();
        if (quantizer != null) {
            ComputationGraph reference = plan.biasCorrection() ? net.clone() : null;
            for (WeightQuantizer.QuantizedTensor q : quantizer.quantize(net)) {
                bits.put(q.layer(), q.bits());
            }
            if (reference != null) {
                biasShifts = BiasCorrection.correct(reference, net, build.calibrationInputs());
            }
        }
        if (plan.quantizesActivations() && !activationQat(plan, build)) {
            activations(plan).quantize(net, build.calibrationInputs());
        }
        build.quantized(Map.copyOf(bits), biasShifts);
    }

    private static boolean activationQat(Plan plan, CandidateBuild build) {
        return plan.quantizesActivations() && plan.qat() && build.epochs() > 0;
    }

    private static ActivationQuantizer activations(Plan plan) {
        return new ActivationQuantizer(plan.activationBits(), plan.calibration().calibration());
    }

    /**
     * The weight quantizer of a plan, or null when every weight stays float: one bit width for all layers, or (mixed
     * precision) each weight layer at {@link Plan#bitsOf} its name; a named layer the network lacks is refused.
     */
    public static WeightQuantizer quantizer(Plan plan, ComputationGraph net) {
        Calibration calibration = plan.calibration().calibration();
        if (plan.layerBits().isEmpty()) {
            return plan.weightBits() < FLOAT ? new WeightQuantizer(QuantizationScheme.perChannelSymmetric(plan.weightBits())
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
            if (b < FLOAT) {
                bits.put(t.layer(), b);
            }
        }
        return bits.isEmpty() ? null : WeightQuantizer.perLayer(bits, calibration);
    }

    private static void checkWeightBits(int bits, String what) {
        if (bits != FLOAT && (bits < 2 || bits > 16)) {
            throw new IllegalArgumentException(what + " must be 32 (float) or in [2, 16], got " + bits);
        }
    }

    private static void checkActivationBits(int bits) {
        if (bits != FLOAT && (bits < 2 || bits > 8)) {
            throw new IllegalArgumentException("activation bits must be 32 (float) or in [2, 8], got " + bits);
        }
    }
}
