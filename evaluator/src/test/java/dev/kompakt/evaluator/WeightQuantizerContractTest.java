package dev.kompakt.evaluator;

import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.quantization.Calibration;
import dev.kompakt.strategies.quantization.QuantizationScheme;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The quantization contract on real networks: per output channel, at most 2^b - 1 levels, zeros kept, max |w| kept. */
class WeightQuantizerContractTest {

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Architecture.Family f : Architecture.Family.values()) {
            for (int b : new int[] {8, 6, 4, 2}) {
                list.add(Arguments.of(f, b));
            }
        }
        return list.stream();
    }

    /** A seed-built network with half its weights pruned, so there are zeros to keep. */
    private static ComputationGraph prunedNet(Architecture.Family family) {
        ComputationGraph net = NetworkFactory.build(new Architecture(family, 1.0), 28, 28, 10, 21, 1e-3, null);
        new MagnitudePruner(MagnitudePruner.Scope.GLOBAL).prune(net, 0.5);
        return net;
    }

    @ParameterizedTest(name = "{0} {1} bits")
    @MethodSource("cases")
    void perChannelLevelsZerosAndRangeAreKept(Architecture.Family family, int bits) {
        ComputationGraph net = prunedNet(family);
        List<WeightTensors.Target> targets = WeightTensors.of(net);
        List<float[][]> before = new ArrayList<>();
        for (WeightTensors.Target t : targets) {
            assertEquals(t.convolution() ? 4 : 2, t.weights().rank());
            assertEquals(t.convolution() ? 0 : 1, t.channelAxis(), "conv channels on axis 0 of [out,in,kh,kw], dense on axis 1 of [in,out]");
            before.add(Weights.channels(t.weights(), t.convolution()));
        }

        List<WeightQuantizer.QuantizedTensor> result = new WeightQuantizer(bits).quantize(net);

        assertEquals(targets.size(), result.size(), "one entry per weight tensor");
        int qmax = (1 << (bits - 1)) - 1;
        int maxLevels = (1 << bits) - 1;
        for (int k = 0; k < targets.size(); k++) {
            WeightTensors.Target t = targets.get(k);
            WeightQuantizer.QuantizedTensor q = result.get(k);
            assertEquals(t.layer(), q.layer());
            assertEquals(t.param(), q.param());
            assertEquals(bits, q.bits());
            float[][] after = Weights.channels(t.weights(), t.convolution());
            assertEquals(t.outputChannels(), after.length);
            assertEquals(after.length, q.scales().length, "one scale per output channel");
            for (int c = 0; c < after.length; c++) {
                String where = t.layerName() + " channel " + c;
                Set<Float> levels = new HashSet<>();
                float maxBefore = 0;
                float maxAfter = 0;
                for (int i = 0; i < after[c].length; i++) {
                    float w0 = before.get(k)[c][i];
                    float w1 = after[c][i];
                    levels.add(w1 == 0f ? 0f : w1); // -0.0 and 0.0 are one level
                    if (w0 == 0f) {
                        assertEquals(0f, w1, 0f, where + ": a zero stays zero");
                    }
                    // on the grid: an integer multiple of the channel's scale, within [-qmax, qmax]
                    double m = w1 / q.scales()[c];
                    assertEquals(Math.rint(m), m, 1e-3, where + ": " + w1 + " is not a multiple of " + q.scales()[c]);
                    assertTrue(Math.abs(Math.rint(m)) <= qmax, where + ": level " + m);
                    // rounding error is at most half a step
                    assertTrue(Math.abs(w1 - w0) <= q.scales()[c] * 0.5f * (1 + 1e-6f) + 2 * Math.ulp(Math.abs(w0)),
                            where + ": error " + Math.abs(w1 - w0));
                    maxBefore = Math.max(maxBefore, Math.abs(w0));
                    maxAfter = Math.max(maxAfter, Math.abs(w1));
                }
                assertTrue(levels.size() <= maxLevels, where + " has " + levels.size() + " levels, at most " + maxLevels + " allowed");
                // scale = max/qmax and the extreme weight maps to qmax*scale: max/qmax*qmax in float, within two ulps
                assertEquals(maxBefore, maxAfter, 2 * Math.ulp(maxBefore), where + ": max |w| is preserved");
                assertEquals(maxBefore / qmax, q.scales()[c], 0f, where + ": scale = max|w| / qmax");
            }
        }
        if (bits == 2) {
            // qmax = 1: every channel is {-s, 0, +s}; with half the weights pruned, 0 is one of the levels
            float[][] first = Weights.channels(targets.get(0).weights(), targets.get(0).convolution());
            Set<Float> levels = new HashSet<>();
            for (float v : first[0]) {
                levels.add(v == 0f ? 0f : v);
            }
            assertTrue(levels.contains(0f));
        }
    }

    @ParameterizedTest(name = "{0} {1} bits")
    @MethodSource("cases")
    void quantizationIsDeterministic(Architecture.Family family, int bits) {
        ComputationGraph a = prunedNet(family);
        ComputationGraph b = prunedNet(family);
        List<WeightQuantizer.QuantizedTensor> qa = new WeightQuantizer(bits).quantize(a);
        List<WeightQuantizer.QuantizedTensor> qb = new WeightQuantizer(bits).quantize(b);
        assertEquals(a.params(), b.params());
        assertEquals(qa.size(), qb.size());
        for (int k = 0; k < qa.size(); k++) {
            assertArrayEquals(qa.get(k).scales(), qb.get(k).scales());
        }
        // quantizing again is a fixed point: the weights are already on the grid
        var twice = a.params().dup();
        new WeightQuantizer(bits).quantize(a);
        float[] p1 = twice.data().asFloat();
        float[] p2 = a.params().dup().data().asFloat();
        for (int i = 0; i < p1.length; i++) {
            assertEquals(p1[i], p2[i], Math.ulp(p1[i]) * 4, "re-quantization moved parameter " + i);
        }
    }

    static Stream<Arguments> schemes() {
        List<Arguments> list = new ArrayList<>();
        for (Architecture.Family f : Architecture.Family.values()) {
            for (String calibration : new String[] {"minmax", "percentile", "mse", "kl"}) {
                for (QuantizationScheme.Granularity g : QuantizationScheme.Granularity.values()) {
                    for (boolean symmetric : new boolean[] {true, false}) {
                        list.add(Arguments.of(f, new QuantizationScheme(4, g, symmetric, Calibration.named(calibration))));
                    }
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("schemes")
    void everySchemeKeepsItsLevelCountAndZerosAndIsDeterministic(Architecture.Family family, QuantizationScheme scheme) {
        ComputationGraph net = prunedNet(family);
        ComputationGraph again = prunedNet(family);
        long zeros = Weights.zeros(Weights.values(net.params()));
        new WeightQuantizer(scheme).quantize(net);
        new WeightQuantizer(scheme).quantize(again);
        assertEquals(net.params(), again.params(), "same network, same scheme, same weights");
        assertTrue(Weights.zeros(Weights.values(net.params())) >= zeros, "zeros stay zero");
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            float[][] channels = Weights.channels(t.weights(), t.convolution());
            Set<Float> tensor = new HashSet<>();
            for (int c = 0; c < channels.length; c++) {
                Set<Float> levels = new HashSet<>();
                for (float v : channels[c]) {
                    levels.add(v == 0f ? 0f : v);
                }
                tensor.addAll(levels);
                assertTrue(levels.size() <= scheme.maxLevels(), t.layerName() + " channel " + c + ": " + levels.size() + " values");
            }
            if (!scheme.perChannel()) {
                assertTrue(tensor.size() <= scheme.maxLevels(), t.layerName() + ": " + tensor.size() + " values in the tensor");
            }
        }
    }
}
