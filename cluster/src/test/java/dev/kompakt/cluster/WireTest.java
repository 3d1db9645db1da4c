package dev.kompakt.cluster;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.strategies.CompressionPlan;
import org.junit.jupiter.api.Test;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WireTest {

    @Test
    void trialSpecRoundTrips() {
        TrialSpec spec = new TrialSpec(12, new CompressionPlan(0.75, false, 0.42, 6, true, 3.5, 0.3),
                new TrainingBudget(2, 3, 64, 1e-4, 2.5e-3, 4000), -987654321012L);
        TrialSpec back = Wire.fromBytes(Wire.toBytes(spec), TrialSpec.class);
        assertEquals(spec, back);
        assertEquals(0.42, back.plan().sparsity());
        assertEquals(-987654321012L, back.seed());
        // identity plan too (distill off, alpha 0)
        TrialSpec identity = new TrialSpec(0, CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 1), 1);
        assertEquals(identity, Wire.fromBytes(Wire.toBytes(identity), TrialSpec.class));
        // quantization-aware training crosses the wire
        TrialSpec qat = new TrialSpec(3, new CompressionPlan(1.0, true, "l2", 0.5, CompressionPlan.AGP, 4, true, false, 1.0, 0.0),
                new TrainingBudget(1, 1, 32, 1e-3, 1e-3, 10), 5);
        assertEquals(qat, Wire.fromBytes(Wire.toBytes(qat), TrialSpec.class));
        assertTrue(Wire.fromBytes(Wire.toBytes(qat), TrialSpec.class).plan().qat());
        // the distillation kind crosses the wire, and a plan encoded before the kind existed decodes to response KD
        TrialSpec relation = new TrialSpec(4, new CompressionPlan(0.5, true, "l1", 0.0, CompressionPlan.ONESHOT, 32, false, true, 3.0, 0.5,
                CompressionPlan.RELATION), new TrainingBudget(1, 1, 32, 1e-3, 1e-3, 10), 6);
        assertEquals(relation, Wire.fromBytes(Wire.toBytes(relation), TrialSpec.class));
        String old = new String(Wire.toBytes(relation), StandardCharsets.UTF_8).replace(",\"distillKind\":\"relation\"", "");
        assertTrue(!old.contains("distillKind"), old);
        assertEquals(CompressionPlan.RESPONSE, Wire.fromBytes(old.getBytes(StandardCharsets.UTF_8), TrialSpec.class).plan().distillKind());
    }

    @Test
    void mixedPrecisionAndSensitivityPlansRoundTripAndOldPlansStillLoad() {
        Map<String, Integer> layerBits = new LinkedHashMap<>();
        layerBits.put("conv1", 8);
        layerBits.put("conv2", 4);
        layerBits.put("fc1", 2);
        layerBits.put("out", 32);
        TrialSpec mixed = new TrialSpec(4, new CompressionPlan(1.0, true, "l1", 0.6, CompressionPlan.AGP, 32, true, false, 1.0, 0.0,
                layerBits, CompressionPlan.SENSITIVITY), new TrainingBudget(1, 1, 32, 1e-3, 1e-3, 10), 6);
        TrialSpec back = Wire.fromBytes(Wire.toBytes(mixed), TrialSpec.class);
        assertEquals(mixed, back);
        assertEquals(java.util.List.of("conv1", "conv2", "fc1", "out"), java.util.List.copyOf(back.plan().layerBits().keySet()), "layer order kept");
        assertEquals(CompressionPlan.SENSITIVITY, back.plan().allocation());

        // a plan written before layerBits and allocation existed
        String old = "{\"trialNumber\":3,\"plan\":{\"widthMultiplier\":1.0,\"inheritWeights\":true,\"criterion\":\"l2\",\"sparsity\":0.5,"
                + "\"pruningSchedule\":\"agp\",\"weightBits\":4,\"qat\":true,\"distill\":false,\"temperature\":1.0,\"alpha\":0.0,\"student\":false},"
                + "\"budget\":{\"fineTuneEpochs\":1,\"studentEpochs\":1,\"batchSize\":32,\"fineTuneLearningRate\":0.001,"
                + "\"studentLearningRate\":0.001,\"trainSamples\":10},\"seed\":5}";
        TrialSpec legacy = Wire.fromBytes(old.getBytes(StandardCharsets.UTF_8), TrialSpec.class);
        assertEquals(new CompressionPlan(1.0, true, "l2", 0.5, CompressionPlan.AGP, 4, true, false, 1.0, 0.0), legacy.plan());
        assertEquals(Map.of(), legacy.plan().layerBits());
        assertEquals(CompressionPlan.GLOBAL, legacy.plan().allocation());
    }

    @Test
    void regularizedPlansRoundTripAndPlansWithoutRegularizationStillLoad() {
        CompressionPlan plan = new CompressionPlan(0.5, true, "l1", 0.3, CompressionPlan.AGP, 8, false, false, 1.0, 0.0)
                .withRegularization("group_lasso", 0.0125);
        TrialSpec spec = new TrialSpec(7, plan, new TrainingBudget(1, 1, 32, 1e-3, 1e-3, 10), 8);
        String json = new String(Wire.toBytes(spec), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"regularization\":\"group_lasso\",\"regularizationStrength\":0.0125"), json);
        assertEquals(spec, Wire.fromBytes(json.getBytes(StandardCharsets.UTF_8), TrialSpec.class));
        String old = json.replace(",\"regularization\":\"group_lasso\",\"regularizationStrength\":0.0125", "");
        assertTrue(!old.contains("regulariz"), old);
        CompressionPlan legacy = Wire.fromBytes(old.getBytes(StandardCharsets.UTF_8), TrialSpec.class).plan();
        assertEquals(plan.withRegularization("none", 0.0), legacy);
        assertEquals("none", legacy.regularization());
    }

    @Test
    void quantizationOptionsRoundTripAndPlansWithoutThemStillLoad() {
        CompressionPlan plan = new CompressionPlan(1.0, true, "l1", 0.2, CompressionPlan.ONESHOT, 4, true, false, 1.0, 0.0)
                .withQuantization("mse", true, 6);
        TrialSpec spec = new TrialSpec(9, plan, new TrainingBudget(1, 1, 32, 1e-3, 1e-3, 10), 8);
        String json = new String(Wire.toBytes(spec), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"calibration\":\"mse\",\"biasCorrection\":true,\"activationBits\":6"), json);
        assertEquals(spec, Wire.fromBytes(json.getBytes(StandardCharsets.UTF_8), TrialSpec.class));
        // a plan written before the fields existed: min-max, no bias correction, float activations
        String old = json.replace(",\"calibration\":\"mse\",\"biasCorrection\":true,\"activationBits\":6", "");
        assertTrue(!old.contains("calibration") && !old.contains("activationBits"), old);
        CompressionPlan legacy = Wire.fromBytes(old.getBytes(StandardCharsets.UTF_8), TrialSpec.class).plan();
        assertEquals(plan.withQuantization("minmax", false, 32), legacy);
        assertEquals("minmax", legacy.calibration());
        assertEquals(32, legacy.activationBits());
    }

    @Test
    void completedOutcomeRoundTrips() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", 0.8731);
        metrics.put("size_bytes", 21208.0);
        metrics.put("latency_ms@rpi4", 1.879048);
        metrics.put("fits_memory@rpi4", 1.0);
        metrics.put("tiny", 1e-300);
        TrialOutcome o = new TrialOutcome(5, true, metrics, null, "executor-1@1234@host", 12.75);
        TrialOutcome back = Wire.fromBytes(Wire.toBytes(o), TrialOutcome.class);
        assertEquals(o, back);
        assertEquals(metrics, back.metrics());
        assertNull(back.error());
    }

    @Test
    void failedOutcomeKeepsItsErrorText() {
        String error = "java.lang.IllegalStateException: bad \"quoted\" candidate\n\tat line <- caused by java.lang.ArithmeticException: / by zero; ünïcödé";
        TrialOutcome o = new TrialOutcome(7, false, Map.of(), error, "executor-driver@1@h", 0.5);
        TrialOutcome back = Wire.fromBytes(Wire.toBytes(o), TrialOutcome.class);
        assertEquals(o, back);
        assertEquals(error, back.error());
        assertTrue(back.metrics().isEmpty());
    }

    @Test
    void nonFiniteMetricsSurviveTheWireSoTheStudyCanRejectThem() {
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", Double.NaN);
        metrics.put("size_bytes", Double.POSITIVE_INFINITY);
        TrialOutcome back = Wire.fromBytes(Wire.toBytes(new TrialOutcome(2, true, metrics, null, "w", 1)), TrialOutcome.class);
        assertTrue(back.metrics().get("accuracy").isNaN());
        assertEquals(Double.POSITIVE_INFINITY, back.metrics().get("size_bytes"));
    }

    @Test
    void outcomeRequiresACauseWhenFailed() {
        var e = assertThrows(IllegalArgumentException.class, () -> new TrialOutcome(1, false, null, " ", "w", 0));
        assertEquals("a failed outcome must record its cause", e.getMessage());
        assertTrue(new TrialOutcome(1, true, null, null, "w", 0).metrics().isEmpty());
    }

    @Test
    void undecodableBytesNameTheType() {
        byte[] junk = "{not json".getBytes(StandardCharsets.UTF_8);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Wire.fromBytes(junk, TrialSpec.class));
        assertEquals("cannot decode TrialSpec (9 bytes)", e.getMessage());
    }
}
