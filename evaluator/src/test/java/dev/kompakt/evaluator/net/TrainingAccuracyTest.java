package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Top-1 accuracy from a network and from predictions made once ({@link Training#accuracy}); inference batches. */
class TrainingAccuracyTest {

    /** A convolution of 1x32x32 inputs to {@code channels} channels (same padding), pooled to 10 classes. */
    static ComputationGraph conv(int channels) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("in")
                .setInputTypes(InputType.convolutional(32, 32, 1))
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).nOut(channels).convolutionMode(ConvolutionMode.Same)
                        .activation(Activation.RELU).build(), "in")
                .addLayer("p", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "c")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build(), "p")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    @Test
    void inferenceBatchesKeepTheLargestActivationWithinTheBudget() {
        INDArray images = Nd4j.rand(DataType.FLOAT, 40, 1, 32, 32);
        // 256 channels x 32 x 32 floats = 1 MiB per example: 16 a batch
        assertEquals(16, Training.inferenceBatch(conv(256), images));
        // 4 channels: 16 KiB per example, capped at 500
        assertEquals(Training.MAX_INFERENCE_BATCH, Training.inferenceBatch(conv(4), images));
        assertEquals(1, Training.inferenceBatch(conv(4), images.get(NDArrayIndex.interval(0, 1), NDArrayIndex.all())));
        // predictions in those batches (16, 16, 8) are the network's outputs on all examples at once
        ComputationGraph wide = conv(256);
        INDArray all = wide.outputSingle(false, images);
        INDArray batched = Training.predict(wide, images);
        assertEquals(40, batched.size(0));
        assertTrue(all.equalsWithEps(batched, 1e-6), "batched predictions differ from one pass");
        INDArray act = Training.activations(wide, "p", images);
        assertTrue(wide.feedForward(images, false).get("p").equalsWithEps(act, 1e-6));
    }

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
