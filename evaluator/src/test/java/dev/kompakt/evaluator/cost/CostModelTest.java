package dev.kompakt.evaluator.cost;

import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CostModel}'s totals over {@link GraphCostModel}'s per-layer costs of the built-in families. Exact costs of the
 * baseline CNN on 28x28 inputs: conv 5x5 (8) -> 24x24x8, pool 2 -> 12x12x8, conv 5x5 (16)
 * -> 8x8x16, pool 2 -> 4x4x16 = 256, dense 64, softmax 10.
 */
class CostModelTest {
    private static final Architecture CNN = new Architecture(Architecture.Family.CNN, 1.0);

    private static ComputationGraph cnn() {
        return NetworkFactory.build(CNN, 28, 28, 10, 1, 1e-3, null);
    }

    private static List<LayerCost> costs(ComputationGraph net, Map<String, Integer> bits) {
        return GraphCostModel.of(net, NetworkFactory.inputType(CNN, 28, 28), bits);
    }

    private static void assertLayer(LayerCost c, String name, String kind, long macs, long weights, long biases, long in, long out) {
        assertEquals(name, c.name());
        assertEquals(kind, c.kind(), name);
        assertEquals(macs, c.macs(), name + " MACs");
        assertEquals(weights, c.weights(), name + " weights");
        assertEquals(biases, c.biases(), name + " biases");
        assertEquals(in, c.inputElements(), name + " inputs");
        assertEquals(out, c.outputElements(), name + " outputs");
    }

    @Test
    void baselineCnnLayerByLayer() {
        List<LayerCost> c = costs(cnn(), Map.of());
        assertEquals(6, c.size());
        // conv1: 24*24 positions x 8 channels x 25 taps = 115200; W 8*1*5*5 = 200
        assertLayer(c.get(0), "conv1", "conv", 24 * 24 * 8 * 25, 200, 8, 784, 24 * 24 * 8);
        // pool1: no MACs; 12*12*8 outputs x 4 comparisons
        assertLayer(c.get(1), "pool1", "pool", 0, 0, 0, 4608, 1152);
        assertEquals(1152 * 4, c.get(1).otherOps());
        // conv2: 8*8 positions x 16 channels x (8 inputs x 25 taps) = 204800; W 16*8*25 = 3200
        assertLayer(c.get(2), "conv2", "conv", 8 * 8 * 16 * 8 * 25, 3200, 16, 1152, 1024);
        assertLayer(c.get(3), "pool2", "pool", 0, 0, 0, 1024, 256);
        assertEquals(256 * 4, c.get(3).otherOps());
        // fc1: 256 x 64 = 16384
        assertLayer(c.get(4), "fc1", "dense", 256 * 64, 16384, 64, 256, 64);
        // out: 64 x 10 = 640
        assertLayer(c.get(5), "out", "dense", 640, 640, 10, 64, 10);

        assertEquals(115200 + 204800 + 16384 + 640, CostModel.totalMacs(c));
        // parameters: 208 + 3216 + 16448 + 650
        assertEquals(20522, CostModel.totalParameters(c));
        assertEquals(20522, CostModel.nonzeroParameters(c), "a fresh network has no zero weights");
    }

    @Test
    void floatStorageIsFourBytesPerParameter() {
        List<LayerCost> c = costs(cnn(), Map.of());
        for (LayerCost l : c) {
            assertEquals(32, l.weightBits());
            assertEquals(4 * (l.weights() + l.biases()), l.storageBytes(), l.name());
        }
        assertEquals(4 * 20522, CostModel.totalStorageBytes(c));
    }

