package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quantization-aware fine-tuning (straight-through estimator) on the bundled Fashion-MNIST subset, LeNet-300-100 at
 * 2 bits (ternary per channel). At 3 and 4 bits post-training quantization of this MLP already loses under a point on
 * 1000 test images, too little for a comparison that is not noise; at 2 bits it loses tens of points.
 */
class QuantizationAwareTrainingTest {
    static final int BITS = 2;
    static final int EPOCHS = 2;
    static DataSet train;
    static DataSet test;
    static ComputationGraph baseline;

    @BeforeAll
    static void trainBaseline() {
        SampleSet tr = TestData.bundled().train().stratified(2000);
        SampleSet te = TestData.bundled().test().stratified(1000);
        train = Tensors.toDataSet(tr);
        test = Tensors.toDataSet(te);
        baseline = NetworkFactory.build(new Architecture(Architecture.Family.MLP, 1.0), 28, 28, 10, 5, 1e-3, null);
        Training.fit(baseline, train, 3, 32, PruningMasks.none(), 5);
    }

    private static ComputationGraph fineTuned(boolean qat, PruningMasks masks) {
        ComputationGraph net = baseline.clone();
        net.setLearningRate(5e-4);
        Training.fit(net, train, EPOCHS, 32, masks, 9, Training.Options.none().withFakeQuantizer(qat ? new WeightQuantizer(BITS) : null));
        return net;
    }

    @Test
    void qatRecoversMoreAccuracyThanPtqAfterTheSameFloatFineTuning() {
        double base = Training.accuracy(baseline, test);
        ComputationGraph ptq = fineTuned(false, PruningMasks.none());
        double floatTuned = Training.accuracy(ptq, test);
        new WeightQuantizer(BITS).quantize(ptq);
        ComputationGraph qat = fineTuned(true, PruningMasks.none());
        new WeightQuantizer(BITS).quantize(qat);
        double ptqAccuracy = Training.accuracy(ptq, test);
        double qatAccuracy = Training.accuracy(qat, test);
        System.out.printf("baseline %.4f, float fine-tune %.4f, then INT%d PTQ %.4f; INT%d QAT %.4f%n", base, floatTuned, BITS, ptqAccuracy, BITS, qatAccuracy);
        assertTrue(qatAccuracy > ptqAccuracy + 0.03, "QAT " + qatAccuracy + " vs fine-tune + PTQ " + ptqAccuracy);
        assertOnGrid(qat);
    }

    @Test
    void theNetworkKeepsFloatMasterWeightsBetweenCalls() {
        ComputationGraph qat = fineTuned(true, PruningMasks.none());
        // the master weights are not on the grid; quantizing them is what was trained for
        boolean offGrid = false;
        for (WeightTensors.Target t : WeightTensors.of(qat)) {
            for (float[] channel : Weights.channels(t.weights(), t.convolution())) {
                offGrid |= distinct(channel) > (1 << BITS) - 1;
            }
        }
        assertTrue(offGrid, "master weights are float");
        new WeightQuantizer(BITS).quantize(qat);
        assertOnGrid(qat);
    }

    @Test
    void qatIsDeterministicAndKeepsPrunedWeightsAtZero() {
        ComputationGraph pruned = baseline.clone();
        PruningMasks masks = new MagnitudePruner(MagnitudePruner.Scope.GLOBAL).prune(pruned, 0.5);
        ComputationGraph a = pruned.clone();
        ComputationGraph b = pruned.clone();
        a.setLearningRate(5e-4);
        b.setLearningRate(5e-4);
        DataSet small = new DataSet(train.getFeatures().getRows(range(300)), train.getLabels().getRows(range(300)));
        Training.fit(a, small, 1, 32, masks, 3, Training.Options.none().withFakeQuantizer(new WeightQuantizer(3)));
        Training.fit(b, small, 1, 32, masks, 3, Training.Options.none().withFakeQuantizer(new WeightQuantizer(3)));
        assertEquals(a.params(), b.params(), "same seed, same weights");
        assertEquals(0.5, MagnitudePruner.sparsity(a), 0.01, "pruned weights stay zero through QAT");
        new WeightQuantizer(3).quantize(a);
        assertEquals(0.5, MagnitudePruner.sparsity(a), 0.01);
    }

    private static void assertOnGrid(ComputationGraph net) {
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            float[][] channels = Weights.channels(t.weights(), t.convolution());
            for (int c = 0; c < channels.length; c++) {
                assertTrue(distinct(channels[c]) <= (1 << BITS) - 1, t.layerName() + " channel " + c + ": " + distinct(channels[c]) + " values");
            }
        }
    }

    private static int distinct(float[] v) {
        Set<Float> s = new HashSet<>();
        for (float x : v) {
            s.add(x == 0f ? 0f : x);
        }
        return s.size();
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
