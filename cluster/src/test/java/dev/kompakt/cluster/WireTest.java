package dev.kompakt.cluster;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
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

    /** A plan with every strategy away from its identity. */
    static CompressionPlan everyStrategy() {
        Map<String, Integer> layerBits = new LinkedHashMap<>();
        layerBits.put("conv1", 8);
        layerBits.put("conv2", 4);
        layerBits.put("fc1", 2);
        layerBits.put("out", 32);
        return new CompressionPlan(new StudentStrategy.Plan(0.75, StudentStrategy.Init.INHERIT, StudentStrategy.Criterion.TAYLOR),
                new PruningStrategy.Plan(0.42, PruningStrategy.Schedule.AGP, PruningStrategy.Allocation.SENSITIVITY),
                new RegularizationStrategy.Plan(RegularizationStrategy.Kind.GROUP_LASSO, 0.0125),
                new QuantizationStrategy.Plan(8, layerBits, true, QuantizationStrategy.CalibrationMethod.MSE, true, 6),
                DistillationStrategy.Plan.of(DistillationStrategy.Kind.RELATION, 3.5, 0.3));
    }

    @Test
    void trialSpecRoundTripsWithEveryStrategyByOptionIds() {
        TrialSpec spec = new TrialSpec(12, everyStrategy(), new TrainingBudget(2, 3, 64, 1e-4, 2.5e-3, 4000), -987654321012L);
        String json = new String(Wire.toBytes(spec), StandardCharsets.UTF_8);
        TrialSpec back = Wire.fromBytes(json.getBytes(StandardCharsets.UTF_8), TrialSpec.class);
        assertEquals(spec, back);
        assertEquals(-987654321012L, back.seed());
        assertEquals(java.util.List.of("conv1", "conv2", "fc1", "out"), java.util.List.copyOf(back.plan().quantization().layerBits().keySet()),
                "layer order kept");
        // one object per strategy, options by the ids the spec and the search space use
        for (String part : new String[] {"\"student\":{\"width\":0.75,\"init\":\"inherit\",\"criterion\":\"taylor\"}",
                "\"pruning\":{\"sparsity\":0.42,\"schedule\":\"agp\",\"allocation\":\"sensitivity\"}",
                "\"regularization\":{\"kind\":\"group_lasso\",\"strength\":0.0125}",
                "\"calibration\":\"mse\",\"biasCorrection\":true,\"activationBits\":6",
                "\"distillation\":{\"enabled\":true,\"temperature\":3.5,\"alpha\":0.3,\"kind\":\"relation\"}"}) {
            assertTrue(json.contains(part), part + " in " + json);
        }
        TrialSpec identity = new TrialSpec(0, CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 1), 1);
        assertEquals(identity, Wire.fromBytes(Wire.toBytes(identity), TrialSpec.class));
        TrialSpec cosine = new TrialSpec(3, CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 1, TrainingBudget.Schedule.COSINE), 1);
        assertEquals(cosine, Wire.fromBytes(Wire.toBytes(cosine), TrialSpec.class));
        // a spec written before budgets had a schedule reads as the constant rate it trained at
        String old = new String(Wire.toBytes(identity), StandardCharsets.UTF_8).replace(",\"learningRateSchedule\":\"CONSTANT\"", "");
        assertTrue(!old.contains("learningRateSchedule"), old);
        assertEquals(identity, Wire.fromBytes(old.getBytes(StandardCharsets.UTF_8), TrialSpec.class));
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
