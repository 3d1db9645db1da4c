package dev.kompakt.strategies;

import dev.kompakt.search.Assignment;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import dev.kompakt.strategies.pruning.Regularization;
import dev.kompakt.strategies.pruning.SensitivityAnalysis;
import dev.kompakt.strategies.quantization.ActivationQuantizer;
import dev.kompakt.strategies.quantization.BiasCorrection;
import dev.kompakt.strategies.quantization.Calibration;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What to do to the baseline for one candidate, decoded from a trial's assignment. Applied in the order
 * student architecture, then prune, then fine-tune (with distillation when on), then quantize.
 *
 * @param widthMultiplier student width relative to the baseline; 1.0 starts from the baseline's weights
 * @param inheritWeights  a narrower student starts from the baseline's strongest channels (L1 norm) instead
 *                        of a fresh initialisation
 * @param criterion       how an inheriting student ranks the baseline's channels: l1, l2, taylor, random or bn_scale
 *                        (network slimming: |gamma| of the batch normalisation after each layer; only for networks
 *                        that have one after every narrowed layer)
 * @param sparsity        fraction of weights removed by global magnitude pruning, in [0, 1)
 * @param pruningSchedule {@code oneshot} (prune, then fine-tune with masks) or {@code agp} (Zhu and Gupta's
 *                        gradual schedule, pruning a little more at every quarter epoch of fine-tuning)
 * @param weightBits      32 for float weights, else per-channel symmetric integer bits
 * @param qat             quantization-aware fine-tuning: train with fake-quantized weights in the forward pass and
 *                        float master weights updated by the straight-through gradient (Jacob et al. 2018; Bengio et
 *                        al. 2013 for the estimator); only when some layer's bits are below 32
 * @param distill         train against the baseline as teacher
 * @param temperature     KD softmax temperature (used when distill)
 * @param alpha           KD weight of the soft-target term (used when distill)
 * @param layerBits       mixed precision: bits of named weight layers (e.g. {@code fc1 -> 4}; 32 = float), overriding
 *                        {@code weightBits} for those layers; empty (the default) = every weight layer at {@code weightBits}.
 *                        A mixed-precision plan from the space names every weight layer and sets {@code weightBits} to
 *                        its widest layer's bits
 * @param allocation      how the sparsity is spread over the layers: {@code global} (one magnitude threshold over all
 *                        weights, the default) or {@code sensitivity} (per-layer sparsities from a sensitivity analysis,
 *                        see {@link SensitivityAnalysis})
 * @param distillKind     which knowledge is distilled when distill is on: {@code response} (Hinton et al. 2015: the
 *                        teacher's softened outputs), {@code feature} (Romero et al. 2015, FitNets: a hint-training stage
 *                        that regresses a teacher layer's output, then response KD) or {@code relation} (Park et al. 2019,
 *                        RKD: distances and angles between the examples' outputs, plus response KD); null, as in plans
 *                        recorded before the kind existed, means {@code response}
 * @param regularization  sparsity-inducing regularisation while fine-tuning or training the student, applied as a
 *                        proximal step after every optimiser step (see {@link Regularization}): {@code none},
 *                        {@code l1} (element-wise soft-thresholding) or {@code group_lasso} (whole output channels,
 *                        Wen et al. 2016); null, as in plans recorded before regularisation existed, means {@code none}
 * @param regularizationStrength the penalty's lambda (&gt; 0) when {@code regularization} is not {@code none}, else 0;
 *                        each step shrinks by lambda times the layer's learning rate
 * @param calibration     how the weight quantizer's ranges (and the activation quantizer's, when activations are
 *                        quantized) are chosen: {@code minmax} (the default), {@code percentile}, {@code mse} or {@code kl}
 *                        (see {@link Calibration#named}); null, as in plans recorded before the field existed, means
 *                        {@code minmax}. Only with some weight or activation bits below 32
 * @param biasCorrection  after post-training weight quantization, correct each quantized layer's bias so its mean output
 *                        on calibration inputs equals the float network's ({@link BiasCorrection}); only with some weight
 *                        bits below 32; absent in plans recorded before the field existed = false
 * @param activationBits  32 for float activations (the default), else 2 to 8: the hidden layers' outputs are fake-quantized
 *                        ({@link ActivationQuantizer}); 0, as a plan recorded before the field existed decodes, means 32
 */
public record CompressionPlan(double widthMultiplier, boolean inheritWeights, String criterion, double sparsity, String pruningSchedule,
                              int weightBits, boolean qat, boolean distill, double temperature, double alpha,
                              Map<String, Integer> layerBits, String allocation, String distillKind, String regularization,
                              double regularizationStrength, String calibration, boolean biasCorrection, int activationBits) {
    public static final String ONESHOT = "oneshot";
    public static final String AGP = "agp";
    public static final String GLOBAL = "global";
    public static final String SENSITIVITY = "sensitivity";
    /** Response-based KD (the default kind). */
    public static final String RESPONSE = "response";
    /** Feature-based KD (FitNets hints). */
    public static final String FEATURE = "feature";
    /** Relation-based KD (RKD). */
    public static final String RELATION = "relation";
    /** The distillation kinds, in the order documentation lists them. */
    public static final java.util.List<String> DISTILL_KINDS = java.util.List.of(RESPONSE, FEATURE, RELATION);
    /** The default calibration: the full range, nothing clipped. */
    public static final String MINMAX = "minmax";
    /** The calibrations a plan may name (see {@link Calibration#named}). */
    public static final java.util.List<String> CALIBRATIONS = java.util.List.of(MINMAX, "percentile", "mse", "kl");
    /** Float activations (the default). */
    public static final int FLOAT_ACTIVATIONS = 32;

    public CompressionPlan {
        criterion = criterion == null ? "l1" : criterion;
        pruningSchedule = pruningSchedule == null ? ONESHOT : pruningSchedule;
        layerBits = layerBits == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(layerBits));
        allocation = allocation == null ? GLOBAL : allocation;
        if (!allocation.equals(GLOBAL) && !allocation.equals(SENSITIVITY)) {
            throw new IllegalArgumentException("pruning allocation must be global or sensitivity, got '" + allocation + "'");
        }
        for (Map.Entry<String, Integer> e : layerBits.entrySet()) {
            if (e.getKey() == null || e.getKey().isBlank() || e.getValue() == null) {
                throw new IllegalArgumentException("layer bits need a layer name and bits, got " + e.getKey() + " -> " + e.getValue());
            }
            if (e.getValue() != 32 && (e.getValue() < 2 || e.getValue() > 16)) {
                throw new IllegalArgumentException("weight bits of layer " + e.getKey() + " must be 32 (float) or in [2, 16], got "
                        + e.getValue());
            }
        }
        distillKind = distillKind == null ? RESPONSE : distillKind;
        if (!DISTILL_KINDS.contains(distillKind)) {
            throw new IllegalArgumentException("distillation kind must be response, feature or relation, got '" + distillKind + "'");
        }
        if (!ImportanceCriterion.NAMES.contains(criterion)) {
            throw new IllegalArgumentException("importance criterion must be l1, l2, taylor, random or bn_scale, got '" + criterion + "'");
        }
        regularization = regularization == null ? Regularization.NONE : regularization;
        if (!Regularization.NAMES.contains(regularization)) {
            throw new IllegalArgumentException("regularization must be none, l1 or group_lasso, got '" + regularization + "'");
        }
        if (regularization.equals(Regularization.NONE) ? regularizationStrength != 0
                : !(regularizationStrength > 0) || Double.isInfinite(regularizationStrength)) {
            throw new IllegalArgumentException("regularization strength must be " + (regularization.equals(Regularization.NONE)
                    ? "0 without regularization" : "finite and > 0 for " + regularization) + ", got " + regularizationStrength);
        }
        if (!pruningSchedule.equals(ONESHOT) && !pruningSchedule.equals(AGP)) {
            throw new IllegalArgumentException("pruning schedule must be oneshot or agp, got '" + pruningSchedule + "'");
        }
        if (!(widthMultiplier > 0 && widthMultiplier <= 4)) {
            throw new IllegalArgumentException("student width multiplier must be in (0, 4], got " + widthMultiplier);
        }
        if (!(sparsity >= 0 && sparsity < 1)) {
            throw new IllegalArgumentException("pruning sparsity must be in [0, 1), got " + sparsity);
        }
        if (weightBits != 32 && (weightBits < 2 || weightBits > 16)) {
            throw new IllegalArgumentException("weight bits must be 32 (float) or in [2, 16], got " + weightBits);
        }
        if (qat && weightBits == 32 && layerBits.values().stream().allMatch(b -> b == 32)) {
            throw new IllegalArgumentException("quantization-aware training needs weight bits below 32, got 32 (float)");
        }
        calibration = calibration == null ? MINMAX : calibration;
        if (!CALIBRATIONS.contains(calibration)) {
            throw new IllegalArgumentException("calibration must be minmax, percentile, mse or kl, got '" + calibration + "'");
        }
        activationBits = activationBits == 0 ? FLOAT_ACTIVATIONS : activationBits;
        if (activationBits != FLOAT_ACTIVATIONS && (activationBits < 2 || activationBits > 8)) {
            throw new IllegalArgumentException("activation bits must be 32 (float) or in [2, 8], got " + activationBits);
        }
        boolean floatWeights = weightBits == 32 && layerBits.values().stream().allMatch(b -> b == 32);
        if (biasCorrection && floatWeights) {
            throw new IllegalArgumentException("bias correction needs weight bits below 32, got 32 (float)");
        }
        if (!calibration.equals(MINMAX) && floatWeights && activationBits == FLOAT_ACTIVATIONS) {
            throw new IllegalArgumentException("calibration " + calibration + " needs weight or activation bits below 32, got 32 (float) for both");
        }
        if (distill && !(temperature >= 1)) {
            throw new IllegalArgumentException("distillation temperature must be >= 1, got " + temperature);
        }
        if (distill && !(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("distillation alpha must be in [0, 1], got " + alpha);
        }
    }

    /** A plan with min-max calibration, no bias correction and float activations (as every plan was before those were choices). */
    public CompressionPlan(double widthMultiplier, boolean inheritWeights, String criterion, double sparsity, String pruningSchedule,
                           int weightBits, boolean qat, boolean distill, double temperature, double alpha, Map<String, Integer> layerBits,
                           String allocation, String distillKind, String regularization, double regularizationStrength) {
        this(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature, alpha, layerBits,
                allocation, distillKind, regularization, regularizationStrength, MINMAX, false, FLOAT_ACTIVATIONS);
    }

    /** A plan without regularisation (as every plan was before regularisation was a choice). */
    public CompressionPlan(double widthMultiplier, boolean inheritWeights, String criterion, double sparsity, String pruningSchedule,
                           int weightBits, boolean qat, boolean distill, double temperature, double alpha, Map<String, Integer> layerBits,
                           String allocation, String distillKind) {
        this(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature, alpha, layerBits,
                allocation, distillKind, Regularization.NONE, 0.0);
    }

    /** A plan with one bit width for every weight layer, global pruning allocation and response-based distillation. */
    public CompressionPlan(double widthMultiplier, boolean inheritWeights, String criterion, double sparsity, String pruningSchedule,
                           int weightBits, boolean qat, boolean distill, double temperature, double alpha) {
        this(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature, alpha, Map.of(),
                GLOBAL, RESPONSE);
    }

    /** A plan with response-based distillation (the kind every plan had before the kind was a choice). */
    public CompressionPlan(double widthMultiplier, boolean inheritWeights, String criterion, double sparsity, String pruningSchedule,
                           int weightBits, boolean qat, boolean distill, double temperature, double alpha, Map<String, Integer> layerBits,
                           String allocation) {
        this(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature, alpha, layerBits,
                allocation, RESPONSE);
    }

    /** A plan with one bit width for every weight layer and global pruning allocation. */
    public CompressionPlan(double widthMultiplier, boolean inheritWeights, String criterion, double sparsity, String pruningSchedule,
                           int weightBits, boolean qat, boolean distill, double temperature, double alpha, String distillKind) {
        this(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature, alpha, Map.of(),
                GLOBAL, distillKind);
    }

    /** A plan without quantization-aware training (post-training quantization only). */
    public CompressionPlan(double widthMultiplier, boolean inheritWeights, String criterion, double sparsity, String pruningSchedule,
                           int weightBits, boolean distill, double temperature, double alpha) {
        this(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, false, distill, temperature, alpha);
    }

    /** A plan with the default criterion (l1), the one-shot pruning schedule and no quantization-aware training. */
    public CompressionPlan(double widthMultiplier, boolean inheritWeights, double sparsity, int weightBits, boolean distill, double temperature,
                           double alpha) {
        this(widthMultiplier, inheritWeights, "l1", sparsity, ONESHOT, weightBits, false, distill, temperature, alpha);
    }

    /** The baseline itself, unchanged. */
    public static CompressionPlan identity() {
        return new CompressionPlan(1.0, true, 0.0, 32, false, 1.0, 0.0);
    }

    /** Decodes an assignment of the space built by {@link CompressionSpace}; absent parameters take their identity value. */
    public static CompressionPlan from(Assignment a) {
        double width = a.has(CompressionSpace.WIDTH) ? a.getDouble(CompressionSpace.WIDTH) : 1.0;
        boolean inherit = !a.has(CompressionSpace.INIT) || a.getString(CompressionSpace.INIT).equals(CompressionSpace.INHERIT);
        String criterion = a.has(CompressionSpace.CRITERION) ? a.getString(CompressionSpace.CRITERION) : "l1";
        double sparsity = a.has(CompressionSpace.SPARSITY) ? a.getDouble(CompressionSpace.SPARSITY) : 0.0;
        String schedule = a.has(CompressionSpace.SCHEDULE) ? a.getString(CompressionSpace.SCHEDULE) : ONESHOT;
        Map<String, Integer> layerBits = new LinkedHashMap<>();
        for (String name : a.values().keySet()) {
            if (name.startsWith(CompressionSpace.LAYER_BITS_PREFIX)) {
                layerBits.put(name.substring(CompressionSpace.LAYER_BITS_PREFIX.length()), a.getInt(name));
            }
        }
        int bits = a.has(CompressionSpace.WEIGHT_BITS) ? a.getInt(CompressionSpace.WEIGHT_BITS)
                : layerBits.values().stream().mapToInt(Integer::intValue).max().orElse(32);
        int narrowest = Math.min(bits, layerBits.values().stream().mapToInt(Integer::intValue).min().orElse(32));
        boolean qat = narrowest < 32 && a.has(CompressionSpace.QAT) && a.getBoolean(CompressionSpace.QAT);
        String allocation = a.has(CompressionSpace.ALLOCATION) ? a.getString(CompressionSpace.ALLOCATION) : GLOBAL;
        boolean distill = a.has(CompressionSpace.DISTILL) && a.getBoolean(CompressionSpace.DISTILL);
        double temperature = a.has(CompressionSpace.TEMPERATURE) ? a.getDouble(CompressionSpace.TEMPERATURE) : 1.0;
        double alpha = a.has(CompressionSpace.ALPHA) ? a.getDouble(CompressionSpace.ALPHA) : 0.5;
        String kind = a.has(CompressionSpace.DISTILL_KIND) ? a.getString(CompressionSpace.DISTILL_KIND) : RESPONSE;
        String regularization = a.has(CompressionSpace.REGULARIZATION) ? a.getString(CompressionSpace.REGULARIZATION) : Regularization.NONE;
        double strength = !regularization.equals(Regularization.NONE) && a.has(CompressionSpace.REGULARIZATION_STRENGTH)
                ? a.getDouble(CompressionSpace.REGULARIZATION_STRENGTH) : 0.0;
        int activationBits = a.has(CompressionSpace.ACTIVATION_BITS) ? a.getInt(CompressionSpace.ACTIVATION_BITS) : FLOAT_ACTIVATIONS;
        // like qat: a choice that does nothing for this candidate decodes to its default
        String calibration = (narrowest < 32 || activationBits < 32) && a.has(CompressionSpace.CALIBRATION)
                ? a.getString(CompressionSpace.CALIBRATION) : MINMAX;
        boolean biasCorrection = narrowest < 32 && a.has(CompressionSpace.BIAS_CORRECTION) && a.getBoolean(CompressionSpace.BIAS_CORRECTION);
        return new CompressionPlan(width, inherit, criterion, sparsity, schedule, bits, qat, distill, temperature, alpha, layerBits,
                allocation, kind, regularization, strength, calibration, biasCorrection, activationBits);
    }

    /** The plan with other quantization options: calibration, bias correction and activation bits. */
    public CompressionPlan withQuantization(String calibration, boolean biasCorrection, int activationBits) {
        return new CompressionPlan(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature,
                alpha, layerBits, allocation, distillKind, regularization, regularizationStrength, calibration, biasCorrection, activationBits);
    }

    /** Whether the hidden layers' activations are quantized (activation bits below 32). */
    public boolean quantizesActivations() {
        return activationBits < FLOAT_ACTIVATIONS;
    }

    /** The plan's regularisation as the operator training applies ({@link Regularization#none()} for {@code none}). */
    public Regularization regularizer() {
        return Regularization.named(regularization, regularizationStrength);
    }

    /** The plan with another regularisation ({@code none} with strength 0). */
    public CompressionPlan withRegularization(String name, double strength) {
        return new CompressionPlan(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature,
                alpha, layerBits, allocation, distillKind, name, strength, calibration, biasCorrection, activationBits);
    }

    /** The bits of the weight layer named {@code layerName}: its own from {@link #layerBits}, else {@link #weightBits}. */
    public int bitsOf(String layerName) {
        return layerBits.getOrDefault(layerName, weightBits);
    }

    /** The plan with another distillation kind. */
    public CompressionPlan withDistillKind(String kind) {
        return new CompressionPlan(widthMultiplier, inheritWeights, criterion, sparsity, pruningSchedule, weightBits, qat, distill, temperature,
                alpha, layerBits, allocation, kind, regularization, regularizationStrength, calibration, biasCorrection, activationBits);
    }

    public boolean isStudent() {
        return widthMultiplier != 1.0;
    }
}
