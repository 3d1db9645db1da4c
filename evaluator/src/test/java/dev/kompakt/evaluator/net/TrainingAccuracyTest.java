package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Top-1 accuracy from a network and from predictions made once ({@link Training#accuracy}). */
class TrainingAccuracyTest {

    @Test
    void accuracyFromPredictionsEqualsAccuracyFromTheNetwork() {
        ComputationGraph net = LearningRateStepsTest.mlp();
        DataSet data = LearningRateStepsTest.data();
        Training.fit(net, data, 2, 16, dev.kompakt.strategies.pruning.PruningMasks.none(), 3);
        INDArray predictions = Training.predict(net, data.getFeatures());
        double fromNet = Training.accuracy(net, data);
        assertEquals(fromNet, Training.accuracy(predictions, data), 0.0);
        // counted by hand from the same predictions
        int correct = 0;
        for (int i = 0; i < data.numExamples(); i++) {
            if (predictions.getRow(i).argMax().getInt(0) == data.getLabels().getRow(i).argMax().getInt(0)) {
                correct++;
            }
        }
        assertEquals(correct / (double) data.numExamples(), fromNet, 0.0);
    }

    @Test
    void predictionsForOtherExamplesAreRefused() {
        DataSet data = LearningRateStepsTest.data();
        INDArray tooFew = Nd4j.zeros(DataType.FLOAT, data.numExamples() - 1, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Training.accuracy(tooFew, data));
        assertEquals("63 predictions for 64 examples", e.getMessage());
    }
}