    @Test
    void eightBitPerChannelStorageIsWeightsPlusFloatBiasesPlusFloatScales() {
        Map<String, Integer> bits = Map.of("conv1", 8, "conv2", 8, "fc1", 8, "out", 8);
        List<LayerCost> c = costs(cnn(), bits);
        // conv1 200 + 4*8 + 4*8; conv2 3200 + 4*16 + 4*16; fc1 16384 + 4*64 + 4*64; out 640 + 4*10 + 4*10
        assertEquals(264, c.get(0).storageBytes());
        assertEquals(3328, c.get(2).storageBytes());
        assertEquals(16896, c.get(4).storageBytes());
        assertEquals(720, c.get(5).storageBytes());
        assertEquals(0, c.get(1).storageBytes());
        assertEquals(20424 + 4 * 98 + 4 * 98, CostModel.totalStorageBytes(c));
        assertEquals(21208, CostModel.totalStorageBytes(c));

        // the same after real 8-bit quantization: only |w| < max/254 rounds to zero, far fewer than the 1/8
        // zeros at which the bitmask format would beat dense
        ComputationGraph net = cnn();
        new WeightQuantizer(8).quantize(net);
        List<LayerCost> q = costs(net, bits);
        for (LayerCost l : q) {
            if (l.weights() == 0) {
                continue; // pooling
            }
            assertTrue(l.nonzeroWeights() * 8 > l.weights() * 7, l.name() + " keeps > 7/8 non-zeros");
        }
        assertEquals(21208, CostModel.totalStorageBytes(q));
    }

    @Test
    void prunedLayerIsStoredSparse() {
        ComputationGraph net = cnn();
        new MagnitudePruner(MagnitudePruner.Scope.PER_LAYER).prune(net, 0.9);
        LayerCost fc1 = costs(net, Map.of()).get(4);
        // 16384 - round(0.9 * 16384) = 16384 - 14746 = 1638 non-zeros in [64 outputs x 256 inputs]
        assertEquals(1638, fc1.nonzeroWeights());
        // CSR: 1638*4 + 1638*1 (256 columns: 1-byte indices) + 65*4 = 6552 + 1638 + 260 = 8450
        // (bitmask 2048 + 6552 = 8600, dense 65536); plus 64 float biases
        assertEquals(8450 + 256, fc1.storageBytes());
        assertEquals(16384, fc1.macs(), "MACs count the dense work: sparsity is not exploited");
    }

    @Test
    void activationsAreFloatUnlessQuantizedToo() {
        Map<String, Integer> bits = Map.of("conv1", 8, "conv2", 8, "fc1", 8, "out", 8);
        List<LayerCost> weightOnly = costs(cnn(), bits);
        for (LayerCost l : weightOnly) {
            assertEquals(32, l.activationBits(), l.name());
            assertTrue(!l.int8Compute(), l.name() + ": weight-only quantization keeps float arithmetic");
        }
        Map<String, Integer> acts = Map.of("conv1", 8, "pool1", 8, "conv2", 8, "pool2", 8, "fc1", 8, "out", 8);
        List<LayerCost> full = GraphCostModel.of(cnn(), NetworkFactory.inputType(CNN, 28, 28), bits, acts);
        for (LayerCost l : full) {
            assertEquals(8, l.activationBits(), l.name());
            assertTrue(l.int8Compute(), l.name());
        }
        // storage does not depend on the activations
        assertEquals(CostModel.totalStorageBytes(weightOnly), CostModel.totalStorageBytes(full));
        assertEquals(4 * (784 + 24 * 24 * 8), weightOnly.get(0).activationBytes());
        assertEquals(784 + 24 * 24 * 8, full.get(0).activationBytes());
    }

    @Test
    void mlpCosts() {
        Architecture mlp = new Architecture(Architecture.Family.MLP, 1.0);
        ComputationGraph net = NetworkFactory.build(mlp, 28, 28, 10, 1, 1e-3, null);
        List<LayerCost> c = GraphCostModel.of(net, NetworkFactory.inputType(mlp, 28, 28), Map.of());
        assertEquals(3, c.size());
        assertLayer(c.get(0), "fc1", "dense", 784 * 300, 784 * 300, 300, 784, 300);
        assertLayer(c.get(1), "fc2", "dense", 300 * 100, 300 * 100, 100, 300, 100);
        assertLayer(c.get(2), "out", "dense", 100 * 10, 100 * 10, 10, 100, 10);
        assertEquals(235200 + 30000 + 1000, CostModel.totalMacs(c));
        assertEquals(266610, CostModel.totalParameters(c));
        assertEquals(4 * 266610, CostModel.totalStorageBytes(c));
    }
}
