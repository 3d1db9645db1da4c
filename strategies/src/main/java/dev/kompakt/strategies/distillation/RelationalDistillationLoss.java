package dev.kompakt.strategies.distillation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Relation-based knowledge distillation, RKD (Park, Kim, Lu and Cho 2019, "Relational Knowledge Distillation"), as a
 * DL4J loss on a softmax output layer: a per-example base loss (cross-entropy, or response KD with a
 * {@link DistillationLoss}) plus the distance-wise and angle-wise RKD losses between the examples of the batch:
 * <pre>
 *   L = mean_i base_i + distanceWeight * L_D + angleWeight * L_A
 *   L_D = 1/N^2 sum_{i,j} huber(|s_i - s_j| / mu_s - |t_i - t_j| / mu_t)      mu = mean distance over the pairs i != j
 *   L_A = 1/N^3 sum_{a,b,c} huber(&lt;e_ab, e_ac&gt; - &lt;e'_ab, e'_ac&gt;)             e_ab = (s_b - s_a) / |s_b - s_a|
 * </pre>
 * with {@code huber} the smooth L1 loss ({@code x^2/2} for {@code |x| < 1}, else {@code |x| - 1/2}), s the student's and t
 * the teacher's embeddings. The normalisation (mean over all N^2 pairs and N^3 triplets, the pair mean distance over
 * {@code i != j}, distances clamped at {@code sqrt(1e-12)}) follows the authors' code (github.com/lenscloth/RKD);
 * {@link #PAPER_DISTANCE_WEIGHT} and {@link #PAPER_ANGLE_WEIGHT} are the weights used for classification distillation
 * in RepDistiller's reproduction of RKD on CIFAR-100 (Tian et al. 2020, {@code RKDLoss(w_d=25, w_a=50)}).
 *
 * <p><b>Where RKD is applied.</b> The paper applies RKD to the penultimate embedding. A DL4J loss function only sees the
 * output layer's pre-activation, and reaching the penultimate layer would need a second output head (a
 * ComputationGraph), so here the student's embedding is its <b>logits</b> (the output layer's pre-softmax output). The
 * teacher's embedding travels in the label array and may have any width: {@link #encodeTargets} appends it, as columns,
 * after the base loss's labels; the loss splits the two at the output's width. Use the teacher's logits for a like-for-like
 * relation (distance and angle are invariant to the embeddings' width, scale and translation, so no adapter is needed).
 *
 * <p><b>Scores and gradients.</b> DL4J averages the per-example score array over the batch and divides the gradient
 * by the batch size. The relational terms are one value per batch, so each row of {@link #computeScoreArray} holds
 * {@code base_i + distanceWeight * L_D + angleWeight * L_A}: the rows sum to {@code N} times the batch objective above and
 * DL4J's averaged score is exactly that objective. {@link #computeGradient} is the analytic gradient of that sum with
 * respect to the logits (computed in double precision in O(N^3 * C) time), checked against finite differences in the
 * tests. Relations are between the examples of one batch, so the result depends on the batch composition, and
 * per-example label masks are not supported (a mask with a zero is rejected).
 *
 * <p>Immutable and thread-safe when the base loss is.
 */
public final class RelationalDistillationLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;
    /** Weight of the distance-wise loss used for classification (RepDistiller's RKD on CIFAR-100). */
    public static final double PAPER_DISTANCE_WEIGHT = 25.0;
    /** Weight of the angle-wise loss used for classification (RepDistiller's RKD on CIFAR-100). */
    public static final double PAPER_ANGLE_WEIGHT = 50.0;
    /** Squared distances are clamped here before the square root, as in the authors' {@code pdist}. */
    private static final double EPS_SQUARED = 1e-12;
    /** F.normalize's epsilon: shorter difference vectors count as zero (no angle). */
    private static final double EPS_NORM = 1e-12;

    private final ILossFunction base;
    private final double distanceWeight;
    private final double angleWeight;

    /**
     * @param base           per-example loss on the base labels; null means softmax cross-entropy ({@link LossMCXENT})
     * @param distanceWeight weight of the distance-wise loss, >= 0
     * @param angleWeight    weight of the angle-wise loss, >= 0
     */
    public RelationalDistillationLoss(@JsonProperty("base") ILossFunction base, @JsonProperty("distanceWeight") double distanceWeight,
                                      @JsonProperty("angleWeight") double angleWeight) {
        if (!(distanceWeight >= 0 && distanceWeight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RKD distance weight must be finite and >= 0, got " + distanceWeight);
        }
        if (!(angleWeight >= 0 && angleWeight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RKD angle weight must be finite and >= 0, got " + angleWeight);
        }
        this.base = base == null ? new LossMCXENT() : base;
        this.distanceWeight = distanceWeight;
        this.angleWeight = angleWeight;
    }

    /** Cross-entropy (or {@code base}) plus RKD with the paper's weights for classification (25, 50). */
    public static RelationalDistillationLoss withPaperWeights(ILossFunction base) {
        return new RelationalDistillationLoss(base, PAPER_DISTANCE_WEIGHT, PAPER_ANGLE_WEIGHT);
    }

    public ILossFunction getBase() {
        return base;
    }

    public double getDistanceWeight() {
        return distanceWeight;
    }

    public double getAngleWeight() {
        return angleWeight;
    }

    /**
     * One label array carrying both targets: the base loss's labels (one-hot for cross-entropy, or
     * {@link DistillationLoss#encodeTargets} for response KD; as wide as the output) followed by the teacher's embedding
     * of each example (any width >= 1), converted to the labels' data type.
     */
    public static INDArray encodeTargets(INDArray baseLabels, INDArray teacherEmbedding) {
        if (baseLabels.rank() != 2 || teacherEmbedding.rank() != 2 || baseLabels.size(0) != teacherEmbedding.size(0)) {
            throw new IllegalArgumentException("RKD targets need [N, C] labels and an [N, D] teacher embedding, got "
                    + java.util.Arrays.toString(baseLabels.shape()) + " and " + java.util.Arrays.toString(teacherEmbedding.shape()));
        }
        return Nd4j.hstack(baseLabels, teacherEmbedding.castTo(baseLabels.dataType()));
    }

    // ---- the pure math, on double[][] embeddings (rows = examples) ----

    /**
     * The distance-wise loss {@code L_D} between student and teacher embeddings (rows are examples; the two may differ in
     * width). When {@code gradient} is not null it receives {@code dL_D / d student}, of the student's shape.
     */
    public static double distanceLoss(double[][] student, double[][] teacher, double[][] gradient) {
        int n = student.length;
        requireSameBatch(student, teacher);
        if (gradient != null) {
            zero(gradient);
        }
        if (n < 2) {
            return 0.0;
        }
        double[][] ds = distances(student);
        double[][] dt = distances(teacher);
        double muS = meanOffDiagonal(ds);
        double muT = meanOffDiagonal(dt);
        double nn = (double) n * n;
        double loss = 0;
        double[][] g = new double[n][n];   // dL / d psi_ij
        double gd = 0;                     // sum_ij g_ij d_ij
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i == j) {
                    continue;
                }
                double x = ds[i][j] / muS - dt[i][j] / muT;
                loss += huber(x) / nn;
                g[i][j] = huberDerivative(x) / nn;
                gd += g[i][j] * ds[i][j];
            }
        }
        if (gradient != null) {
            double pairs = (double) n * (n - 1);
            double meanTerm = gd / (muS * muS * pairs);
            double[][] sq = squaredDistances(student);
            for (int k = 0; k < n; k++) {
                for (int l = 0; l < n; l++) {
                    if (k == l || sq[k][l] <= EPS_SQUARED) {
                        continue;  // the clamp is flat there
                    }
                    // d_kl and d_lk are the same function of s_k: both entries contribute
                    double dLdd = 2 * (g[k][l] / muS - meanTerm);
                    double scale = dLdd / ds[k][l];
                    for (int c = 0; c < student[k].length; c++) {
                        gradient[k][c] += scale * (student[k][c] - student[l][c]);
                    }
                }
            }
        }
        return loss;
    }

    /**
     * The angle-wise loss {@code L_A} between student and teacher embeddings. When {@code gradient} is not null it
     * receives {@code dL_A / d student}. Two examples with the same embedding form no angle (their difference is the
     * zero vector, as with F.normalize) and pass no gradient through that difference.
     */
    public static double angleLoss(double[][] student, double[][] teacher, double[][] gradient) {
        int n = student.length;
        requireSameBatch(student, teacher);
        if (gradient != null) {
            zero(gradient);
        }
        if (n < 3) {
            return 0.0;
        }
        int dim = student[0].length;
        double nnn = (double) n * n * n;
        double loss = 0;
        double[] norms = new double[n];
        for (int a = 0; a < n; a++) {
            double[][] es = unitDifferences(student, a, norms);
            double[][] et = unitDifferences(teacher, a, null);
            double[][] w = gradient == null ? null : new double[n][dim];  // dL / d e_ab
            for (int b = 0; b < n; b++) {
                for (int c = b; c < n; c++) {
                    double x = dot(es[b], es[c]) - dot(et[b], et[c]);
                    double weight = b == c ? 1.0 : 2.0;  // cos_abc = cos_acb
                    loss += weight * huber(x) / nnn;
                    if (w != null) {
                        double q = huberDerivative(x) / nnn;
                        // d/d e_ab of [h(e_ab.e_ac) + h(e_ac.e_ab)] = 2 q e_ac, and symmetrically for e_ac
                        for (int k = 0; k < dim; k++) {
                            w[b][k] += 2 * q * es[c][k];
                            if (c != b) {
                                w[c][k] += 2 * q * es[b][k];
                            }
                        }
                    }
                }
            }
            if (gradient != null) {
                for (int b = 0; b < n; b++) {
                    if (b == a || norms[b] <= EPS_NORM) {
                        continue;
                    }
                    // e = v / |v|: dL/dv = (w - (w.e) e) / |v|; v = s_b - s_a
                    double we = dot(w[b], es[b]);
                    for (int k = 0; k < dim; k++) {
                        double dv = (w[b][k] - we * es[b][k]) / norms[b];
                        gradient[b][k] += dv;
                        gradient[a][k] -= dv;
                    }
                }
            }
        }
        return loss;
    }

    private static double[][] unitDifferences(double[][] x, int a, double[] normsOut) {
        int n = x.length;
        int dim = x[0].length;
        double[][] e = new double[n][dim];
        for (int b = 0; b < n; b++) {
            double norm = 0;
            for (int k = 0; k < dim; k++) {
                e[b][k] = x[b][k] - x[a][k];
                norm += e[b][k] * e[b][k];
            }
            norm = Math.sqrt(norm);
            if (normsOut != null) {
                normsOut[b] = norm;
            }
            double inv = norm > EPS_NORM ? 1.0 / norm : 0.0;
            for (int k = 0; k < dim; k++) {
                e[b][k] *= inv;
            }
        }
        return e;
    }

    private static double[][] squaredDistances(double[][] x) {
        int n = x.length;
        double[][] sq = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double s = 0;
                for (int k = 0; k < x[i].length; k++) {
                    double d = x[i][k] - x[j][k];
                    s += d * d;
                }
                sq[i][j] = s;
                sq[j][i] = s;
            }
        }
        return sq;
    }

    /** Pairwise Euclidean distances, 0 on the diagonal, at least sqrt(1e-12) off it. */
    private static double[][] distances(double[][] x) {
        double[][] d = squaredDistances(x);
        for (int i = 0; i < d.length; i++) {
            for (int j = 0; j < d.length; j++) {
                d[i][j] = i == j ? 0.0 : Math.sqrt(Math.max(d[i][j], EPS_SQUARED));
            }
        }
        return d;
    }

    private static double meanOffDiagonal(double[][] d) {
        int n = d.length;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    sum += d[i][j];
                }
            }
        }
        return sum / ((double) n * (n - 1));
    }

    static double huber(double x) {
        double ax = Math.abs(x);
        return ax < 1 ? 0.5 * x * x : ax - 0.5;
    }

    static double huberDerivative(double x) {
        return Math.max(-1.0, Math.min(1.0, x));
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    private static void zero(double[][] a) {
        for (double[] row : a) {
            java.util.Arrays.fill(row, 0.0);
        }
    }

    private static void requireSameBatch(double[][] student, double[][] teacher) {
        if (student.length != teacher.length) {
            throw new IllegalArgumentException("RKD needs the same examples for student and teacher, got " + student.length
                    + " and " + teacher.length + " rows");
        }
    }

    // ---- ILossFunction ----

    private static void requireNoMask(INDArray mask) {
        if (mask != null && mask.minNumber().doubleValue() == 0.0) {
            throw new UnsupportedOperationException("RKD relates the examples of a batch; per-example label masks are not supported");
        }
    }

    private static INDArray baseLabels(INDArray labels, INDArray preOutput) {
        long c = preOutput.size(1);
        if (labels.size(1) <= c) {
            throw new IllegalArgumentException("RKD labels must hold the base labels (" + c + " columns) and then the teacher's "
                    + "embedding (see encodeTargets), got " + labels.size(1) + " columns");
        }
        return labels.get(NDArrayIndex.all(), NDArrayIndex.interval(0, c)).dup();
    }

    private static double[][] teacherEmbedding(INDArray labels, INDArray preOutput) {
        return labels.get(NDArrayIndex.all(), NDArrayIndex.interval(preOutput.size(1), labels.size(1))).toDoubleMatrix();
    }

    /** {@code distanceWeight * L_D + angleWeight * L_A}; fills {@code gradient} with its derivative when not null. */
    private double relational(double[][] student, double[][] teacher, double[][] gradient) {
        double value = 0;
        double[][] part = gradient == null ? null : new double[student.length][student[0].length];
        if (gradient != null) {
            zero(gradient);
        }
        if (distanceWeight > 0) {
            value += distanceWeight * distanceLoss(student, teacher, part);
            addScaled(gradient, part, distanceWeight);
        }
        if (angleWeight > 0) {
            value += angleWeight * angleLoss(student, teacher, part);
            addScaled(gradient, part, angleWeight);
        }
        return value;
    }

    private static void addScaled(double[][] into, double[][] part, double w) {
        if (into == null) {
            return;
        }
        for (int i = 0; i < into.length; i++) {
            for (int k = 0; k < into[i].length; k++) {
                into[i][k] += w * part[i][k];
            }
        }
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        INDArray baseScores = base.computeScoreArray(baseLabels(labels, preOutput), preOutput, activationFn, mask);
        double rel = relational(preOutput.toDoubleMatrix(), teacherEmbedding(labels, preOutput), null);
        return baseScores.reshape(preOutput.size(0), 1).castTo(preOutput.dataType()).addi(rel);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        INDArray scores = computeScoreArray(labels, preOutput, activationFn, mask);
        double sum = scores.sumNumber().doubleValue();
        return average ? sum / scores.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        requireNoMask(mask);
        INDArray grad = base.computeGradient(baseLabels(labels, preOutput), preOutput, activationFn, mask);
        double[][] student = preOutput.toDoubleMatrix();
        double[][] g = new double[student.length][student[0].length];
        relational(student, teacherEmbedding(labels, preOutput), g);
        // every one of the N score rows carries the relational term, so its share of the summed score is N times it
        double n = student.length;
        for (double[] row : g) {
            for (int k = 0; k < row.length; k++) {
                row[k] *= n;
            }
        }
        return grad.addi(Nd4j.createFromArray(g).castTo(grad.dataType()));
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "RelationalDistillationLoss(base=" + base.name() + ", distance=" + distanceWeight + ", angle=" + angleWeight + ")";
    }

    @Override
    public String toString() {
        return name();
    }
}
