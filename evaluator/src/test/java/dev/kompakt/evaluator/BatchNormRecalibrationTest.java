package dev.kompakt.evaluator;

import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.BatchNormStatistics;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Act;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Plan;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Stage;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.pruning.PruningStrategy;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Every built candidate's batch-norm layers hold the statistics of its final weights, measured on its first training
 * samples ({@link BatchNormStatistics}), not DL4J's running averages of the training: inference, every metric and the
 * export then see the network that was trained.
 */
class BatchNormRecalibrationTest {
    static EvaluationContext context;
    static final TrainingBudget BUDGET = new TrainingBudget(1, 1, 32, 1e-3, 3e-3, 600);

    @BeforeAll
    static void trainBaseline() {
        context = TestData.smallCnnContext();
    }

    @Test
    void builtCandidatesHoldTheStatisticsOfTheirFinalWeights() {
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(0, 1));
        Stage st = new Stage(1, 0.5, 3, 2, true);
        List<CompressionPlan> plans = List.of(
                // a ResNet-style network at 16 px, from scratch, 60% pruned before training
                CompressionPlan.identity().with(new Plan(Family.RESNET, Act.RELU, List.of(new Stage(1, 0.5, 3, 1, false), new Stage(1, 0.5, 3, 1, false),
                                new Stage(1, 0.5, 3, 1, false)), 16, 0))
                        .with(new PruningStrategy.Plan(0.6, PruningStrategy.Schedule.ONESHOT, PruningStrategy.Allocation.GLOBAL)),
                // a hard-swish MobileNet-style network with squeeze-excitation at 16 px, from scratch, pruned gradually (AGP)
                CompressionPlan.identity().with(new Plan(Family.MOBILENET, Act.HARDSWISH, List.of(st, st, st), 16, 0))
                        .with(new PruningStrategy.Plan(0.6, PruningStrategy.Schedule.AGP, PruningStrategy.Allocation.GLOBAL)));
        for (CompressionPlan plan : plans) {
            CandidateEvaluator.Candidate c = evaluator.build(plan, BUDGET, 5);
            ComputationGraph net = c.network();
            INDArray rows = evaluator.contextFor(plan).train().getFeatures().get(NDArrayIndex.interval(0, BUDGET.trainSamples()), NDArrayIndex.all());
            Map<String, BatchNormStatistics.Channels> expected = BatchNormStatistics.measure(net, rows, BUDGET.batchSize());
            assertFalse(expected.isEmpty(), plan + " has batch norm");
            for (Map.Entry<String, BatchNormStatistics.Channels> e : expected.entrySet()) {
                Layer layer = net.getLayer(e.getKey());
                double[] mean = layer.getParam("mean").toDoubleVector();
                double[] var;
                if (layer.getParam("log10stdev") != null) {
                    var = layer.getParam("log10stdev").toDoubleVector();
                    for (int i = 0; i < var.length; i++) {
                        var[i] = Math.pow(10, 2 * var[i]);
                    }
                } else {
                    var = layer.getParam("var").toDoubleVector();
                }
                for (int i = 0; i < mean.length; i++) {
                    String where = plan + ", " + e.getKey() + " channel " + i;
                    assertEquals(e.getValue().mean()[i], mean[i], 1e-4 * Math.max(1, Math.abs(mean[i])), where);
                    assertEquals(e.getValue().variance()[i], var[i], 1e-3 * Math.max(1e-3, var[i]), where);
                }
            }
        }
    }
}
