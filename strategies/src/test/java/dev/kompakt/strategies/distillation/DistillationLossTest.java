package dev.kompakt.strategies.distillation;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distillation loss is checked in double precision against values computed here independently with
 * {@link Math#exp}/{@link Math#log}, so the tolerances only have to absorb rounding, not float32 noise.
 */
class DistillationLossTest {
    private static final int N = 4;
    private static final int C = 5;

    /** Random logits, row-major N x C. */
    private static double[][] randomLogits(long seed, double scale) {
        Random r = new Random(seed);
        double[][] z = new double[N][C];
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                z[i][c] = scale * r.nextGaussian();
            }
        }
        return z;
    }

    private static double[][] softmaxRows(double[][] z, double t) {
        double[][] p = new double[z.length][];
        for (int i = 0; i < z.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : z[i]) {
                max = Math.max(max, v / t);
            }
            double sum = 0;
            p[i] = new double[z[i].length];
            for (int c = 0; c < z[i].length; c++) {
                p[i][c] = Math.exp(z[i][c] / t - max);
                sum += p[i][c];
            }
            for (int c = 0; c < z[i].length; c++) {
                p[i][c] /= sum;
            }
        }
        return p;
    }

    /** One-hot labels with class (3 * i + 1) mod C for row i. */
    private static double[][] oneHot() {
        double[][] y = new double[N][C];
        for (int i = 0; i < N; i++) {
            y[i][(3 * i + 1) % C] = 1.0;
        }
        return y;
    }

    private static INDArray nd(double[][] a) {
        return Nd4j.createFromArray(a).castTo(DataType.DOUBLE);
    }

    private static double[][] toArray(INDArray a) {
        return a.toDoubleMatrix();
    }

    @Test
    void encodeTargetsRoundTripsOneHotAndSoftenedTeacher() {
        double temperature = 3.0;
        double[][] y = oneHot();
        double[][] teacher = softmaxRows(randomLogits(1, 2.0), 1.0);
        INDArray labels = DistillationLoss.encodeTargets(nd(y), nd(teacher), temperature);

        // softmax(log p / T) computed independently
        double[][] logP = new double[N][C];
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                logP[i][c] = Math.log(teacher[i][c]);
            }
        }
        double[][] softened = softmaxRows(logP, temperature);

        double[][] enc = toArray(labels);
        for (int i = 0; i < N; i++) {
            double rowSum = 0;
            for (int c = 0; c < C; c++) {
                double recoveredY = enc[i][c] >= 2.0 ? 1.0 : 0.0;
                assertEquals(y[i][c], recoveredY, "one-hot at [" + i + "," + c + "]");
                double remainder = enc[i][c] - 2 * recoveredY;
                assertTrue(remainder >= 0 && remainder <= 1, "remainder in [0,1]: " + remainder);
                assertEquals(softened[i][c], remainder, 1e-12, "softened teacher at [" + i + "," + c + "]");
                rowSum += remainder;
            }
            assertEquals(1.0, rowSum, 1e-12, "softened teacher row " + i + " sums to 1");
        }
    }

    @Test
    void encodeTargetsAtTemperatureOneKeepsTheTeacherAndWorksInFloat() {
        double[][] y = oneHot();
        double[][] teacher = softmaxRows(randomLogits(2, 1.0), 1.0);
        INDArray labels = DistillationLoss.encodeTargets(nd(y).castTo(DataType.FLOAT), nd(teacher).castTo(DataType.FLOAT), 1.0);
        assertEquals(DataType.FLOAT, labels.dataType());
        float[][] enc = labels.toFloatMatrix();
        for (int i = 0; i < N; i++) {
            float rowSum = 0;
            for (int c = 0; c < C; c++) {
                float hard = enc[i][c] >= 2f ? 1f : 0f;
                assertEquals((float) y[i][c], hard);
                float soft = enc[i][c] - 2 * hard;
                // 2 + p in float32 keeps ~23 bits around 2, so p comes back to within 2.4e-7
                assertEquals(teacher[i][c], soft, 1e-6);
                rowSum += soft;
            }
            assertEquals(1.0, rowSum, 1e-5);
        }
    }

    @Test
    void gradientMatchesCentralFiniteDifferenceOfTheSummedScore() {
        for (double[] ta : new double[][] {{2.5, 0.7}, {1.0, 0.5}, {4.0, 1.0}, {6.0, 0.0}}) {
            DistillationLoss loss = new DistillationLoss(ta[0], ta[1]);
            INDArray labels = DistillationLoss.encodeTargets(nd(oneHot()), nd(softmaxRows(randomLogits(3, 2.0), 1.0)), ta[0]);
            double[][] z = randomLogits(4, 1.5);
            INDArray grad = loss.computeGradient(labels, nd(z), new ActivationSoftmax(), null);
            double[][] g = toArray(grad);
            double h = 1e-5;
            for (int i = 0; i < N; i++) {
                for (int c = 0; c < C; c++) {
                    double[][] plus = copy(z);
                    double[][] minus = copy(z);
                    plus[i][c] += h;
                    minus[i][c] -= h;
                    double fd = (loss.computeScore(labels, nd(plus), new ActivationSoftmax(), null, false)
                            - loss.computeScore(labels, nd(minus), new ActivationSoftmax(), null, false)) / (2 * h);
                    assertEquals(fd, g[i][c], 1e-3 * Math.abs(fd) + 1e-8,
                            "T=" + ta[0] + " alpha=" + ta[1] + " d score / d z[" + i + "," + c + "]");
                }
            }
            // computeGradientAndScore agrees with the two separate calls
            var both = loss.computeGradientAndScore(labels, nd(z), new ActivationSoftmax(), null, false);
            assertEquals(loss.computeScore(labels, nd(z), new ActivationSoftmax(), null, false), both.getFirst(), 1e-12);
            assertEquals(grad, both.getSecond());
        }
    }

    @Test
    void averagedScoreIsTheSumDividedByTheBatchSize() {
        DistillationLoss loss = new DistillationLoss(2.0, 0.3);
        INDArray labels = DistillationLoss.encodeTargets(nd(oneHot()), nd(softmaxRows(randomLogits(5, 1.0), 1.0)), 2.0);
        INDArray z = nd(randomLogits(6, 1.0));
        double sum = loss.computeScore(labels, z, new ActivationSoftmax(), null, false);
        double avg = loss.computeScore(labels, z, new ActivationSoftmax(), null, true);
        assertEquals(sum / N, avg, 1e-12);
    }

    @Test
    void withAlphaZeroTheGradientIsSoftmaxMinusLabels() {
        DistillationLoss loss = new DistillationLoss(5.0, 0.0);
        double[][] y = oneHot();
        INDArray labels = DistillationLoss.encodeTargets(nd(y), nd(softmaxRows(randomLogits(7, 1.0), 1.0)), 5.0);
        double[][] z = randomLogits(8, 2.0);
        double[][] p = softmaxRows(z, 1.0);
        double[][] g = toArray(loss.computeGradient(labels, nd(z), new ActivationSoftmax(), null));
        double ce = 0;
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                assertEquals(p[i][c] - y[i][c], g[i][c], 1e-12, "[" + i + "," + c + "]");
                ce -= y[i][c] * Math.log(p[i][c]);
            }
        }
        // and the score is plain cross-entropy, summed over the batch
        assertEquals(ce, loss.computeScore(labels, nd(z), new ActivationSoftmax(), null, false), 1e-10);
    }

    @Test
    void scoreIsNonNegativeAndZeroWhenThePureKdStudentMatchesTheTeacher() {
        Random r = new Random(9);
        for (int k = 0; k < 20; k++) {
            double t = 1 + 7 * r.nextDouble();
            double alpha = r.nextDouble();
            DistillationLoss loss = new DistillationLoss(t, alpha);
            INDArray labels = DistillationLoss.encodeTargets(nd(oneHot()), nd(softmaxRows(randomLogits(100 + k, 3.0), 1.0)), t);
            INDArray scores = loss.computeScoreArray(labels, nd(randomLogits(200 + k, 3.0)), new ActivationSoftmax(), null);
            assertEquals(N, scores.size(0));
            for (double s : scores.toDoubleVector()) {
                assertTrue(s >= 0, "score " + s + " at T=" + t + " alpha=" + alpha);
            }
        }
        // alpha = 1 leaves only T^2 KL(p_T || softmax(z/T)); with z/T = log p_T + const that KL is 0
        double t = 3.0;
        double[][] teacher = softmaxRows(randomLogits(10, 2.0), 1.0);
        INDArray labels = DistillationLoss.encodeTargets(nd(oneHot()), nd(teacher), t);
        double[][] soft = toArray(labels.sub(labels.gte(2.0).castTo(DataType.DOUBLE).mul(2.0)));
        double[][] z = new double[N][C];
        for (int i = 0; i < N; i++) {
            for (int c = 0; c < C; c++) {
                z[i][c] = t * Math.log(soft[i][c]) + 0.7;
            }
        }
        DistillationLoss kd = new DistillationLoss(t, 1.0);
        assertEquals(0.0, kd.computeScore(labels, nd(z), new ActivationSoftmax(), null, false), 1e-12);
        for (double g : kd.computeGradient(labels, nd(z), new ActivationSoftmax(), null).data().asDouble()) {
            assertEquals(0.0, g, 1e-12);
        }
    }

    @Test
    void maskZeroesTheMaskedRows() {
        DistillationLoss loss = new DistillationLoss(2.0, 0.5);
        INDArray labels = DistillationLoss.encodeTargets(nd(oneHot()), nd(softmaxRows(randomLogits(11, 1.0), 1.0)), 2.0);
        INDArray z = nd(randomLogits(12, 1.0));
        INDArray mask = Nd4j.createFromArray(new double[][] {{1}, {0}, {1}, {0}});
        double[] unmasked = loss.computeScoreArray(labels, z, new ActivationSoftmax(), null).toDoubleVector();
        double[] masked = loss.computeScoreArray(labels, z, new ActivationSoftmax(), mask).toDoubleVector();
        assertEquals(unmasked[0], masked[0], 1e-15);
        assertEquals(0.0, masked[1], 0.0);
        assertEquals(unmasked[2], masked[2], 1e-15);
        assertEquals(0.0, masked[3], 0.0);
        double[][] g = toArray(loss.computeGradient(labels, z, new ActivationSoftmax(), mask));
        for (int c = 0; c < C; c++) {
            assertEquals(0.0, g[1][c], 0.0, "masked gradient row 1");  // delta 0 accepts -0.0
            assertEquals(0.0, g[3][c], 0.0, "masked gradient row 3");
            assertTrue(g[0][c] != 0.0 && g[2][c] != 0.0, "unmasked rows keep their gradient");
        }
    }

    @Test
    void constructorRejectsBadHyperparametersNamingTheValue() {
        IllegalArgumentException t = assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(0.5, 0.5));
        assertTrue(t.getMessage().contains("temperature must be >= 1, got 0.5"), t.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(Double.NaN, 0.5));
        assertTrue(nan.getMessage().contains("got NaN"), nan.getMessage());
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class, () -> new DistillationLoss(2, 1.5));
        assertTrue(a.getMessage().contains("alpha must be in [0, 1], got 1.5"), a.getMessage());
        assertEquals("DistillationLoss(T=2.0, alpha=0.25)", new DistillationLoss(2, 0.25).name());
    }

    private static double[][] copy(double[][] a) {
        double[][] b = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            b[i] = a[i].clone();
        }
        return b;
    }
}
