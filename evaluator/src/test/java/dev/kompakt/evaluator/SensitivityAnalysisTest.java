package dev.kompakt.evaluator;

import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.pruning.MagnitudePruner;
import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.pruning.SensitivityAnalysis;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sensitivity analysis on a real MLP (784-300-100-10) trained briefly on the bundled Fashion-MNIST subset. */
class SensitivityAnalysisTest {

    @Test
    void allocationHitsTheTargetAndLosesLessThanUniformPruning() {
        DataSet train = Tensors.toDataSet(TestData.bundled().train().stratified(2000));
        DataSet validation = Tensors.toDataSet(TestData.bundled().test().stratified(500));
        ComputationGraph net = NetworkFactory.build(new Architecture(Architecture.Family.MLP, 1.0), 28, 28, 10, 5, 2e-3, null);
        Training.fit(net, train, 2, 64, PruningMasks.none(), 5);

        List<SensitivityAnalysis.Curve> curves = SensitivityAnalysis.measure(net, new double[]{0.5, 0.8, 0.9, 0.95, 0.98},
                n -> Training.accuracy(n, validation));
        assertEquals(3, curves.size(), "one curve per weight tensor");
        for (SensitivityAnalysis.Curve c : curves) {
            assertEquals(Training.accuracy(net, validation), c.scores()[0], 1e-12, "measuring leaves the network unchanged");
        }

        double target = 0.9;
        Map<String, Double> allocation = SensitivityAnalysis.allocate(curves, target, 0.01);
        ComputationGraph allocated = net.clone();
        MagnitudePruner.pruneLayers(allocated, allocation);
        assertEquals(target, MagnitudePruner.sparsity(allocated), 0.01, "the global sparsity is the target");
        // the big first layer (235,200 of 266,200 weights) takes most of the pruning
        long firstLayerWeights = WeightTensors.of(net).get(0).weights().length();
        assertTrue(allocation.get(WeightTensors.of(net).get(0).id()) > target, "allocation " + allocation
                + ", first layer has " + firstLayerWeights + " weights");

        ComputationGraph uniform = net.clone();
        new MagnitudePruner(MagnitudePruner.Scope.PER_LAYER).prune(uniform, target);
        double allocatedAccuracy = Training.accuracy(allocated, validation);
        double uniformAccuracy = Training.accuracy(uniform, validation);
        assertTrue(allocatedAccuracy >= uniformAccuracy, "sensitivity allocation " + allocatedAccuracy + " vs uniform " + uniformAccuracy);
    }

    @Test
    void interpolatesCurvesAndValidatesInput() {
        SensitivityAnalysis.Curve c = new SensitivityAnalysis.Curve("fc", 100, new double[]{0, 0.5, 0.9}, new double[]{0.9, 0.8, 0.4});
        assertEquals(0.85, c.scoreAt(0.25), 1e-12);
        assertEquals(0.6, c.scoreAt(0.7), 1e-12);
        assertEquals(0.4, c.scoreAt(0.95), 1e-12);
        SensitivityAnalysis.Curve robust = new SensitivityAnalysis.Curve("big", 900, new double[]{0, 0.5, 0.9}, new double[]{0.9, 0.9, 0.89});
        Map<String, Double> a = SensitivityAnalysis.allocate(List.of(c, robust), 0.5, 0.05);
        assertEquals(0.5 * 1000, a.get("fc") * 100 + a.get("big") * 900, 1e-6, "weighted mean sparsity is the target");
        assertTrue(a.get("big") > a.get("fc"), "the robust layer gives more: " + a);
        assertThrows(IllegalArgumentException.class, () -> SensitivityAnalysis.allocate(List.of(c, robust), 0.95, 0.05));
        assertThrows(IllegalArgumentException.class, () -> new SensitivityAnalysis.Curve("x", 1, new double[]{0.1, 0.5}, new double[]{1, 1}));
    }
}
