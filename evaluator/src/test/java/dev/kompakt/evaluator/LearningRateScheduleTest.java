package dev.kompakt.evaluator;

import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.pruning.PruningStrategy;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.Adam;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code budget.learningRateSchedule} and {@code budget.augmentation} in a candidate's one training loop, whole epochs or rounds. */
class LearningRateScheduleTest {
    static EvaluationContext context;

    @BeforeAll
    static void trainBaseline() {
        context = TestData.smallCnnContext();
    }

    static double largestRate(ComputationGraph net) {
        double max = 0;
        for (Layer l : net.getLayers()) {
            if (l.conf().getLayer() instanceof BaseLayer b && b.getIUpdater() instanceof Adam adam) {
                max = Math.max(max, adam.getLearningRate());
            }
        }
        return max;
    }

    @Test
    void cosineAnnealsOverTheWholeTrainingAndConstantKeepsTheRate() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(0, 1));
        TrainingBudget constant = new TrainingBudget(2, 2, 32, 1e-3, 3e-3, 600);
        TrainingBudget cosine = new TrainingBudget(2, 2, 32, 1e-3, 3e-3, 600, TrainingBudget.Schedule.COSINE);
        List<CompressionPlan> plans = List.of(
                CompressionPlan.identity().with(new PruningStrategy.Plan(0.5, PruningStrategy.Schedule.ONESHOT, PruningStrategy.Allocation.GLOBAL)),
                // gradual pruning trains in rounds: one schedule across all of them
                CompressionPlan.identity().with(new PruningStrategy.Plan(0.5, PruningStrategy.Schedule.AGP, PruningStrategy.Allocation.GLOBAL)));
        for (CompressionPlan plan : plans) {
            ComputationGraph flat = evaluator.build(plan, constant, 3).network();
            ComputationGraph annealed = evaluator.build(plan, cosine, 3).network();
            assertEquals(1e-3, largestRate(flat), 1e-12, plan + ": constant rate");
            // 600 samples in batches of 32: 19 steps per epoch, 38 in all; the last step's rate is 1e-3 * 0.5 (1 + cos(pi 37/38))
            double last = 1e-3 * TrainingBudget.Schedule.COSINE.factor(37, 38);
            assertTrue(largestRate(annealed) <= last + 1e-3 * 0.005 + 1e-12, plan + ": annealed to " + largestRate(annealed) + ", expected ~" + last);
            assertNotEquals(flat.params(), annealed.params(), plan + ": the schedule changes the training");
        }
    }

    @Test
    void augmentationChangesTheTrainingAndIsDeterministic() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(0, 1));
        TrainingBudget plain = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 300);
        TrainingBudget augmented = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 300, TrainingBudget.Schedule.CONSTANT,
                new TrainingBudget.Augmentation(true, 2));
        CompressionPlan plan = CompressionPlan.identity();
        ComputationGraph a = evaluator.build(plan, augmented, 3).network();
        assertEquals(a.params(), evaluator.build(plan, augmented, 3).network().params(), "same seed, same augmentation");
        assertNotEquals(evaluator.build(plan, plain, 3).network().params(), a.params());
    }
}
