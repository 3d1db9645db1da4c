package dev.kompakt.strategies.quantization;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Study;
import dev.kompakt.strategies.LegacySpaces;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.plan.Strategies;
import dev.kompakt.strategies.quantization.QuantizationStrategy.CalibrationMethod;
import dev.kompakt.strategies.quantization.QuantizationStrategy.Plan;
import dev.kompakt.strategies.quantization.QuantizationStrategy.Range;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.kompakt.strategies.PlanTesting.assertRejects;
import static dev.kompakt.strategies.PlanTesting.assignment;
import static dev.kompakt.strategies.PlanTesting.map;
import static dev.kompakt.strategies.PlanTesting.names;
import static dev.kompakt.strategies.PlanTesting.study;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantization strategy: weight bits (one for all or per layer), QAT, calibration, bias correction, activation bits. */
class QuantizationStrategyTest {
    private static final QuantizationStrategy QUANT = Strategies.QUANTIZATION;
    private static final List<String> LAYERS = List.of("conv1", "conv2", "fc1", "out");
    private static final List<CalibrationMethod> ALL_CALIBRATIONS = List.of(CalibrationMethod.MINMAX, CalibrationMethod.PERCENTILE,
            CalibrationMethod.MSE, CalibrationMethod.KL);

    private static Range range(List<Integer> bits, List<Boolean> qat, List<String> layers, List<CalibrationMethod> calibrations,
                               List<Boolean> biasCorrection, List<Integer> activationBits) {
        return new Range(bits, qat, layers, calibrations, biasCorrection, activationBits);
    }

    // options

    @Test
    void calibrationMethodsHaveTheOperatorsNamesAndParseErrorsListThem() {
        assertEquals(List.of("minmax", "percentile", "mse", "kl"), Option.ids(CalibrationMethod.class));
        assertEquals(CalibrationMethod.KL, Option.parse(CalibrationMethod.class, "kl"));
        assertEquals(CalibrationMethod.MSE, Option.parse(CalibrationMethod.class, "MSE"));
        assertInstanceOf(MinMaxCalibration.class, CalibrationMethod.MINMAX.calibration());
        assertInstanceOf(PercentileCalibration.class, CalibrationMethod.PERCENTILE.calibration());
        assertInstanceOf(MseCalibration.class, CalibrationMethod.MSE.calibration());
        assertInstanceOf(EntropyCalibration.class, CalibrationMethod.KL.calibration());
        assertRejects("unknown quantization calibration method 'entropy2' (known: minmax, percentile, mse, kl)",
                () -> Option.parse(CalibrationMethod.class, "entropy2"));
        assertRejects("unknown quantization calibration method 'max' (known: minmax, percentile, mse, kl)",
                () -> QUANT.decode(assignment("quant.weight_bits", 8, "quant.calibration", "max")));
    }

    // ranges

    @Test
    void rangeDefaultsAreTheSpaceSearchedBeforeTheOptionsExisted() {
        Range one = new Range(List.of(32, 8, 4));
        assertEquals(List.of(), one.qat());
        assertEquals(List.of(), one.layers());
        assertEquals(List.of(CalibrationMethod.MINMAX), one.calibrations());
        assertEquals(List.of(), one.biasCorrection());
        assertEquals(List.of(32), one.activationBits());
        assertEquals(one, new Range(List.of(32, 8, 4), List.of(), List.of()));
        assertEquals(one, range(List.of(32, 8, 4), null, null, null, null, null));
        // the old constructors and the canonical one with empty/default lists are equal and build the same space
        Range qat = new Range(List.of(32, 8, 4), List.of(false, true), List.of());
        assertEquals(qat, range(List.of(32, 8, 4), List.of(false, true), List.of(), List.of(CalibrationMethod.MINMAX), List.of(), List.of(32)));
        assertEquals(qat, range(List.of(32, 8, 4), List.of(false, true), List.of(), List.of(), List.of(), List.of()));
        assertEquals(QUANT.space(qat), QUANT.space(range(List.of(32, 8, 4), List.of(false, true), List.of(), List.of(CalibrationMethod.MINMAX),
                List.of(), List.of(32))));
        assertEquals(List.of("quant.weight_bits", "quant.qat"),
                names(QUANT.space(range(List.of(32, 8, 4), List.of(false, true), List.of(), null, null, null))));
        assertEquals(List.of("quant.weight_bits.conv1", "quant.weight_bits.conv2", "quant.weight_bits.fc1", "quant.weight_bits.out", "quant.qat"),
                names(QUANT.space(range(List.of(32, 8, 4), List.of(false, true), LAYERS, List.of(), List.of(), List.of()))));
        // and every sampled plan has the defaults
        Study study = study("d", QUANT.space(qat), 1);
        for (int i = 0; i < 30; i++) {
            Plan p = QUANT.decode(study.ask().assignment());
            assertEquals(CalibrationMethod.MINMAX, p.calibration());
            assertFalse(p.biasCorrection());
            assertEquals(32, p.activationBits());
        }
    }

