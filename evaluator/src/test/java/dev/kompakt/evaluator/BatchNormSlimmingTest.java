package dev.kompakt.evaluator;

import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.strategies.pruning.GraphChannelPruning;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Comparator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Network slimming on the factory's CNN with batch normalisation: a trained wide network shrunk by |gamma|. */
class BatchNormSlimmingTest {
    private static final Architecture CNN = new Architecture(Architecture.Family.CNN, 1.0);

    private static int[] topAbs(float[] v, int k) {
        return IntStream.range(0, v.length).boxed().sorted(Comparator.comparingDouble((Integer c) -> -Math.abs(v[c])))
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    @Test
    void trainedCnnWithBatchNormShrinksByGammaAndStillRuns() {
        DataSet train = Tensors.toDataSet(TestData.bundled().train().stratified(300));
        DataSet test = Tensors.toDataSet(TestData.bundled().test().stratified(200));
        ComputationGraph wide = NetworkFactory.buildWithBatchNorm(CNN, 28, 28, 10, 4, 3e-3);
        Training.fit(wide, train, 2, 32, PruningMasks.none(), 4);
        // the student path: every channel group of the wide network narrowed to half by |gamma| of its batch norm
        ComputationGraph narrow = GraphChannelPruning.prune(wide, 0.5, ImportanceCriterion.named("bn_scale", 0));

        float[] gamma1 = wide.getLayer("bn_conv1").getParam("gamma").dup('c').data().asFloat();
        int[] kept = topAbs(gamma1, 4);
        assertEquals(4, narrow.getLayer("conv1").getParam("W").size(0), "conv1 keeps half its 8 filters");
        for (int k = 0; k < kept.length; k++) {
            assertArrayEquals(wide.getLayer("conv1").getParam("W").slice(kept[k]).dup('c').data().asFloat(),
                    narrow.getLayer("conv1").getParam("W").slice(k).dup('c').data().asFloat(), "conv1 filter " + kept[k]);
            assertEquals(gamma1[kept[k]], narrow.getLayer("bn_conv1").getParam("gamma").getFloat(k));
            assertEquals(wide.getLayer("bn_conv1").getParam("mean").getFloat(kept[k]), narrow.getLayer("bn_conv1").getParam("mean").getFloat(k));
        }
        assertEquals(8, narrow.getLayer("bn_conv2").getParam("gamma").length(), "bn_conv2 has the narrow channel count");
        assertEquals(32, narrow.getLayer("bn_fc1").getParam("gamma").length(), "bn_fc1 has the narrow unit count");
        double wideAccuracy = Training.accuracy(wide, test);
        double narrowAccuracy = Training.accuracy(narrow, test);
        System.out.printf("CNN with batch norm: wide %.3f, half width by |gamma| without fine-tuning %.3f%n", wideAccuracy, narrowAccuracy);
        assertTrue(narrowAccuracy > 0.15, "the narrow network runs and keeps something of the wide one: " + narrowAccuracy);
    }

    @Test
    void bnScaleOnTheSearchFamiliesNamesTheFirstLayer() {
        ComputationGraph wide = NetworkFactory.build(CNN, 28, 28, 10, 1, 1e-3, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GraphChannelPruning.prune(wide, 0.5, ImportanceCriterion.bnScale()));
        assertTrue(e.getMessage().startsWith("vertex 'conv1' is not followed by a batch normalisation"), e.getMessage());
    }
}
