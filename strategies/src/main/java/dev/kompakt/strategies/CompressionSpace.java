package dev.kompakt.strategies;

import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.pruning.Regularization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the search space of compression candidates from per-strategy fragments. Each strategy owns its
 * parameters under its own prefix ({@code student.}, {@code prune.}, {@code quant.}, {@code distill.}); a
 * strategy the spec leaves out contributes nothing and {@link CompressionPlan#from} uses its identity value.
 */
public final class CompressionSpace {
    public static final String WIDTH = "student.width";
    public static final String INIT = "student.init";
    public static final String INHERIT = "inherit";
    public static final String SCRATCH = "scratch";
    public static final String CRITERION = "student.criterion";
    public static final String SCHEDULE = "prune.schedule";
    public static final String SPARSITY = "prune.sparsity";
    public static final String WEIGHT_BITS = "quant.weight_bits";
    public static final String QAT = "quant.qat";
    /** Mixed precision: {@code quant.weight_bits.<layer>}, one per weight layer, instead of {@link #WEIGHT_BITS}. */
    public static final String LAYER_BITS_PREFIX = WEIGHT_BITS + ".";
    /** Calibration of the quantization ranges: minmax, percentile, mse or kl ({@link CompressionPlan#CALIBRATIONS}). */
    public static final String CALIBRATION = "quant.calibration";
    /** Bias correction after post-training weight quantization: false or true. */
    public static final String BIAS_CORRECTION = "quant.bias_correction";
    /** Bits of the hidden layers' activations: 32 (float) or 2..8. */
    public static final String ACTIVATION_BITS = "quant.activation_bits";
    public static final String ALLOCATION = "prune.allocation";
    /** Sparsity-inducing regularisation while training: none, l1 or group_lasso ({@link Regularization#NAMES}). */
    public static final String REGULARIZATION = "prune.regularization";
    /** Its strength lambda (log scale), active when {@link #REGULARIZATION} is not none. */
    public static final String REGULARIZATION_STRENGTH = "prune.regularization_strength";
    public static final String DISTILL = "distill.enabled";
    public static final String TEMPERATURE = "distill.temperature";
    public static final String ALPHA = "distill.alpha";
    public static final String DISTILL_KIND = "distill.kind";

    private CompressionSpace() {
    }

    /**
     * Width multipliers of the student, e.g. [0.5, 0.75, 1.0] (1.0 keeps the baseline's weights), and how a
     * narrower student starts: {@code inherit} (the baseline's strongest channels) and/or {@code scratch}.
     */
    public record StudentRange(List<Double> widths, List<String> init, List<String> criteria) {
        public StudentRange {
            widths = List.copyOf(widths);
            criteria = criteria == null || criteria.isEmpty() ? List.of("l1") : List.copyOf(criteria);
            init = init == null || init.isEmpty() ? List.of(INHERIT) : List.copyOf(init);
            for (String i : init) {
                if (!i.equals(INHERIT) && !i.equals(SCRATCH)) {
                    throw new IllegalArgumentException("student init must be inherit or scratch, got '" + i + "'");
                }
            }
        }

        public StudentRange(List<Double> widths) {
            this(widths, List.of(INHERIT), List.of("l1"));
        }

        public StudentRange(List<Double> widths, List<String> init) {
            this(widths, init, List.of("l1"));
        }

        SearchSpace fragment() {
            List<Parameter> params = new ArrayList<>();
            params.add(new Parameter.Categorical("width", new ArrayList<>(widths)));
            List<Object> narrower = widths.stream().filter(w -> w < 1.0).map(w -> (Object) w).toList();
            if (!narrower.isEmpty()) {
                params.add(new Parameter.Categorical("init", new ArrayList<>(init), Optional.of(new Parameter.Condition("width", narrower))));
                if (init.contains(INHERIT)) {
                    params.add(new Parameter.Categorical("criterion", new ArrayList<>(criteria),
                            Optional.of(new Parameter.Condition("init", List.of(INHERIT)))));
                }
            }
            return new SearchSpace(params);
        }
    }

    /**
     * Magnitude-pruning sparsity in [min, max], the schedules to choose from (oneshot, agp), how the sparsity is
     * allocated to the layers (global, sensitivity), and the regularisations to train with (none, l1, group_lasso) with
     * the range of their strength, sampled on a log scale. Allocation [global] (the default) leaves
     * {@code prune.allocation} out of the space, and regularizations [none] (the default) leaves
     * {@code prune.regularization} and {@code prune.regularization_strength} out, so such a space is the one it was
     * before those existed. The strength is active when the regularisation is not none.
     */
    public record PruningRange(double min, double max, List<String> schedules, List<String> allocations, List<String> regularizations,
                               double minStrength, double maxStrength) {
        /**
         * Default strength range of the regularisation, lambda in [0.01, 30] (see {@link Regularization}): a proximal step
         * shrinks by lambda times the learning rate, so over a training of S steps at learning rate lr the total shrinkage
         * is at most lambda * S * lr. Group lasso's threshold acts on a whole channel's norm, so it needs a larger lambda
         * than L1: in the evaluator's RegularizedTrainingTest (LeNet-300-100 at width 0.25, 26 Adam steps at 3e-3) L1 at
         * 0.1 left 7% of the weights at zero, and group lasso first zeroed whole units at 18. The range covers both.
         */
        public static final double DEFAULT_MIN_STRENGTH = 0.01;
        public static final double DEFAULT_MAX_STRENGTH = 30.0;

        public PruningRange {
            schedules = schedules == null || schedules.isEmpty() ? List.of(CompressionPlan.ONESHOT) : List.copyOf(schedules);
            allocations = allocations == null || allocations.isEmpty() ? List.of(CompressionPlan.GLOBAL) : List.copyOf(allocations);
            for (String a : allocations) {
                if (!a.equals(CompressionPlan.GLOBAL) && !a.equals(CompressionPlan.SENSITIVITY)) {
                    throw new IllegalArgumentException("pruning allocation must be global or sensitivity, got '" + a + "'");
                }
            }
            regularizations = regularizations == null || regularizations.isEmpty() ? List.of(Regularization.NONE) : List.copyOf(regularizations);
            for (String r : regularizations) {
                if (!Regularization.NAMES.contains(r)) {
                    throw new IllegalArgumentException("regularization must be none, l1 or group_lasso, got '" + r + "'");
                }
            }
            if (!(minStrength > 0 && minStrength <= maxStrength) || Double.isInfinite(maxStrength)) {
                throw new IllegalArgumentException("regularization strength range must have 0 < min <= max, got [" + minStrength + ", "
                        + maxStrength + "]");
            }
        }

        /** Without regularisation. */
        public PruningRange(double min, double max, List<String> schedules, List<String> allocations) {
            this(min, max, schedules, allocations, List.of(Regularization.NONE), DEFAULT_MIN_STRENGTH, DEFAULT_MAX_STRENGTH);
        }

        public PruningRange(double min, double max, List<String> schedules) {
            this(min, max, schedules, List.of(CompressionPlan.GLOBAL));
        }

        public PruningRange(double min, double max) {
            this(min, max, List.of(CompressionPlan.ONESHOT));
        }

        SearchSpace fragment() {
            List<Parameter> params = new ArrayList<>();
            params.add(new Parameter.FloatParam("sparsity", min, max, false, 0.0, Optional.empty()));
            params.add(new Parameter.Categorical("schedule", new ArrayList<>(schedules)));
            if (!allocations.equals(List.of(CompressionPlan.GLOBAL))) {
                params.add(new Parameter.Categorical("allocation", new ArrayList<>(allocations)));
            }
            if (!regularizations.equals(List.of(Regularization.NONE))) {
                params.add(new Parameter.Categorical("regularization", new ArrayList<>(regularizations)));
                List<Object> penalised = regularizations.stream().filter(r -> !r.equals(Regularization.NONE)).map(r -> (Object) r).toList();
                params.add(new Parameter.FloatParam("regularization_strength", minStrength, maxStrength, true, 0.0,
                        Optional.of(new Parameter.Condition("regularization", penalised))));
            }
            return new SearchSpace(params);
        }
    }

    /**
     * Weight bit widths to choose from, e.g. [32, 8, 6, 4] (32 = float), and whether the fine-tuning is
     * quantization-aware: {@code qat} lists the choices, e.g. [false, true]; empty (the default) leaves {@code quant.qat}
     * out of the space, so every candidate is post-training quantized. {@code quant.qat} is active only for bits below 32.
     *
     * <p>Mixed precision: {@code layers} names the weight layers (e.g. conv1, conv2, fc1, out); when not empty, the space
     * has one categorical {@code quant.weight_bits.<layer>} over {@code weightBits} per layer instead of the single
     * {@code quant.weight_bits}, so its size is fixed by the architecture family, and {@code quant.qat} (when listed) is
     * unconditional (it takes effect when some layer is below 32 bits). Empty (the default) = one bit width for all.
     *
     * <p>Further options, each left out of the space at its default so that a range without them is the space searched
     * before they existed:
     * <ul>
     *   <li>{@code calibrations}: how the ranges are calibrated, {@code quant.calibration} over minmax, percentile, mse and
     *       kl; default [minmax] (left out). Active for weight bits below 32, or unconditional when activation bits below
     *       32 are searched too (the activation quantizer uses the same calibration) or with mixed precision;</li>
     *   <li>{@code biasCorrection}: {@code quant.bias_correction}, e.g. [false, true]; default empty (left out = false).
     *       Active for weight bits below 32 (unconditional with mixed precision);</li>
     *   <li>{@code activationBits}: {@code quant.activation_bits} over 32 (float) or 2..8, e.g. [32, 8, 6, 4]; default
     *       [32] (left out). Unconditional: activations can be quantized with float weights too.</li>
     * </ul>
     */
    public record QuantizationRange(List<Integer> weightBits, List<Boolean> qat, List<String> layers, List<String> calibrations,
                                    List<Boolean> biasCorrection, List<Integer> activationBits) {
        public QuantizationRange {
            weightBits = List.copyOf(weightBits);
            qat = qat == null ? List.of() : List.copyOf(qat);
            layers = layers == null ? List.of() : List.copyOf(layers);
            calibrations = calibrations == null || calibrations.isEmpty() ? List.of(CompressionPlan.MINMAX) : List.copyOf(calibrations);
            for (String c : calibrations) {
                if (!CompressionPlan.CALIBRATIONS.contains(c)) {
                    throw new IllegalArgumentException("quantization calibration must be minmax, percentile, mse or kl, got '" + c + "'");
                }
            }
            biasCorrection = biasCorrection == null ? List.of() : List.copyOf(biasCorrection);
            activationBits = activationBits == null || activationBits.isEmpty() ? List.of(CompressionPlan.FLOAT_ACTIVATIONS)
                    : List.copyOf(activationBits);
            for (int b : activationBits) {
                if (b != CompressionPlan.FLOAT_ACTIVATIONS && (b < 2 || b > 8)) {
                    throw new IllegalArgumentException("activation bits must be 32 (float) or in [2, 8], got " + b);
                }
            }
        }

        /** Min-max calibration, no bias correction, float activations. */
        public QuantizationRange(List<Integer> weightBits, List<Boolean> qat, List<String> layers) {
            this(weightBits, qat, layers, List.of(), List.of(), List.of());
        }

        public QuantizationRange(List<Integer> weightBits, List<Boolean> qat) {
            this(weightBits, qat, List.of());
        }

        public QuantizationRange(List<Integer> weightBits) {
            this(weightBits, List.of());
        }

        SearchSpace fragment() {
            List<Parameter> params = new ArrayList<>();
            boolean quantizedActivations = activationBits.stream().anyMatch(b -> b < CompressionPlan.FLOAT_ACTIVATIONS);
            boolean searchCalibration = !calibrations.equals(List.of(CompressionPlan.MINMAX));
            if (!layers.isEmpty()) {
                for (String layer : layers) {
                    params.add(new Parameter.Categorical("weight_bits." + layer, new ArrayList<>(weightBits)));
                }
                boolean integer = weightBits.stream().anyMatch(b -> b < 32);
                if (!qat.isEmpty() && integer) {
                    params.add(new Parameter.Categorical("qat", new ArrayList<>(qat)));
                }
                if (searchCalibration && (integer || quantizedActivations)) {
                    params.add(new Parameter.Categorical("calibration", new ArrayList<>(calibrations)));
                }
                if (!biasCorrection.isEmpty() && integer) {
                    params.add(new Parameter.Categorical("bias_correction", new ArrayList<>(biasCorrection)));
                }
                addActivationBits(params);
                return new SearchSpace(params);
            }
            params.add(new Parameter.Categorical("weight_bits", new ArrayList<>(weightBits)));
            List<Object> integer = weightBits.stream().filter(b -> b < 32).map(b -> (Object) b).toList();
            Optional<Parameter.Condition> quantizedWeights = integer.isEmpty() ? Optional.empty()
                    : Optional.of(new Parameter.Condition("weight_bits", integer));
            if (!qat.isEmpty() && !integer.isEmpty()) {
                params.add(new Parameter.Categorical("qat", new ArrayList<>(qat), quantizedWeights));
            }
            if (searchCalibration && quantizedActivations) {
                params.add(new Parameter.Categorical("calibration", new ArrayList<>(calibrations)));
            } else if (searchCalibration && !integer.isEmpty()) {
                params.add(new Parameter.Categorical("calibration", new ArrayList<>(calibrations), quantizedWeights));
            }
            if (!biasCorrection.isEmpty() && !integer.isEmpty()) {
                params.add(new Parameter.Categorical("bias_correction", new ArrayList<>(biasCorrection), quantizedWeights));
            }
            addActivationBits(params);
            return new SearchSpace(params);
        }

        private void addActivationBits(List<Parameter> params) {
            if (!activationBits.equals(List.of(CompressionPlan.FLOAT_ACTIVATIONS))) {
                params.add(new Parameter.Categorical("activation_bits", new ArrayList<>(activationBits)));
            }
        }
    }

    /**
     * Distillation on/off, and when on, a temperature range, an alpha range and the kinds of distillation to choose
     * from ({@code response}, {@code feature}, {@code relation}; see {@link CompressionPlan#distillKind()}). The
     * default, {@code [response]}, leaves {@code distill.kind} out of the space, so a space without kinds is the one
     * searched before kinds existed; any other list adds the categorical {@code distill.kind}, active when distillation is on.
     */
    public record DistillationRange(double minTemperature, double maxTemperature, double minAlpha, double maxAlpha, List<String> kinds) {
        public DistillationRange {
            kinds = kinds == null || kinds.isEmpty() ? List.of(CompressionPlan.RESPONSE) : List.copyOf(kinds);
            for (String k : kinds) {
                if (!CompressionPlan.DISTILL_KINDS.contains(k)) {
                    throw new IllegalArgumentException("distillation kind must be response, feature or relation, got '" + k + "'");
                }
            }
        }

        /** Response-based distillation only. */
        public DistillationRange(double minTemperature, double maxTemperature, double minAlpha, double maxAlpha) {
            this(minTemperature, maxTemperature, minAlpha, maxAlpha, List.of(CompressionPlan.RESPONSE));
        }

        SearchSpace fragment() {
            var on = Optional.of(new Parameter.Condition("enabled", List.of(true)));
            List<Parameter> params = new ArrayList<>(List.of(
                    new Parameter.Categorical("enabled", List.of(false, true)),
                    new Parameter.FloatParam("temperature", minTemperature, maxTemperature, false, 0.0, on),
                    new Parameter.FloatParam("alpha", minAlpha, maxAlpha, false, 0.0, on)));
            if (!kinds.equals(List.of(CompressionPlan.RESPONSE))) {
                params.add(new Parameter.Categorical("kind", new ArrayList<>(kinds), on));
            }
            return new SearchSpace(params);
        }
    }

    /** Merges the fragments of the strategies that are present (null = left out). */
    public static SearchSpace of(StudentRange student, PruningRange pruning, QuantizationRange quantization,
                                 DistillationRange distillation) {
        Map<String, SearchSpace> fragments = new LinkedHashMap<>();
        if (student != null) {
            fragments.put("student.", student.fragment());
        }
        if (pruning != null) {
            fragments.put("prune.", pruning.fragment());
        }
        if (quantization != null) {
            fragments.put("quant.", quantization.fragment());
        }
        if (distillation != null) {
            fragments.put("distill.", distillation.fragment());
        }
        return SearchSpace.merge(fragments);
    }
}