    @Test
    void rangeRejectsBadBitsNamingThem() {
        assertRejects("activation bits must be 32 (float) or in [2, 8], got 16",
                () -> range(List.of(8), List.of(), List.of(), List.of(), List.of(), List.of(32, 16)));
        assertRejects("activation bits must be 32 (float) or in [2, 8], got 1",
                () -> range(List.of(8), List.of(), List.of(), List.of(), List.of(), List.of(1)));
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 1", () -> new Range(List.of(32, 1)));
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 17", () -> new Range(List.of(17)));
        assertDoesNotThrow(() -> range(List.of(2, 16, 32), List.of(), List.of(), List.of(), List.of(), List.of(2, 8, 32)));
    }

    // spaces

    @Test
    void singleWidthSpaceHasTheWeightBits() {
        assertEquals("quant.", QUANT.prefix());
        SearchSpace s = QUANT.space(new Range(List.of(32, 8, 6, 4)));
        assertEquals(List.of("quant.weight_bits"), names(s), "options not asked: left out");
        assertEquals(List.of(QuantizationStrategy.WEIGHT_BITS), names(s));
        assertEquals(List.of(32, 8, 6, 4), ((Parameter.Categorical) s.parameter("quant.weight_bits")).choices());
        assertEquals(Optional.empty(), s.parameter("quant.weight_bits").activeIf());
    }

    @Test
    void qatIsInTheSpaceOnlyWhenAskedAndOnlyForIntegerBits() {
        SearchSpace s = QUANT.space(new Range(List.of(32, 8, 4), List.of(false, true), List.of()));
        assertEquals(List.of("quant.weight_bits", "quant.qat"), names(s));
        assertEquals(Optional.of(new Parameter.Condition("quant.weight_bits", List.of(8, 4))), s.parameter(QuantizationStrategy.QAT).activeIf());
        assertTrue(s.contains(new Assignment(map("quant.weight_bits", 32))));
        assertFalse(s.contains(new Assignment(map("quant.weight_bits", 32, "quant.qat", true))), "inactive for float weights");
        assertTrue(s.contains(new Assignment(map("quant.weight_bits", 4, "quant.qat", true))));
        assertFalse(s.contains(new Assignment(map("quant.weight_bits", 4))), "active for integer weights");
        // only float bits: nothing to train quantization-aware
        assertEquals(List.of("quant.weight_bits"), names(QUANT.space(new Range(List.of(32), List.of(false, true), List.of()))));
        // all integer bits: qat always active
        assertEquals(Optional.of(new Parameter.Condition("quant.weight_bits", List.of(8, 4))),
                QUANT.space(new Range(List.of(8, 4), List.of(true), List.of())).parameter(QuantizationStrategy.QAT).activeIf());

        Study study = study("q", s, 3);
        int qat = 0;
        for (int i = 0; i < 100; i++) {
            Assignment a = study.ask().assignment();
            Plan p = QUANT.decode(a);
            assertEquals(a.getInt("quant.weight_bits"), p.weightBits());
            assertEquals(a.has("quant.qat") && a.getBoolean("quant.qat"), p.qat());
            if (p.qat()) {
                qat++;
                assertTrue(p.weightBits() < 32);
            }
        }
        assertTrue(qat > 15, "sampled QAT candidates: " + qat);
    }

