package dev.kompakt.strategies;

import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The search-space fragments of the flat {@code CompressionSpace} before the strategies were split (its nested
 * StudentRange, PruningRange, QuantizationRange and DistillationRange), copied from it as they were with the ranges'
 * defaults made explicit. Journals of those versions replay against the spaces they built, so the strategies' spaces
 * must equal these parameter for parameter: names, order, choices, bounds, scales and conditions.
 */
public final class LegacySpaces {
    private LegacySpaces() {
    }

    /** StudentRange(widths, init, criteria).fragment(). */
    public static SearchSpace student(List<Double> widths, List<String> init, List<String> criteria) {
        List<Parameter> params = new ArrayList<>();
        params.add(new Parameter.Categorical("width", new ArrayList<>(widths)));
        List<Object> narrower = widths.stream().filter(w -> w < 1.0).map(w -> (Object) w).toList();
        if (!narrower.isEmpty()) {
            params.add(new Parameter.Categorical("init", new ArrayList<>(init), Optional.of(new Parameter.Condition("width", narrower))));
            if (init.contains("inherit")) {
                params.add(new Parameter.Categorical("criterion", new ArrayList<>(criteria),
                        Optional.of(new Parameter.Condition("init", List.of("inherit")))));
            }
        }
        return new SearchSpace(params);
    }

    /** PruningRange(min, max, schedules, allocations, regularizations, minStrength, maxStrength).fragment(). */
    public static SearchSpace pruning(double min, double max, List<String> schedules, List<String> allocations, List<String> regularizations,
                                      double minStrength, double maxStrength) {
        List<Parameter> params = new ArrayList<>();
        params.add(new Parameter.FloatParam("sparsity", min, max, false, 0.0, Optional.empty()));
        params.add(new Parameter.Categorical("schedule", new ArrayList<>(schedules)));
        if (!allocations.equals(List.of("global"))) {
            params.add(new Parameter.Categorical("allocation", new ArrayList<>(allocations)));
        }
        if (!regularizations.equals(List.of("none"))) {
            params.add(new Parameter.Categorical("regularization", new ArrayList<>(regularizations)));
            List<Object> penalised = regularizations.stream().filter(r -> !r.equals("none")).map(r -> (Object) r).toList();
            params.add(new Parameter.FloatParam("regularization_strength", minStrength, maxStrength, true, 0.0,
                    Optional.of(new Parameter.Condition("regularization", penalised))));
        }
        return new SearchSpace(params);
    }

    /** QuantizationRange(weightBits, qat, layers, calibrations, biasCorrection, activationBits).fragment(). */
    public static SearchSpace quantization(List<Integer> weightBits, List<Boolean> qat, List<String> layers, List<String> calibrations,
                                           List<Boolean> biasCorrection, List<Integer> activationBits) {
        List<Parameter> params = new ArrayList<>();
        boolean quantizedActivations = activationBits.stream().anyMatch(b -> b < 32);
        boolean searchCalibration = !calibrations.equals(List.of("minmax"));
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
            addActivationBits(activationBits, params);
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
        addActivationBits(activationBits, params);
        return new SearchSpace(params);
    }

    private static void addActivationBits(List<Integer> activationBits, List<Parameter> params) {
        if (!activationBits.equals(List.of(32))) {
            params.add(new Parameter.Categorical("activation_bits", new ArrayList<>(activationBits)));
        }
    }

    /** DistillationRange(minTemperature, maxTemperature, minAlpha, maxAlpha, kinds).fragment(). */
    public static SearchSpace distillation(double minTemperature, double maxTemperature, double minAlpha, double maxAlpha, List<String> kinds) {
        var on = Optional.of(new Parameter.Condition("enabled", List.of(true)));
        List<Parameter> params = new ArrayList<>(List.of(
                new Parameter.Categorical("enabled", List.of(false, true)),
                new Parameter.FloatParam("temperature", minTemperature, maxTemperature, false, 0.0, on),
                new Parameter.FloatParam("alpha", minAlpha, maxAlpha, false, 0.0, on)));
        if (!kinds.equals(List.of("response"))) {
            params.add(new Parameter.Categorical("kind", new ArrayList<>(kinds), on));
        }
        return new SearchSpace(params);
    }

    /** CompressionSpace.of(student, pruning, quantization, distillation): the fragments present, each under its prefix. */
    public static SearchSpace of(SearchSpace student, SearchSpace pruning, SearchSpace quantization, SearchSpace distillation) {
        Map<String, SearchSpace> fragments = new LinkedHashMap<>();
        if (student != null) {
            fragments.put("student.", student);
        }
        if (pruning != null) {
            fragments.put("prune.", pruning);
        }
        if (quantization != null) {
            fragments.put("quant.", quantization);
        }
        if (distillation != null) {
            fragments.put("distill.", distillation);
        }
        return SearchSpace.merge(fragments);
    }
}
