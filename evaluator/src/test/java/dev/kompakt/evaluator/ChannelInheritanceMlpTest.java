package dev.kompakt.evaluator;

import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.strategies.plan.CompressionPlan;
import dev.kompakt.strategies.pruning.GraphChannelPruning;
import dev.kompakt.strategies.pruning.ImportanceCriterion;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Channel inheritance on the MLP (LeNet-300-100), as a student inherits it ({@link GraphChannelPruning} narrows the
 * baseline's channel groups by L1 norm, {@link NetworkFactory#forTraining} keeps the inherited weights): dense layers
 * only, channels are the columns of [in, out].
 */
class ChannelInheritanceMlpTest {
    private static final Architecture MLP = new Architecture(Architecture.Family.MLP, 1.0);

    private static ComputationGraph mlp(double width, long seed) {
        return NetworkFactory.build(MLP.withWidth(width), 28, 28, 10, seed, 1e-3, null);
    }

    /** The student of {@code wide} at {@code width}, as CandidateEvaluator builds it (l1 criterion, inherited weights). */
    private static ComputationGraph student(ComputationGraph wide, double width) {
        ComputationGraph narrow = GraphChannelPruning.prune(wide, GraphChannelPruning.select(wide, width, ImportanceCriterion.l1(), Map.of()));
        return NetworkFactory.forTraining(narrow, 1e-3, null, 99, true);
    }

    private static float[][] w(ComputationGraph net, String layer) {
        return net.getLayer(layer).getParam("W").toFloatMatrix();
    }

    private static float[] b(ComputationGraph net, String layer) {
        return net.getLayer(layer).getParam("b").dup('c').data().asFloat();
    }

    private static double[] columnL1(float[][] m) {
        double[] l1 = new double[m[0].length];
        for (float[] row : m) {
            for (int c = 0; c < row.length; c++) {
                l1[c] += Math.abs(row[c]);
            }
        }
        return l1;
    }

    /** The k columns with the largest L1 norm, ascending; computed here by a plain sort. */
    private static int[] topL1(float[][] m, int k) {
        double[] l1 = columnL1(m);
        return IntStream.range(0, l1.length).boxed()
                .sorted(Comparator.comparingDouble((Integer c) -> l1[c]).reversed())
                .limit(k).mapToInt(Integer::intValue).sorted().toArray();
    }

    @Test
    void halfWidthMlpInheritsTheStrongestColumnsLayerByLayer() {
        ComputationGraph wide = mlp(1.0, 11);
        float[][] w0 = w(wide, "fc1");
        float[][] w1 = w(wide, "fc2");
        float[][] w2 = w(wide, "out");
        float[] b0 = b(wide, "fc1");
        float[] b1 = b(wide, "fc2");
        float[] b2 = b(wide, "out");
        int[] kept1 = topL1(w0, 150);
        int[] kept2 = topL1(w1, 50);

        ComputationGraph narrow = student(wide, 0.5);
        assertArrayEquals(new long[] {784, 150}, narrow.getLayer("fc1").getParam("W").shape());
        assertArrayEquals(new long[] {150, 50}, narrow.getLayer("fc2").getParam("W").shape());
        assertArrayEquals(new long[] {50, 10}, narrow.getLayer("out").getParam("W").shape());
        assertEquals(mlp(0.5, 12).numParams(), narrow.numParams(), "the same size as the family at half width");

        // the kept fc1 columns are the top-L1 ones: every kept column outweighs every dropped one
        double[] l1 = columnL1(w0);
        boolean[] isKept = new boolean[300];
        for (int c : kept1) {
            isKept[c] = true;
        }
        double minKept = Double.MAX_VALUE;
        double maxDropped = 0;
        for (int c = 0; c < 300; c++) {
            if (isKept[c]) {
                minKept = Math.min(minKept, l1[c]);
            } else {
                maxDropped = Math.max(maxDropped, l1[c]);
            }
        }
        assertTrue(minKept > maxDropped, "kept columns are the strongest: " + minKept + " vs " + maxDropped);

        float[][] n0 = w(narrow, "fc1");
        float[] nb0 = b(narrow, "fc1");
        for (int k = 0; k < 150; k++) {
            for (int r = 0; r < 784; r++) {
                assertEquals(w0[r][kept1[k]], n0[r][k], 0f);
            }
            assertEquals(b0[kept1[k]], nb0[k], 0f);
        }
        // fc2 keeps the rows of the kept fc1 units and its own strongest columns (ranked on the full wide fc2)
        float[][] n1 = w(narrow, "fc2");
        float[] nb1 = b(narrow, "fc2");
        for (int a = 0; a < 150; a++) {
            for (int k = 0; k < 50; k++) {
                assertEquals(w1[kept1[a]][kept2[k]], n1[a][k], 0f);
            }
        }
        for (int k = 0; k < 50; k++) {
            assertEquals(b1[kept2[k]], nb1[k], 0f);
        }
        // the output layer keeps all 10 classes, from the rows of the kept fc2 units
        float[][] n2 = w(narrow, "out");
        for (int a = 0; a < 50; a++) {
            assertArrayEquals(w2[kept2[a]], n2[a], 0f);
        }
        assertArrayEquals(b2, b(narrow, "out"), 0f);
    }

    @Test
    void plantedStrongColumnsAreTheOnesKept() {
        ComputationGraph wide = mlp(1.0, 13);
        INDArray fc1 = wide.getLayer("fc1").getParam("W");
        // make every odd unit 10x stronger: those 150 columns are then the top-L1 half by a wide margin
        for (int c = 1; c < 300; c += 2) {
            fc1.getColumn(c).muli(10);
        }
        float[][] w0 = w(wide, "fc1");
        int[] odd = IntStream.range(0, 150).map(i -> 2 * i + 1).toArray();
        assertArrayEquals(odd, topL1(w0, 150), "the plant worked");

        ComputationGraph narrow = student(wide, 0.5);
        float[][] n0 = w(narrow, "fc1");
        for (int k = 0; k < 150; k++) {
            for (int r = 0; r < 784; r++) {
                assertEquals(w0[r][2 * k + 1], n0[r][k], 0f, "narrow fc1 column " + k + " is wide column " + (2 * k + 1));
            }
        }
        float[][] w1 = w(wide, "fc2");
        float[][] n1 = w(narrow, "fc2");
        int[] kept2 = topL1(w1, 50);
        for (int a = 0; a < 150; a++) {
            for (int k = 0; k < 50; k++) {
                assertEquals(w1[2 * a + 1][kept2[k]], n1[a][k], 0f, "fc2 takes the odd rows");
            }
        }
    }

    @Test
    void fullWidthMlpCopiesEverything() {
        ComputationGraph wide = mlp(1.0, 15);
        ComputationGraph copy = student(wide, 1.0);
        assertEquals(wide.params(), copy.params());
    }

    @Test
    void mismatchedNetworksAreRejected() {
        ComputationGraph mlp = mlp(1.0, 1);
        ComputationGraph cnn = NetworkFactory.build(new Architecture(Architecture.Family.CNN, 1.0), 28, 28, 10, 1, 1e-3, null);
        // channels chosen on one network cannot be cut out of another
        List<GraphChannelPruning.Selection> cnnChannels = GraphChannelPruning.select(cnn, 0.5, ImportanceCriterion.l1(), Map.of());
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class, () -> GraphChannelPruning.prune(mlp, cnnChannels));
        assertEquals("group [conv1] is not a channel group of this graph (its groups: [[fc1], [fc2]])", other.getMessage());
        // a wider student cannot be inherited from a narrower baseline
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class,
                () -> GraphChannelPruning.select(mlp, 1.5, ImportanceCriterion.l1(), Map.of()));
        assertEquals("all groups: keep ratio must be in (0, 1], got 1.5", wide.getMessage());
        EvaluationContext context = new EvaluationContext(mlp, TestData.bundled().train().stratified(100), TestData.bundled().test().stratified(100),
                0.1, 1, List.of());
        IllegalArgumentException student = assertThrows(IllegalArgumentException.class, () -> new CandidateEvaluator(context, new LatencyProbe(1, 1))
                .build(CompressionPlan.identity().with(new dev.kompakt.strategies.pruning.StudentStrategy.Plan(1.5, null, null)), new TrainingBudget(1, 1, 32, 1e-3, 1e-3, 100), 1));
        assertEquals("student width 1.5: a student narrows the baseline's own topology, so widths must be in (0, 1]", student.getMessage());
    }
}