    @Test
    void optionsAreAddedWithConditionsOnIntegerWeights() {
        SearchSpace s = QUANT.space(range(List.of(32, 8, 4), List.of(false, true), List.of(), List.of(CalibrationMethod.MINMAX,
                CalibrationMethod.MSE), List.of(false, true), List.of()));
        assertEquals(List.of("quant.weight_bits", "quant.qat", "quant.calibration", "quant.bias_correction"), names(s));
        Optional<Parameter.Condition> integer = Optional.of(new Parameter.Condition("quant.weight_bits", List.of(8, 4)));
        assertEquals(integer, s.parameter(QuantizationStrategy.CALIBRATION).activeIf());
        assertEquals(integer, s.parameter(QuantizationStrategy.BIAS_CORRECTION).activeIf());
        assertEquals(List.of("minmax", "mse"), ((Parameter.Categorical) s.parameter(QuantizationStrategy.CALIBRATION)).choices());
        assertEquals(List.of(false, true), ((Parameter.Categorical) s.parameter(QuantizationStrategy.BIAS_CORRECTION)).choices());
        assertTrue(s.contains(new Assignment(map("quant.weight_bits", 32))));
        assertFalse(s.contains(new Assignment(map("quant.weight_bits", 32, "quant.calibration", "mse"))), "inactive for float weights");

        // with activation bits searched, the calibration matters for float weights too: unconditional
        SearchSpace withActs = QUANT.space(range(List.of(32, 8), List.of(), List.of(), List.of(CalibrationMethod.MINMAX, CalibrationMethod.KL),
                List.of(false, true), List.of(32, 8, 4)));
        assertEquals(List.of("quant.weight_bits", "quant.calibration", "quant.bias_correction", "quant.activation_bits"), names(withActs));
        assertEquals(Optional.empty(), withActs.parameter(QuantizationStrategy.CALIBRATION).activeIf());
        assertEquals(Optional.of(new Parameter.Condition("quant.weight_bits", List.of(8))),
                withActs.parameter(QuantizationStrategy.BIAS_CORRECTION).activeIf());
        assertEquals(Optional.empty(), withActs.parameter(QuantizationStrategy.ACTIVATION_BITS).activeIf());
        assertEquals(List.of(32, 8, 4), ((Parameter.Categorical) withActs.parameter(QuantizationStrategy.ACTIVATION_BITS)).choices());

        // float weights only, float activations only: calibration and bias correction have nothing to act on
        assertEquals(List.of("quant.weight_bits"), names(QUANT.space(range(List.of(32), List.of(), List.of(),
                List.of(CalibrationMethod.MINMAX, CalibrationMethod.MSE), List.of(false, true), List.of(32)))));
        // float weights with quantized activations: the calibration acts on the activations, bias correction on nothing
        assertEquals(List.of("quant.weight_bits", "quant.calibration", "quant.activation_bits"), names(QUANT.space(range(List.of(32), List.of(true),
                List.of(), List.of(CalibrationMethod.MINMAX, CalibrationMethod.MSE), List.of(false, true), List.of(32, 8)))));

        // mixed precision: unconditional, like qat
        SearchSpace mixed = QUANT.space(range(List.of(32, 8, 4), List.of(false, true), LAYERS,
                List.of(CalibrationMethod.PERCENTILE, CalibrationMethod.MSE), List.of(false, true), List.of(32, 6)));
        assertEquals(List.of("quant.weight_bits.conv1", "quant.weight_bits.conv2", "quant.weight_bits.fc1", "quant.weight_bits.out", "quant.qat",
                "quant.calibration", "quant.bias_correction", "quant.activation_bits"), names(mixed));
        for (String p : List.of(QuantizationStrategy.QAT, QuantizationStrategy.CALIBRATION, QuantizationStrategy.BIAS_CORRECTION,
                QuantizationStrategy.ACTIVATION_BITS)) {
            assertEquals(Optional.empty(), mixed.parameter(p).activeIf(), p);
        }
        // mixed precision over float bits only: the options that act on weights are left out
        assertEquals(List.of("quant.weight_bits.fc1", "quant.weight_bits.out"), names(QUANT.space(range(List.of(32), List.of(false, true),
                List.of("fc1", "out"), List.of(CalibrationMethod.MSE), List.of(true), List.of()))));
    }

