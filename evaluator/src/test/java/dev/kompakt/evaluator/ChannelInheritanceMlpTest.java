package dev.kompakt.evaluator;

import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.strategies.ChannelInheritance;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Comparator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Channel inheritance on the MLP (LeNet-300-100): dense layers only, channels are the columns of [in, out]. */
class ChannelInheritanceMlpTest {
    private static final Architecture MLP = new Architecture(Architecture.Family.MLP, 1.0);

    private static MultiLayerNetwork mlp(double width, long seed) {
        return NetworkFactory.build(MLP.withWidth(width), 28, 28, 10, seed, 1e-3, null);
    }

    private static float[][] w(MultiLayerNetwork net, int layer) {
        return net.getLayer(layer).getParam("W").toFloatMatrix();
    }

    private static float[] b(MultiLayerNetwork net, int layer) {
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
        MultiLayerNetwork wide = mlp(1.0, 11);
        MultiLayerNetwork narrow = mlp(0.5, 12);
        assertArrayEquals(new long[] {784, 150}, narrow.getLayer(0).getParam("W").shape());
        assertArrayEquals(new long[] {150, 50}, narrow.getLayer(1).getParam("W").shape());
        assertArrayEquals(new long[] {50, 10}, narrow.getLayer(2).getParam("W").shape());

        float[][] w0 = w(wide, 0);
        float[][] w1 = w(wide, 1);
        float[][] w2 = w(wide, 2);
        float[] b0 = b(wide, 0);
        float[] b1 = b(wide, 1);
        float[] b2 = b(wide, 2);
        int[] kept1 = topL1(w0, 150);
        int[] kept2 = topL1(w1, 50);

        ChannelInheritance.copyStrongestChannels(wide, narrow);

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

        float[][] n0 = w(narrow, 0);
        float[] nb0 = b(narrow, 0);
        for (int k = 0; k < 150; k++) {
            for (int r = 0; r < 784; r++) {
                assertEquals(w0[r][kept1[k]], n0[r][k], 0f);
            }
            assertEquals(b0[kept1[k]], nb0[k], 0f);
        }
        // fc2 keeps the rows of the kept fc1 units and its own strongest columns (ranked on the full wide fc2)
        float[][] n1 = w(narrow, 1);
        float[] nb1 = b(narrow, 1);
        for (int a = 0; a < 150; a++) {
            for (int k = 0; k < 50; k++) {
                assertEquals(w1[kept1[a]][kept2[k]], n1[a][k], 0f);
            }
        }
        for (int k = 0; k < 50; k++) {
            assertEquals(b1[kept2[k]], nb1[k], 0f);
        }
        // the output layer keeps all 10 classes, from the rows of the kept fc2 units
        float[][] n2 = w(narrow, 2);
        for (int a = 0; a < 50; a++) {
            assertArrayEquals(w2[kept2[a]], n2[a], 0f);
        }
        assertArrayEquals(b2, b(narrow, 2), 0f);
    }

    @Test
    void plantedStrongColumnsAreTheOnesKept() {
        MultiLayerNetwork wide = mlp(1.0, 13);
        INDArray fc1 = wide.getLayer(0).getParam("W");
        // make every odd unit 10x stronger: those 150 columns are then the top-L1 half by a wide margin
        for (int c = 1; c < 300; c += 2) {
            fc1.getColumn(c).muli(10);
        }
        float[][] w0 = w(wide, 0);
        int[] odd = IntStream.range(0, 150).map(i -> 2 * i + 1).toArray();
        assertArrayEquals(odd, topL1(w0, 150), "the plant worked");

        MultiLayerNetwork narrow = mlp(0.5, 14);
        ChannelInheritance.copyStrongestChannels(wide, narrow);
        float[][] n0 = w(narrow, 0);
        for (int k = 0; k < 150; k++) {
            for (int r = 0; r < 784; r++) {
                assertEquals(w0[r][2 * k + 1], n0[r][k], 0f, "narrow fc1 column " + k + " is wide column " + (2 * k + 1));
            }
        }
        float[][] w1 = w(wide, 1);
        float[][] n1 = w(narrow, 1);
        int[] kept2 = topL1(w1, 50);
        for (int a = 0; a < 150; a++) {
            for (int k = 0; k < 50; k++) {
                assertEquals(w1[2 * a + 1][kept2[k]], n1[a][k], 0f, "fc2 takes the odd rows");
            }
        }
    }

    @Test
    void fullWidthMlpCopiesEverything() {
        MultiLayerNetwork wide = mlp(1.0, 15);
        MultiLayerNetwork copy = mlp(1.0, 16);
        ChannelInheritance.copyStrongestChannels(wide, copy);
        assertEquals(wide.params(), copy.params());
    }

    @Test
    void mismatchedNetworksAreRejected() {
        MultiLayerNetwork mlp = mlp(1.0, 1);
        MultiLayerNetwork cnn = NetworkFactory.build(new Architecture(Architecture.Family.CNN, 1.0), 28, 28, 10, 1, 1e-3, null);
        IllegalArgumentException depth = assertThrows(IllegalArgumentException.class, () -> ChannelInheritance.copyStrongestChannels(cnn, mlp));
        assertEquals("networks differ in depth: 6 vs 3", depth.getMessage());
        // a wider "narrow" network cannot be filled from a narrower one
        MultiLayerNetwork wider = mlp(1.5, 2);
        IllegalArgumentException wide = assertThrows(IllegalArgumentException.class, () -> ChannelInheritance.copyStrongestChannels(mlp, wider));
        assertEquals("layer 0: narrow network has 450 outputs, more than the wide network's 300; "
                + "channels can only be inherited by a network that is not wider", wide.getMessage());
    }
}
