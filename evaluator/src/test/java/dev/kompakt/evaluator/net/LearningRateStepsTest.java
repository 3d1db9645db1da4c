package dev.kompakt.evaluator.net;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The learning rate of a training set step by step ({@link LearningRateSteps}, {@link TrainingBudget.Schedule}). */
class LearningRateStepsTest {
    static ComputationGraph mlp() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).updater(new Adam(0.01)).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(6).nOut(5).activation(Activation.TANH).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    static DataSet data() {
        Nd4j.getRandom().setSeed(9);
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 64, 3);
        for (int i = 0; i < 64; i++) {
            y.putScalar(i, i % 3, 1);
        }
        return new DataSet(x, y);
    }

    static double rateOf(ComputationGraph net, String layer) {
        IUpdater u = ((org.deeplearning4j.nn.conf.layers.BaseLayer) net.getLayer(layer).conf().getLayer()).getIUpdater();
        return ((Adam) u).getLearningRate();
    }

    @Test
    void cosineGoesFromTheFullRateToZero() {
        TrainingBudget.Schedule cos = TrainingBudget.Schedule.COSINE;
        assertEquals(1.0, cos.factor(0, 100), 1e-12);
        assertEquals(0.5, cos.factor(50, 100), 1e-12);
        assertEquals(0.0, cos.factor(100, 100), 1e-12);
        assertEquals(0.0, cos.factor(150, 100), 1e-12, "past the end it stays at 0");
        assertTrue(cos.factor(25, 100) > cos.factor(26, 100));
        assertEquals(1.0, TrainingBudget.Schedule.CONSTANT.factor(99, 100));
        assertEquals(TrainingBudget.Schedule.CONSTANT, new TrainingBudget(1, 1, 8, 1e-3, 1e-3, 10).learningRateSchedule());
        assertEquals(TrainingBudget.Schedule.CONSTANT, new TrainingBudget(1, 1, 8, 1e-3, 1e-3, 10, null).learningRateSchedule(),
                "a budget recorded before schedules existed trained at a constant rate");
    }

    @Test
    void everyStepOfEveryFitCallFollowsOneSchedule() {
        ComputationGraph net = mlp();
        List<Double> seen = new ArrayList<>();
        // 64 samples in batches of 16: 4 steps per call, two calls (as a training in rounds makes): steps 0..7 of 8
        LearningRateSteps steps = new LearningRateSteps(0.01, s -> {
            seen.add((double) s);
            return TrainingBudget.Schedule.COSINE.factor(s, 8);
        });
        Training.fit(net, data(), 1, 16, PruningMasks.none(), 1, Training.Options.none().withLearningRate(steps));
        assertEquals(4, steps.steps());
        Training.fit(net, data(), 1, 16, PruningMasks.none(), 2, Training.Options.none().withLearningRate(steps));
        assertEquals(8, steps.steps());
        assertEquals(List.of(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0), seen);
        double last = 0.01 * TrainingBudget.Schedule.COSINE.factor(7, 8);
        assertEquals(last, steps.applied(), 1e-12);
        assertEquals(last, rateOf(net, "d"), 1e-12, "every layer's updater has the last step's rate");
        assertEquals(last, rateOf(net, "out"), 1e-12);
    }

    @Test
    void theRateIsWhatTheOptimiserUses() {
        // at rate 0 (after a first step at the full rate) the weights stop moving; at a constant rate they keep moving
        ComputationGraph stopped = mlp();
        LearningRateSteps oneStep = new LearningRateSteps(0.01, s -> s == 0 ? 1.0 : 0.0);
        Training.fit(stopped, data(), 1, 64, PruningMasks.none(), 1, Training.Options.none().withLearningRate(oneStep));
        INDArray afterFirst = stopped.params().dup();
        Training.fit(stopped, data(), 3, 64, PruningMasks.none(), 1, Training.Options.none().withLearningRate(oneStep));
        assertEquals(afterFirst, stopped.params(), "rate 0: Adam moves nothing");
        ComputationGraph moving = mlp();
        Training.fit(moving, data(), 1, 64, PruningMasks.none(), 1, Training.Options.none());
        assertEquals(afterFirst, moving.params(), "the first step at the full rate is the constant-rate step");
        Training.fit(moving, data(), 3, 64, PruningMasks.none(), 1, Training.Options.none());
        assertNotEquals(afterFirst, moving.params());
    }

    @Test
    void refusesANonPositiveInitialRate() {
        assertThrows(IllegalArgumentException.class, () -> new LearningRateSteps(0, s -> 1));
    }
}