    @Test
    void mixedPrecisionHasOneBitWidthPerLayerAndDecodesToLayerBits() {
        SearchSpace s = QUANT.space(new Range(List.of(32, 8, 4), List.of(false, true), LAYERS));
        assertEquals(List.of("quant.weight_bits.conv1", "quant.weight_bits.conv2", "quant.weight_bits.fc1", "quant.weight_bits.out",
                "quant.qat"), names(s), "fixed size: one categorical per layer, no single quant.weight_bits");
        assertEquals(QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", names(s).get(2));
        assertEquals(List.of(32, 8, 4), ((Parameter.Categorical) s.parameter("quant.weight_bits.fc1")).choices());
        assertEquals(Optional.empty(), s.parameter("quant.weight_bits.fc1").activeIf());
        assertEquals(Optional.empty(), s.parameter("quant.qat").activeIf());
        assertEquals(List.of("quant.weight_bits.fc1", "quant.weight_bits.fc2", "quant.weight_bits.out"),
                names(QUANT.space(new Range(List.of(8, 4), List.of(), List.of("fc1", "fc2", "out")))));

        Study study = study("m", s, 5);
        int mixedPlans = 0;
        for (int i = 0; i < 100; i++) {
            Assignment a = study.ask().assignment();
            Plan p = QUANT.decode(a);
            assertEquals(LAYERS, List.copyOf(p.layerBits().keySet()));
            int widest = 0;
            int narrowest = 32;
            for (String layer : LAYERS) {
                int b = a.getInt("quant.weight_bits." + layer);
                assertEquals(b, p.bitsOf(layer));
                widest = Math.max(widest, b);
                narrowest = Math.min(narrowest, b);
            }
            assertEquals(widest, p.weightBits(), "weightBits is the widest layer's");
            assertEquals(narrowest == 32, p.floatWeights());
            assertEquals(narrowest < 32 && a.getBoolean("quant.qat"), p.qat(), "QAT only when some layer is quantized");
            if (widest != narrowest) {
                mixedPlans++;
            }
            // round trip: the plan's layer bits, written back as parameters, decode to the same plan
            Map<String, Object> back = map("quant.qat", a.getBoolean("quant.qat"));
            p.layerBits().forEach((layer, b) -> back.put(QuantizationStrategy.LAYER_BITS_PREFIX + layer, b));
            assertEquals(p, QUANT.decode(new Assignment(back)));
        }
        assertTrue(mixedPlans > 50, "most sampled plans mix bit widths: " + mixedPlans);
    }

    @Test
    void spacesEqualTheOnesOfEarlierVersions() {
        List<List<Integer>> bitLists = List.of(List.of(32, 8, 6, 4), List.of(32), List.of(8, 4));
        List<List<Boolean>> qats = List.of(List.of(), List.of(false, true));
        List<List<String>> layerLists = List.of(List.of(), LAYERS);
        List<List<CalibrationMethod>> calibrationLists = List.of(List.of(CalibrationMethod.MINMAX), List.of(CalibrationMethod.MSE),
                ALL_CALIBRATIONS);
        List<List<Boolean>> biasLists = List.of(List.of(), List.of(false, true));
        List<List<Integer>> actLists = List.of(List.of(32), List.of(32, 8, 4), List.of(6));
        int compared = 0;
        for (List<Integer> bits : bitLists) {
            for (List<Boolean> qat : qats) {
                for (List<String> layers : layerLists) {
                    for (List<CalibrationMethod> calibrations : calibrationLists) {
                        for (List<Boolean> bias : biasLists) {
                            for (List<Integer> acts : actLists) {
                                SearchSpace old = LegacySpaces.quantization(bits, qat, layers,
                                        calibrations.stream().map(CalibrationMethod::id).toList(), bias, acts);
                                Range r = range(bits, qat, layers, calibrations, bias, acts);
                                assertEquals(old, QUANT.fragment(r), r.toString());
                                assertEquals(LegacySpaces.of(null, null, old, null), QUANT.space(r), r.toString());
                                compared++;
                            }
                        }
                    }
                }
            }
        }
        assertEquals(216, compared);
    }

    // decoding

    @Test
    void decodesWeightBitsIncludingJournalStrings() {
        assertEquals(Plan.weights(4), QUANT.decode(assignment("quant.weight_bits", 4)));
        assertEquals(8, QUANT.decode(assignment("quant.weight_bits", "8")).weightBits());
        assertEquals(Map.of(), QUANT.decode(assignment("quant.weight_bits", 4)).layerBits(), "without layer bits: one width for all");
        assertEquals(4, QUANT.decode(assignment("quant.weight_bits", 4)).bitsOf("fc1"));
        // other strategies' parameters are not its own
        assertEquals(QUANT.identity(), QUANT.decode(assignment("prune.sparsity", 0.3, "student.width", 0.5)));
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 1", () -> QUANT.decode(assignment("quant.weight_bits", 1)));
    }

    @Test
    void qatIsDecodedOnlyForIntegerWeights() {
        Plan qat = QUANT.decode(assignment("quant.weight_bits", 4, "quant.qat", true));
        assertTrue(qat.qat());
        assertEquals(new Plan(4, Map.of(), true, CalibrationMethod.MINMAX, false, 32), qat);
        assertTrue(QUANT.decode(assignment("quant.weight_bits", "4", "quant.qat", "true")).qat());
        assertFalse(QUANT.decode(assignment("quant.weight_bits", 4, "quant.qat", "false")).qat());
        assertFalse(QUANT.decode(assignment("quant.weight_bits", 4)).qat(), "absent: post-training quantization");
        assertFalse(QUANT.decode(assignment("quant.weight_bits", 32, "quant.qat", true)).qat(), "float weights: no QAT");
        assertFalse(QUANT.decode(assignment("quant.qat", true)).qat(), "no weight bits: float, no QAT");
        assertFalse(QUANT.identity().qat());
        assertFalse(Plan.weights(4).qat(), "Plan.weights is post-training quantization");
    }

    @Test
    void layerBitsAreDecodedWithQatWhenSomeLayerIsQuantized() {
        Plan p = QUANT.decode(assignment(
                "prune.sparsity", 0.5,
                QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", 4,
                QuantizationStrategy.LAYER_BITS_PREFIX + "fc2", "32",
                QuantizationStrategy.LAYER_BITS_PREFIX + "out", 8,
                "quant.qat", true));
        assertEquals(Map.of("fc1", 4, "fc2", 32, "out", 8), p.layerBits());
        assertEquals(List.of("fc1", "fc2", "out"), List.copyOf(p.layerBits().keySet()), "in the assignment's order");
        assertEquals(32, p.weightBits(), "the widest layer");
        assertEquals(4, p.bitsOf("fc1"));
        assertEquals(32, p.bitsOf("fc2"));
        assertEquals(32, p.bitsOf("unnamed"), "a layer not named takes weightBits");
        assertTrue(p.qat(), "fc1 and out are quantized, so QAT applies");
        assertFalse(p.floatWeights());
        Plan allFloat = QUANT.decode(assignment(QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", 32, "quant.qat", true));
        assertFalse(allFloat.qat(), "every layer float: no QAT");
        assertTrue(allFloat.floatWeights());
        // an explicit single width next to layer bits: the single width is weightBits, the narrowest of all decides the options
        Plan both = QUANT.decode(assignment("quant.weight_bits", 32, QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", 4, "quant.qat", true));
        assertEquals(32, both.weightBits());
        assertTrue(both.qat());
        assertRejects("weight bits of layer fc1 must be 32 (float) or in [2, 16], got 1",
                () -> QUANT.decode(assignment(QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", 1, QuantizationStrategy.LAYER_BITS_PREFIX + "out", 8)));
        // also when the bad layer is the widest (weightBits takes its bits): the layers are checked first, so it is named
        assertRejects("weight bits of layer fc1 must be 32 (float) or in [2, 16], got 17",
                () -> QUANT.decode(assignment(QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", 17, QuantizationStrategy.LAYER_BITS_PREFIX + "out", 8)));
    }

    @Test
    void optionsAreDecodedOnlyWhereTheyAct() {
        Plan p = QUANT.decode(assignment("quant.weight_bits", 4, "quant.calibration", "mse", "quant.bias_correction", true,
                "quant.activation_bits", 8));
        assertEquals(new Plan(4, Map.of(), false, CalibrationMethod.MSE, true, 8), p);
        assertTrue(p.quantizesActivations());
        Plan strings = QUANT.decode(assignment("quant.weight_bits", "4", "quant.calibration", "percentile", "quant.bias_correction", "false",
                "quant.activation_bits", "6"));
        assertEquals(new Plan(4, Map.of(), false, CalibrationMethod.PERCENTILE, false, 6), strings);
        // an assignment without the parameters decodes to the defaults
        assertEquals(Plan.weights(4), QUANT.decode(assignment("prune.sparsity", 0.3, "quant.weight_bits", 4)));
        // choices that cannot act decode to the defaults (as qat does)
        Plan floatPlan = QUANT.decode(assignment("quant.weight_bits", 32, "quant.calibration", "mse", "quant.bias_correction", true));
        assertEquals(CalibrationMethod.MINMAX, floatPlan.calibration());
        assertFalse(floatPlan.biasCorrection());
        assertEquals(QUANT.identity(), floatPlan);
        Plan floatWeightsIntActs = QUANT.decode(assignment("quant.weight_bits", 32, "quant.calibration", "kl", "quant.bias_correction", true,
                "quant.activation_bits", 4));
        assertEquals(CalibrationMethod.KL, floatWeightsIntActs.calibration(), "calibrates the activations");
        assertFalse(floatWeightsIntActs.biasCorrection(), "no quantized weights to correct");
        assertEquals(4, floatWeightsIntActs.activationBits());
        // mixed precision: acts when some layer is quantized
        Plan mixed = QUANT.decode(assignment(QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", 32, QuantizationStrategy.LAYER_BITS_PREFIX + "out", 8,
                "quant.calibration", "mse", "quant.bias_correction", true));
        assertEquals(CalibrationMethod.MSE, mixed.calibration());
        assertTrue(mixed.biasCorrection());
        Plan mixedFloat = QUANT.decode(assignment(QuantizationStrategy.LAYER_BITS_PREFIX + "fc1", 32, "quant.calibration", "mse",
                "quant.bias_correction", true));
        assertEquals(CalibrationMethod.MINMAX, mixedFloat.calibration());
        assertFalse(mixedFloat.biasCorrection());
    }

    @Test
    void sampledAssignmentsDecodeToMatchingPlans() {
        SearchSpace s = QUANT.space(range(List.of(32, 8, 4), List.of(false, true), List.of(), ALL_CALIBRATIONS, List.of(false, true),
                List.of(32, 8, 6, 4)));
        Study study = study("o", s, 11);
        int corrected = 0;
        int actQuantized = 0;
        int calibrated = 0;
        for (int i = 0; i < 200; i++) {
            Assignment a = study.ask().assignment();
            Plan p = QUANT.decode(a);
            assertEquals(a.getInt("quant.activation_bits"), p.activationBits());
            boolean integer = a.getInt("quant.weight_bits") < 32;
            assertTrue(a.has("quant.calibration"), "unconditional when activation bits are searched");
            assertEquals(integer || p.quantizesActivations() ? a.getString("quant.calibration") : "minmax", p.calibration().id(),
                    "decoded where it acts on weights or activations");
            assertEquals(integer && a.getBoolean("quant.bias_correction"), p.biasCorrection());
            assertEquals(integer && a.getBoolean("quant.qat"), p.qat());
            corrected += p.biasCorrection() ? 1 : 0;
            actQuantized += p.quantizesActivations() ? 1 : 0;
            calibrated += p.calibration() == CalibrationMethod.MINMAX ? 0 : 1;
        }
        assertTrue(corrected > 30 && actQuantized > 100 && calibrated > 100, corrected + " " + actQuantized + " " + calibrated);
    }

    // plans

    @Test
    void identityAndPlanDefaults() {
        Plan identity = QUANT.identity();
        assertEquals(new Plan(32, Map.of(), false, CalibrationMethod.MINMAX, false, 32), identity);
        assertEquals(Plan.weights(QuantizationStrategy.FLOAT), identity);
        assertEquals(identity, QUANT.decode(assignment()));
        assertTrue(identity.floatWeights());
        assertFalse(identity.quantizesActivations());

        Plan ptq = Plan.weights(4);
        assertEquals(CalibrationMethod.MINMAX, ptq.calibration());
        assertFalse(ptq.biasCorrection());
        assertEquals(32, ptq.activationBits());
        assertFalse(ptq.quantizesActivations());
        assertFalse(ptq.floatWeights());
        // null and 0, what a JSON plan written before the fields existed decodes to, take the defaults
        assertEquals(ptq, new Plan(4, null, false, null, false, 0));
        Map<String, Integer> bits = new HashMap<>(Map.of("fc1", 4));
        Plan copied = new Plan(32, bits, false, null, false, 32);
        bits.put("fc2", 8);
        assertEquals(Map.of("fc1", 4), copied.layerBits(), "layer bits are copied");
    }

    @Test
    void planValidationNamesTheFieldAndValue() {
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 1", () -> Plan.weights(1));
        assertRejects("weight bits must be 32 (float) or in [2, 16], got 17", () -> Plan.weights(17));
        assertDoesNotThrow(() -> Plan.weights(2));
        assertDoesNotThrow(() -> Plan.weights(16));
        assertRejects("weight bits of layer fc1 must be 32 (float) or in [2, 16], got 1",
                () -> new Plan(32, Map.of("fc1", 1), false, null, false, 32));
        Map<String, Integer> nullBits = new LinkedHashMap<>();
        nullBits.put("fc1", null);
        assertRejects("layer bits need a layer name and bits, got fc1 -> null", () -> new Plan(32, nullBits, false, null, false, 32));
        assertRejects("layer bits need a layer name and bits, got   -> 4", () -> new Plan(32, Map.of(" ", 4), false, null, false, 32));

        assertRejects("quantization-aware training needs weight bits below 32, got 32 (float)",
                () -> new Plan(32, Map.of(), true, null, false, 32));
        assertRejects("quantization-aware training needs weight bits below 32, got 32 (float)",
                () -> new Plan(32, Map.of("fc1", 32), true, null, false, 32));
        assertDoesNotThrow(() -> new Plan(32, Map.of("fc1", 4), true, null, false, 32));
        assertDoesNotThrow(() -> new Plan(4, Map.of(), true, null, false, 32));

        assertRejects("activation bits must be 32 (float) or in [2, 8], got 12", () -> new Plan(4, Map.of(), false, null, false, 12));
        assertRejects("activation bits must be 32 (float) or in [2, 8], got 1", () -> new Plan(4, Map.of(), false, null, false, 1));
        assertRejects("bias correction needs weight bits below 32, got 32 (float)",
                () -> new Plan(32, Map.of(), false, CalibrationMethod.MINMAX, true, 32));
        assertRejects("bias correction needs weight bits below 32, got 32 (float)",
                () -> new Plan(32, Map.of(), false, CalibrationMethod.MINMAX, true, 8));
        assertRejects("calibration mse needs weight or activation bits below 32, got 32 (float) for both",
                () -> new Plan(32, Map.of(), false, CalibrationMethod.MSE, false, 32));
        assertEquals(6, new Plan(32, Map.of(), false, CalibrationMethod.PERCENTILE, false, 6).activationBits(), "calibrates the activations");
        assertTrue(new Plan(32, Map.of(), false, CalibrationMethod.PERCENTILE, false, 6).quantizesActivations());
        assertDoesNotThrow(() -> new Plan(32, Map.of("fc1", 8), false, CalibrationMethod.KL, true, 32));
    }
}
