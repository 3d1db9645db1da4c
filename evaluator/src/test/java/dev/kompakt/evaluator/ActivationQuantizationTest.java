package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.quantization.ActivationQuantizer;
import dev.kompakt.strategies.quantization.Calibration;
import dev.kompakt.strategies.quantization.MinMaxCalibration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fake-quantized activations ({@link ActivationQuantizer}) on LeNet-300-100 trained on the bundled Fashion-MNIST subset:
 * 8 bits costs (almost) nothing, fewer bits cost more, and fine-tuning through the quantized activations (QAT, the
 * straight-through estimator) recovers part of what 2 bits lose.
 */
class ActivationQuantizationTest {
    static DataSet train;
    static DataSet test;
    static INDArray calibration;
    static ComputationGraph baseline;
    static double floatAccuracy;

    @BeforeAll
    static void trainBaseline() {
        SampleSet tr = TestData.bundled().train().stratified(2000);
        SampleSet te = TestData.bundled().test().stratified(1000);
        train = Tensors.toDataSet(tr);
        test = Tensors.toDataSet(te);
        calibration = train.getFeatures().get(NDArrayIndex.interval(0, 256), NDArrayIndex.all());
        baseline = NetworkFactory.build(new Architecture(Architecture.Family.MLP, 1.0), 28, 28, 10, 5, 1e-3, null);
        Training.fit(baseline, train, 3, 32, PruningMasks.none(), 5);
        floatAccuracy = Training.accuracy(baseline, test);
    }

    private static double accuracyAt(int bits, Calibration c) {
        ComputationGraph net = baseline.clone();
        new ActivationQuantizer(bits, c).quantize(net, calibration);
        assertEquals(Map.of("fc1", bits, "fc2", bits), ActivationQuantizer.quantizedLayers(net), "fc1 and fc2; the softmax output stays float");
        return Training.accuracy(net, test);
    }

    @Test
    void eightBitsLoseUnderAPointAndFewerBitsLoseMore() {
        Map<Integer, Double> minmax = new LinkedHashMap<>();
        Map<Integer, Double> mse = new LinkedHashMap<>();
        for (int bits : new int[] {8, 6, 4, 2}) {
            minmax.put(bits, accuracyAt(bits, new MinMaxCalibration()));
            mse.put(bits, accuracyAt(bits, Calibration.named("mse")));
        }
        System.out.printf("float %.4f; activations min-max %s; mse %s%n", floatAccuracy, minmax, mse);
        assertTrue(floatAccuracy > 0.7, "baseline " + floatAccuracy);
        assertTrue(floatAccuracy - minmax.get(8) < 0.01, "8-bit activations: " + minmax.get(8) + " vs float " + floatAccuracy);
        assertTrue(floatAccuracy - mse.get(8) < 0.01, "8-bit activations (mse): " + mse.get(8) + " vs float " + floatAccuracy);
        assertTrue(minmax.get(2) < minmax.get(8), "2 bits lose more than 8: " + minmax);
        assertTrue(mse.get(2) < mse.get(8), "2 bits lose more than 8 (mse): " + mse);
        assertTrue(mse.get(2) > minmax.get(2), "at 2 bits clipping the range (mse) beats the full range: " + mse + " vs " + minmax);
    }

    @Test
    void fineTuningThroughQuantizedActivationsRecoversAccuracy() {
        ComputationGraph ptq = baseline.clone();
        ptq.setLearningRate(5e-4);
        Training.fit(ptq, train, 1, 32, PruningMasks.none(), 9);
        new ActivationQuantizer(2, Calibration.named("mse")).quantize(ptq, calibration);
        ComputationGraph qat = baseline.clone();
        qat.setLearningRate(5e-4);
        new ActivationQuantizer(2, Calibration.named("mse")).quantize(qat, calibration);
        Training.fit(qat, train, 1, 32, PruningMasks.none(), 9);
        double ptqAccuracy = Training.accuracy(ptq, test);
        double qatAccuracy = Training.accuracy(qat, test);
        System.out.printf("2-bit activations: fine-tune then quantize %.4f; fine-tune through them (STE) %.4f%n", ptqAccuracy, qatAccuracy);
        assertEquals(Map.of("fc1", 2, "fc2", 2), ActivationQuantizer.quantizedLayers(qat), "training keeps the quantized activations");
        assertTrue(qatAccuracy > ptqAccuracy, "QAT " + qatAccuracy + " vs PTQ " + ptqAccuracy);
    }
}
