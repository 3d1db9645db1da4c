package dev.kompakt.evaluator.net;

import dev.kompakt.strategies.architecture.ArchitectureStrategy.Act;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Family;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Plan;
import dev.kompakt.strategies.architecture.ArchitectureStrategy.Stage;
import dev.kompakt.strategies.architecture.Families;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch-norm recalibration ({@link BatchNormStatistics}): statistics of the final weights replace drifted running averages. */
class BatchNormStatisticsTest {
    /** conv -> BN -> ReLU -> dense (dropout) -> BN -> softmax, on 1 x 6 x 6 inputs. */
    static ComputationGraph small(boolean logStd) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutionalFlat(6, 6, 1))
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nOut(4).activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().useLogStd(logStd).activation(Activation.RELU).build(), "conv")
                .addLayer("dense", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).dropOut(0.5).build(), "bn")
                .addLayer("bn2", new BatchNormalization.Builder().useLogStd(logStd).build(), "dense")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(), "bn2")
                .setOutputs("out").build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    static INDArray inputs(int n, long seed) {
        return inputs(n, 36, seed);
    }

    static INDArray inputs(int n, int columns, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.FLOAT, n, columns).muli(3).addi(1);   // far from the initial statistics (mean 0, variance 1)
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void statisticsOfOneBatchMakeInferenceEqualTrainingModeOnThatBatch(boolean logStd) {
        ComputationGraph net = small(logStd);
        net.getLayer("out").conf().getLayer().setIDropout(null);   // only the dense layer's dropout is switched off by measure
        INDArray x = inputs(64, 1);
        Map<String, BatchNormStatistics.Channels> stats = BatchNormStatistics.measure(net, x, 64);
        assertEquals(List.of("bn", "bn2"), List.copyOf(stats.keySet()));
        assertEquals(4, stats.get("bn").mean().length);
        assertEquals(8, stats.get("bn2").mean().length);
        INDArray before = net.outputSingle(false, x);
        BatchNormStatistics.assign(net, stats);
        INDArray inference = net.outputSingle(false, x);
        net.getLayer("dense").conf().getLayer().setIDropout(null);
        INDArray training = net.outputSingle(true, x);
        assertTrue(inference.equalsWithEps(training, 1e-4), "inference " + inference.getRow(0) + " vs training mode " + training.getRow(0));
        assertFalse(before.equalsWithEps(training, 1e-2), "the initial running statistics should not already fit these inputs");
    }

    @Test
    void batchesCombineExactlyIntoTheStatisticsOfAllSamples() {
        ComputationGraph net = small(true);
        INDArray x = inputs(100, 2);
        // the first BN's input (the convolution's output) does not depend on any batch statistic: compare with all 100 at once
        INDArray conv = Training.activations(net, "conv", x);
        double[] mean = conv.mean(0, 2, 3).toDoubleVector();
        double[] var = conv.var(false, 0, 2, 3).toDoubleVector();
        BatchNormStatistics.Channels got = BatchNormStatistics.measure(net, x, 32).get("bn");   // batches 32, 32, 32, 4
        for (int c = 0; c < 4; c++) {
            assertEquals(mean[c], got.mean()[c], 1e-5 * Math.max(1, Math.abs(mean[c])));
            assertEquals(var[c], got.variance()[c], 1e-4 * Math.max(1, var[c]));
        }
    }

    @Test
    void dropoutIsOffWhileMeasuringAndRestoredAfter() {
        ComputationGraph net = small(true);
        INDArray x = inputs(64, 3);
        Map<String, BatchNormStatistics.Channels> a = BatchNormStatistics.measure(net, x, 64);
        Map<String, BatchNormStatistics.Channels> b = BatchNormStatistics.measure(net, x, 64);
        // with dropout active the second BN's input would differ between the two passes
        for (int c = 0; c < 8; c++) {
            assertEquals(a.get("bn2").variance()[c], b.get("bn2").variance()[c], 1e-9);
        }
        assertNotNull(net.getLayer("dense").conf().getLayer().getIDropout());
    }

    /**
     * The collapse found in the NAS benchmark, by construction: a hard-swish MobileNet-style network whose running
     * statistics are off (mean shifted, variance tiny) predicts nothing useful at inference; recalibrated on its inputs,
     * it predicts as in training mode. A pruned (all-zero) channel has variance 0 and must stay finite.
     */
    @Test
    void recalibrationRestoresADriftedNetworkAndKeepsConstantChannelsFinite() {
        Stage st = new Stage(1, 0.5, 3, 2, true);
        ComputationGraph net = Families.build(new Plan(Family.MOBILENET, Act.HARDSWISH, List.of(st, st, st), 0, 0), 1, 12, 12, 5, 7);
        INDArray x = inputs(300, 144, 4);
        INDArray firstConvW = null;
        for (var l : net.getLayers()) {
            if (l.getParam("W") != null && l.getParam("W").rank() == 4) {
                firstConvW = l.getParam("W");
                break;
            }
        }
        firstConvW.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).assign(0);   // output channel 0 pruned
        for (String name : BatchNormStatistics.layers(net).keySet()) {
            var layer = net.getLayer(name);
            layer.getParam("mean").addi(0.7);
            layer.getParam(layer.getParam("log10stdev") != null ? "log10stdev" : "var").assign(-2.5);
        }
        INDArray training = net.outputSingle(true, x);
        INDArray drifted = net.outputSingle(false, x);
        assertFalse(drifted.equalsWithEps(training, 0.05));
        int layers = BatchNormStatistics.recalibrate(net, x, 300);
        assertEquals(BatchNormStatistics.layers(net).size(), layers);
        assertTrue(layers >= 4);
        assertFalse(net.params().isNaN().any() || net.params().isInfinite().any());
        INDArray recalibrated = net.outputSingle(false, x);
        assertTrue(recalibrated.equalsWithEps(training, 1e-3), "recalibrated " + recalibrated.getRow(0) + " vs training mode " + training.getRow(0));
    }

    @Test
    void aNetworkWithoutBatchNormIsLeftAloneAndBadBatchesAreRefused() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("in")
                .addLayer("d", new DenseLayer.Builder().nIn(4).nOut(3).build(), "in")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2).activation(Activation.SOFTMAX).build(), "d")
                .setOutputs("out").build();
        ComputationGraph plain = new ComputationGraph(conf);
        plain.init();
        INDArray params = plain.params().dup();
        assertEquals(0, BatchNormStatistics.recalibrate(plain, Nd4j.rand(DataType.FLOAT, 10, 4), 5));
        assertEquals(params, plain.params());
        assertThrows(IllegalArgumentException.class, () -> BatchNormStatistics.measure(small(true), inputs(10, 5), 1));
    }
}
