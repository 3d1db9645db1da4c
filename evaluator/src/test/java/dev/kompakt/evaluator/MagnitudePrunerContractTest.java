package dev.kompakt.evaluator;

import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pruning contract on real networks built by {@link NetworkFactory}. */
class MagnitudePrunerContractTest {

    private static ComputationGraph net(Architecture.Family family, long seed) {
        return NetworkFactory.build(new Architecture(family, 1.0), 28, 28, 10, seed, 1e-3, null);
    }

    static Stream<Arguments> cases() {
        List<Arguments> list = new ArrayList<>();
        for (Architecture.Family f : Architecture.Family.values()) {
            for (MagnitudePruner.Scope scope : MagnitudePruner.Scope.values()) {
                for (double s : new double[] {0.3, 0.5, 0.9}) {
                    list.add(Arguments.of(f, scope, s));
                }
            }
        }
        return list.stream();
    }

    @ParameterizedTest(name = "{0} {1} sparsity {2}")
    @MethodSource("cases")
    void reachesTheTargetSparsityByRemovingTheSmallestWeights(Architecture.Family family, MagnitudePruner.Scope scope, double sparsity) {
        ComputationGraph net = net(family, 42);
        List<float[]> before = new ArrayList<>();
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            float[] v = Weights.values(t.weights());
            assertEquals(0, Weights.zeros(v), "a fresh network has no exact zeros in " + t.layerName());
            before.add(v);
        }

        PruningMasks masks = new MagnitudePruner(scope).prune(net, sparsity);

