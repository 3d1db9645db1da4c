package dev.kompakt.strategies.distillation;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RKD is checked in double precision: its value against a brute-force reference written here independently (explicit
 * pair and triplet loops, cosines from norms), its gradient against central finite differences of the summed score.
 */
class RelationalDistillationLossTest {
    private static final int N = 6;
    private static final int C = 4;
    private static final int D = 3;  // the teacher's embedding is narrower than the student's on purpose

    private static double[][] random(long seed, int rows, int cols, double scale) {
        Random r = new Random(seed);
        double[][] z = new double[rows][cols];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c++) {
                z[i][c] = scale * r.nextGaussian();
            }
        }
        return z;
    }

    private static double[][] oneHot() {
        double[][] y = new double[N][C];
        for (int i = 0; i < N; i++) {
            y[i][(5 * i + 2) % C] = 1.0;
        }
        return y;
    }

    private static INDArray nd(double[][] a) {
        return Nd4j.createFromArray(a).castTo(DataType.DOUBLE);
    }

    private static double smoothL1(double x) {
        return Math.abs(x) < 1 ? 0.5 * x * x : Math.abs(x) - 0.5;
    }

    private static double dist(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += (a[k] - b[k]) * (a[k] - b[k]);
        }
        return Math.sqrt(s);
    }

    /** Park et al.'s distance-wise loss, straight from the definition (mean over all N^2 ordered pairs). */
    private static double referenceDistance(double[][] s, double[][] t) {
        int n = s.length;
        double muS = 0;
        double muT = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    muS += dist(s[i], s[j]) / (n * (n - 1));
                    muT += dist(t[i], t[j]) / (n * (n - 1));
                }
            }
        }
        double loss = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                loss += smoothL1(dist(s[i], s[j]) / muS - dist(t[i], t[j]) / muT) / (n * n);
            }
        }
        return loss;
    }

    /** cos of the angle at vertex a between b and c; 0 when a coincides with b or c. */
    private static double cos(double[][] x, int a, int b, int c) {
        double nb = dist(x[b], x[a]);
        double nc = dist(x[c], x[a]);
        if (nb == 0 || nc == 0) {
            return 0;
        }
        double dot = 0;
        for (int k = 0; k < x[a].length; k++) {
            dot += (x[b][k] - x[a][k]) * (x[c][k] - x[a][k]);
        }
        return dot / (nb * nc);
    }

    private static double referenceAngle(double[][] s, double[][] t) {
        int n = s.length;
        double loss = 0;
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                for (int c = 0; c < n; c++) {
                    loss += smoothL1(cos(s, a, b, c) - cos(t, a, b, c)) / ((double) n * n * n);
                }
            }
        }
        return loss;
    }

    @Test
    void lossValuesMatchTheDefinitionInBothHuberRegimes() {
        for (double scale : new double[] {0.3, 1.0, 5.0}) {
            double[][] s = random(1, N, C, scale);
            double[][] t = random(2, N, D, 1.0);
            assertEquals(referenceDistance(s, t), RelationalDistillationLoss.distanceLoss(s, t, null), 1e-12, "distance, scale " + scale);
            assertEquals(referenceAngle(s, t), RelationalDistillationLoss.angleLoss(s, t, null), 1e-12, "angle, scale " + scale);
        }
        // a student whose distances are far off the teacher's reaches the linear (|x| - 1/2) part of the Huber loss
        double[][] t = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
        double[][] s = {{0, 0}, {100, 0}, {0, 0.01}, {0.01, 0.01}};
        assertEquals(referenceDistance(s, t), RelationalDistillationLoss.distanceLoss(s, t, null), 1e-12);
        assertTrue(RelationalDistillationLoss.distanceLoss(s, t, null) > 0.1);
    }

    @Test
    void exactValueOnASmallConfiguration() {
        // teacher: an equilateral-free right triangle; student: the same points with one moved onto the line
        double[][] t = {{0, 0}, {1, 0}, {0, 1}};
        double[][] s = {{0, 0}, {1, 0}, {2, 0}};
        // teacher distances 1, 1, sqrt 2 (mean (2 + sqrt 2)/3); student 1, 2, 1 (mean 4/3)
        double muT = (2 + Math.sqrt(2)) / 3;
        double muS = 4.0 / 3;
        double expected = 2 * (smoothL1(1 / muS - 1 / muT) + smoothL1(2 / muS - 1 / muT) + smoothL1(1 / muS - Math.sqrt(2) / muT)) / 9;
        assertEquals(expected, RelationalDistillationLoss.distanceLoss(s, t, null), 1e-14);
        // angles: teacher has a right angle at 0 (cos 0) and 45 degrees at 1 and 2; the student is collinear
        // vertex 0: (b,c) = (1,2) cos_s = 1, cos_t = 0 -> twice; vertex 1: (0,2): cos_s = -1, cos_t = cos 45; vertex 2: (0,1): cos_s = 1, cos_t = cos 45
        double c45 = Math.sqrt(0.5);
        double angle = 2 * (smoothL1(1 - 0) + smoothL1(-1 - c45) + smoothL1(1 - c45)) / 27;
        assertEquals(angle, RelationalDistillationLoss.angleLoss(s, t, null), 1e-14);
    }

    @Test
    void gradientMatchesCentralFiniteDifferenceOfTheSummedScore() {
        ILossFunction[] bases = {new LossMCXENT(), new DistillationLoss(3.0, 0.6), new DistillationLoss(2.0, 0.0)};
        double[][] weights = {{25, 50}, {1, 0}, {0, 2}, {3, 7}};
        for (int b = 0; b < bases.length; b++) {
            for (double[] w : weights) {
                RelationalDistillationLoss loss = new RelationalDistillationLoss(bases[b], w[0], w[1]);
                INDArray baseLabels = bases[b] instanceof DistillationLoss kd
                        ? DistillationLoss.encodeTargets(nd(oneHot()), nd(softmax(random(3, N, C, 2.0))), kd.getTemperature())
                        : nd(oneHot());
                INDArray labels = RelationalDistillationLoss.encodeTargets(baseLabels, nd(random(4, N, D, 2.0)));
                double[][] z = random(5 + b, N, C, 1.5);
                double[][] g = loss.computeGradient(labels, nd(z), new ActivationSoftmax(), null).toDoubleMatrix();
                double h = 1e-6;
                for (int i = 0; i < N; i++) {
                    for (int c = 0; c < C; c++) {
                        double[][] plus = copy(z);
                        double[][] minus = copy(z);
                        plus[i][c] += h;
                        minus[i][c] -= h;
                        double fd = (loss.computeScore(labels, nd(plus), new ActivationSoftmax(), null, false)
                                - loss.computeScore(labels, nd(minus), new ActivationSoftmax(), null, false)) / (2 * h);
                        assertEquals(fd, g[i][c], 1e-5 * Math.abs(fd) + 1e-6,
                                loss.name() + " d score / d z[" + i + "," + c + "]");
                    }
                }
                var both = loss.computeGradientAndScore(labels, nd(z), new ActivationSoftmax(), null, false);
                assertEquals(loss.computeScore(labels, nd(z), new ActivationSoftmax(), null, false), both.getFirst(), 1e-12);
            }
        }
    }

    @Test
    void pureRelationalGradientsMatchFiniteDifferences() {
        double[][] s = random(11, 7, 5, 1.0);
        double[][] t = random(12, 7, 2, 3.0);
        double[][] gd = new double[7][5];
        double[][] ga = new double[7][5];
        RelationalDistillationLoss.distanceLoss(s, t, gd);
        RelationalDistillationLoss.angleLoss(s, t, ga);
        double h = 1e-6;
        for (int i = 0; i < 7; i++) {
            for (int k = 0; k < 5; k++) {
                double[][] p = copy(s);
                double[][] m = copy(s);
                p[i][k] += h;
                m[i][k] -= h;
                double fdD = (RelationalDistillationLoss.distanceLoss(p, t, null) - RelationalDistillationLoss.distanceLoss(m, t, null)) / (2 * h);
                double fdA = (RelationalDistillationLoss.angleLoss(p, t, null) - RelationalDistillationLoss.angleLoss(m, t, null)) / (2 * h);
                assertEquals(fdD, gd[i][k], 1e-6 * Math.abs(fdD) + 1e-9, "distance [" + i + "," + k + "]");
                assertEquals(fdA, ga[i][k], 1e-6 * Math.abs(fdA) + 1e-9, "angle [" + i + "," + k + "]");
            }
        }
    }

    @Test
    void relationalTermVanishesWhenTheStudentIsAScaledShiftedCopyOfTheTeacher() {
        double[][] t = random(20, N, C, 2.0);
        double[][] s = new double[N][C];
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                s[i][c] = 0.37 * t[i][c] + (c + 1) * 1.5;  // distances and angles are scale and translation invariant
            }
        }
        double[][] g = new double[N][C];
        assertEquals(0.0, RelationalDistillationLoss.distanceLoss(s, t, g), 1e-24);
        for (double[] row : g) {
            for (double v : row) {
                assertEquals(0.0, v, 1e-12);
            }
        }
        assertEquals(0.0, RelationalDistillationLoss.angleLoss(s, t, g), 1e-24);
        for (double[] row : g) {
            for (double v : row) {
                assertEquals(0.0, v, 1e-12);
            }
        }
        // through the DL4J interface: score and gradient are exactly the base loss's
        RelationalDistillationLoss loss = RelationalDistillationLoss.withPaperWeights(null);
        INDArray labels = RelationalDistillationLoss.encodeTargets(nd(oneHot()), nd(t));
        LossMCXENT ce = new LossMCXENT();
        assertEquals(ce.computeScore(nd(oneHot()), nd(s), new ActivationSoftmax(), null, false),
                loss.computeScore(labels, nd(s), new ActivationSoftmax(), null, false), 1e-9);
        double[][] expected = ce.computeGradient(nd(oneHot()), nd(s), new ActivationSoftmax(), null).toDoubleMatrix();
        double[][] actual = loss.computeGradient(labels, nd(s), new ActivationSoftmax(), null).toDoubleMatrix();
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                assertEquals(expected[i][c], actual[i][c], 1e-9);
            }
        }
    }

    @Test
    void scoreRowsSumToTheBatchObjectiveAndTheAverageIsThePapersLoss() {
        RelationalDistillationLoss loss = new RelationalDistillationLoss(null, 25, 50);
        double[][] s = random(30, N, C, 1.0);
        double[][] t = random(31, N, D, 1.0);
        INDArray labels = RelationalDistillationLoss.encodeTargets(nd(oneHot()), nd(t));
        LossMCXENT ce = new LossMCXENT();
        double ceMean = ce.computeScore(nd(oneHot()), nd(s), new ActivationSoftmax(), null, true);
        double rkd = 25 * referenceDistance(s, t) + 50 * referenceAngle(s, t);
        assertTrue(rkd > 0.01, "the random student is not relationally aligned: " + rkd);
        INDArray rows = loss.computeScoreArray(labels, nd(s), new ActivationSoftmax(), null);
        assertEquals(N, rows.size(0));
        assertEquals(N * (ceMean + rkd), rows.sumNumber().doubleValue(), 1e-9);
        assertEquals(ceMean + rkd, loss.computeScore(labels, nd(s), new ActivationSoftmax(), null, true), 1e-9);
    }

    @Test
    void worksInFloatAndRejectsMasksBadLabelsAndWeights() {
        RelationalDistillationLoss loss = RelationalDistillationLoss.withPaperWeights(new DistillationLoss(2.0, 0.5));
        INDArray base = DistillationLoss.encodeTargets(nd(oneHot()).castTo(DataType.FLOAT),
                nd(softmax(random(40, N, C, 1.0))).castTo(DataType.FLOAT), 2.0);
        INDArray labels = RelationalDistillationLoss.encodeTargets(base, nd(random(41, N, D, 1.0)));
        assertEquals(DataType.FLOAT, labels.dataType());
        assertEquals(C + D, labels.size(1));
        INDArray z = nd(random(42, N, C, 1.0)).castTo(DataType.FLOAT);
        INDArray grad = loss.computeGradient(labels, z, new ActivationSoftmax(), null);
        assertEquals(DataType.FLOAT, grad.dataType());
        assertTrue(Double.isFinite(loss.computeScore(labels, z, new ActivationSoftmax(), null, true)));
        INDArray ones = Nd4j.ones(DataType.FLOAT, N, 1);
        assertEquals(loss.computeScore(labels, z, new ActivationSoftmax(), null, true),
                loss.computeScore(labels, z, new ActivationSoftmax(), ones, true), 1e-6, "an all-ones mask changes nothing");
        INDArray mask = ones.dup();
        mask.putScalar(2, 0, 0.0);
        assertThrows(UnsupportedOperationException.class, () -> loss.computeScoreArray(labels, z, new ActivationSoftmax(), mask));
        IllegalArgumentException narrow = assertThrows(IllegalArgumentException.class,
                () -> loss.computeScore(base, z, new ActivationSoftmax(), null, true));
        assertTrue(narrow.getMessage().contains("teacher's embedding"), narrow.getMessage());
        IllegalArgumentException w = assertThrows(IllegalArgumentException.class, () -> new RelationalDistillationLoss(null, -1, 50));
        assertTrue(w.getMessage().contains("distance weight must be finite and >= 0, got -1.0"), w.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RelationalDistillationLoss(null, 25, Double.NaN));
        assertEquals("RelationalDistillationLoss(base=DistillationLoss(T=2.0, alpha=0.5), distance=25.0, angle=50.0)", loss.name());
    }

    @Test
    void survivesDl4jJsonRoundTrip() throws Exception {
        RelationalDistillationLoss loss = new RelationalDistillationLoss(new DistillationLoss(4.0, 0.25), 25, 50);
        String json = NeuralNetConfiguration.mapper().writeValueAsString(loss);
        ILossFunction back = NeuralNetConfiguration.mapper().readValue(json, ILossFunction.class);
        assertTrue(back instanceof RelationalDistillationLoss, json);
        assertEquals(loss.name(), back.name());
    }

    private static double[][] softmax(double[][] z) {
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                max = Math.max(max, v);
            }
            double sum = 0;
            p[i] = new double[z[i].length];
            for (int c = 0; c < z[i].length; c++) {
                p[i][c] = Math.exp(z[i][c] - max);
                sum += p[i][c];
            }
            for (int c = 0; c < z[i].length; c++) {
                p[i][c] /= sum;
            }
        }
        return p;
    }

    private static double[][] copy(double[][] a) {
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i].clone();
        }
        return b;
    }
}
