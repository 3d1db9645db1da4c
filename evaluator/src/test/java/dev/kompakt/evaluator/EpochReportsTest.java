package dev.kompakt.evaluator;

import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.TrainingInterruptedException;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Epoch reports: after every epoch the listener gets the candidate's {@link CandidateEvaluator#EPOCH_METRICS} as they
 * would be if its training ended there (after the last epoch: what the evaluation then measures), reporting changes
 * nothing about the candidate, and a listener that answers "stop" ends the training after that epoch.
 */
class EpochReportsTest {
    static EvaluationContext context;
    static final TrainingBudget BUDGET = new TrainingBudget(3, 3, 32, 1e-3, 3e-3, 1000);
    static final List<String> SAME_WITH_OR_WITHOUT_REPORTS = List.of("accuracy", "test_accuracy", "size_bytes", "params", "nonzero_params",
            "macs", "sparsity", "bitops", "latency_ms@rpi4", "energy_mj@rpi4", "onnx_bytes");

    @BeforeAll
    static void trainBaseline() {
        context = TestData.smallCnnContext();
    }

    record Epoch(int epoch, int epochs, Map<String, Double> values) {
    }

    static List<CompressionPlan> plans() {
        return List.of(
                // fine-tuned, pruned once before training, 4-bit weights
                CompressionPlan.identity().with(new PruningStrategy.Plan(0.5, PruningStrategy.Schedule.ONESHOT, PruningStrategy.Allocation.GLOBAL))
                        .with(QuantizationStrategy.Plan.weights(4)),
                // a half-width student, pruned gradually (AGP) to 60%, INT8
                CompressionPlan.identity().with(new StudentStrategy.Plan(0.5, StudentStrategy.Init.INHERIT, StudentStrategy.Criterion.L1))
                        .with(new PruningStrategy.Plan(0.6, PruningStrategy.Schedule.AGP, PruningStrategy.Allocation.GLOBAL))
                        .with(QuantizationStrategy.Plan.weights(8)));
    }

    @Test
    void everyEpochReportsThePreviewAndTheLastOneIsWhatTheEvaluationMeasures() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        for (CompressionPlan plan : plans()) {
            List<Epoch> epochs = new ArrayList<>();
            Map<String, Double> reported = evaluator.evaluate(plan, BUDGET, 3, (epoch, of, values) -> {
                epochs.add(new Epoch(epoch, of, values));
                return true;
            });
            Map<String, Double> plain = evaluator.evaluate(plan, BUDGET, 3);
            System.out.println(plan + ": " + epochs.stream().map(e -> e.epoch() + ": acc " + e.values().get("accuracy") + ", size "
                    + e.values().get("size_bytes")).toList() + "; final acc " + plain.get("accuracy") + ", size " + plain.get("size_bytes"));
            for (String metric : SAME_WITH_OR_WITHOUT_REPORTS) {
                assertEquals(plain.get(metric), reported.get(metric), plan + ": " + metric + " with epoch reports and without");
            }
            assertEquals(List.of(1, 2, 3), epochs.stream().map(Epoch::epoch).toList());
            assertTrue(epochs.stream().allMatch(e -> e.epochs() == 3));
            for (Epoch e : epochs) {
                assertEquals(java.util.Set.of("accuracy", "accuracy_drop", "size_bytes", "compression_ratio", "params", "nonzero_params", "macs",
                        "sparsity", "bitops", "latency_ms@rpi4", "energy_mj@rpi4", "fits_memory@rpi4"), e.values().keySet());
                assertTrue(e.values().keySet().stream().allMatch(CandidateEvaluator::reportedEachEpoch));
            }
            // the validation slice holds all 500 validation samples here, so the last report is the evaluation's own measurement
            Map<String, Double> last = epochs.get(2).values();
            for (String metric : List.of("accuracy", "size_bytes", "params", "nonzero_params", "macs", "sparsity", "bitops", "latency_ms@rpi4")) {
                assertEquals(plain.get(metric), last.get(metric), plan + ": " + metric + " of the last epoch's report");
            }
            // the pruning's target sparsity is in every preview, also while AGP is still on its way there
            double planned = plan.pruning().sparsity();
            epochs.forEach(e -> assertEquals(planned, e.values().get("sparsity"), 0.02, "epoch " + e.epoch() + " sparsity"));
        }
    }

    @Test
    void aListenerThatSaysStopEndsTheTrainingAfterThatEpoch() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(2, 5));
        List<Integer> seen = new ArrayList<>();
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class, () -> evaluator.evaluate(plans().get(1), BUDGET, 3,
                (epoch, of, values) -> {
                    seen.add(epoch);
                    return epoch < 2;
                }));
        assertEquals(List.of(1, 2), seen);
        assertTrue(e.getMessage().contains("after epoch 2"), e.getMessage());
    }
}