        List<WeightTensors.Target> targets = WeightTensors.of(net);
        assertEquals(targets.size(), masks.masks().size(), "one mask per weight tensor");
        long total = 0;
        long zeros = 0;
        float maxPruned = 0;
        float minKept = Float.MAX_VALUE;
        for (int k = 0; k < targets.size(); k++) {
            WeightTensors.Target t = targets.get(k);
            float[] after = Weights.values(t.weights());
            float[] mask = Weights.values(masks.masks().get(t.id()));
            long n = after.length;
            long z = Weights.zeros(after);
            float layerMaxPruned = 0;
            float layerMinKept = Float.MAX_VALUE;
            for (int i = 0; i < after.length; i++) {
                float orig = Math.abs(before.get(k)[i]);
                if (after[i] == 0f) {
                    assertEquals(0f, mask[i], "mask is 0 where the weight was removed");
                    layerMaxPruned = Math.max(layerMaxPruned, orig);
                } else {
                    assertEquals(1f, mask[i], "mask is 1 where the weight was kept");
                    assertEquals(before.get(k)[i], after[i], "kept weights are unchanged");
                    layerMinKept = Math.min(layerMinKept, orig);
                }
            }
            if (scope == MagnitudePruner.Scope.PER_LAYER) {
                assertEquals(Math.round(sparsity * n), z, t.layerName() + ": exactly round(s*n) weights removed");
                assertEquals(sparsity, (double) z / n, 0.01, t.layerName() + " sparsity within 1% of the target");
                assertTrue(layerMaxPruned <= layerMinKept, t.layerName() + ": every removed |w| <= every kept |w|");
            }
            maxPruned = Math.max(maxPruned, layerMaxPruned);
            minKept = Math.min(minKept, layerMinKept);
            total += n;
            zeros += z;
        }
        if (scope == MagnitudePruner.Scope.GLOBAL) {
            assertEquals(Math.round(sparsity * total), zeros, "exactly round(s*n) weights removed over all tensors");
            assertTrue(maxPruned <= minKept, "one global threshold: every removed |w| <= every kept |w|");
        }
        assertEquals(sparsity, (double) zeros / total, 0.01, "global sparsity within 1% of the target");
        assertEquals((double) zeros / total, MagnitudePruner.sparsity(net), 1e-12);
    }

    @Test
    void masksKeepPrunedWeightsAtZeroWhileTraining() {
        DataSet data = Tensors.toDataSet(TestData.bundled().train().stratified(300));
        ComputationGraph net = net(Architecture.Family.CNN, 5);
        PruningMasks masks = new MagnitudePruner(MagnitudePruner.Scope.GLOBAL).prune(net, 0.5);
        ComputationGraph unmasked = net.clone();
        INDArray prunedParams = net.params().dup();

        Training.fit(net, data, 1, 32, masks, 5);

        long changed = 0;
        long kept = 0;
        for (WeightTensors.Target t : WeightTensors.of(net)) {
            float[] w = Weights.values(t.weights());
            float[] m = Weights.values(masks.masks().get(t.id()));
            for (int i = 0; i < w.length; i++) {
                if (m[i] == 0f) {
                    assertEquals(0f, w[i], 0f, t.layerName() + "[" + i + "] was pruned and must stay 0"); // -0.0 allowed
                } else {
                    kept++;
                }
            }
        }
        assertEquals(0.5, MagnitudePruner.sparsity(net), 0.01);
        float[] p0 = prunedParams.data().asFloat();
        float[] p1 = net.params().dup().data().asFloat();
        for (int i = 0; i < p0.length; i++) {
            if (p0[i] != p1[i]) {
                changed++;
            }
        }
        assertTrue(changed > kept / 2, "training moved the kept weights (" + changed + " of " + kept + " changed)");

        // the same training without masks refills most pruned weights (those with a non-zero gradient; dead
        // units keep some at 0): the masks are what keeps them at zero
        Training.fit(unmasked, data, 1, 32, PruningMasks.none(), 5);
        assertTrue(MagnitudePruner.sparsity(unmasked) < 0.2, "unmasked sparsity " + MagnitudePruner.sparsity(unmasked));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GLOBAL", "PER_LAYER"})
    void pruningTwiceFromTheSameSeedGivesIdenticalWeights(String scopeName) {
        MagnitudePruner.Scope scope = MagnitudePruner.Scope.valueOf(scopeName);
        for (Architecture.Family family : Architecture.Family.values()) {
            ComputationGraph a = net(family, 9);
            ComputationGraph b = net(family, 9);
            assertEquals(a.params(), b.params(), "same seed, same initial weights");
            PruningMasks ma = new MagnitudePruner(scope).prune(a, 0.7);
            PruningMasks mb = new MagnitudePruner(scope).prune(b, 0.7);
            assertEquals(a.params(), b.params(), family + " " + scope);
            assertEquals(ma.masks().keySet(), mb.masks().keySet());
            for (String layer : ma.masks().keySet()) {
                assertArrayEquals(Weights.values(ma.masks().get(layer)), Weights.values(mb.masks().get(layer)));
            }
        }
    }

    @Test
    void sparsityZeroReturnsNoMasksAndLeavesTheNetworkAlone() {
        for (MagnitudePruner.Scope scope : MagnitudePruner.Scope.values()) {
            ComputationGraph net = net(Architecture.Family.CNN, 3);
            INDArray before = net.params().dup();
            PruningMasks masks = new MagnitudePruner(scope).prune(net, 0.0);
            assertTrue(masks.isEmpty());
            assertEquals(0, masks.masks().size());
            assertEquals(before, net.params());
            assertEquals(0.0, MagnitudePruner.sparsity(net));
        }
    }

    @Test
    void invalidSparsityThrowsNamingTheValue() {
        ComputationGraph net = net(Architecture.Family.CNN, 3);
        INDArray before = net.params().dup();
        for (MagnitudePruner.Scope scope : MagnitudePruner.Scope.values()) {
            for (double s : new double[] {1.0, -0.1, Double.NaN, 1.5}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MagnitudePruner(scope).prune(net, s));
                assertEquals("pruning sparsity must be in [0, 1), got " + s, e.getMessage());
            }
        }
        assertEquals(before, net.params(), "a rejected call changes nothing");
    }
}
