package dev.kompakt.strategies.distillation;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Response-based knowledge distillation (Hinton, Vinyals and Dean 2015) as a DL4J loss on a softmax output
 * layer: {@code L = (1 - alpha) * CE(y, softmax(z)) + alpha * T^2 * KL(p_T || softmax(z / T))}, where z are the
 * student's logits and {@code p_T} the teacher's probabilities softened at temperature T. The gradient with
 * respect to z is {@code (1 - alpha)(softmax(z) - y) + alpha * T * (softmax(z / T) - p_T)}.
 *
 * <p>DL4J gives a loss one label array of the output's shape, so both targets travel in it:
 * {@link #encodeTargets} stores {@code 2 * y + p_T}; since y is one-hot and {@code p_T} lies in [0, 1], the
 * loss recovers {@code y = [label >= 2]} and {@code p_T = label - 2y} exactly.
 */
public final class DistillationLoss implements ILossFunction {
    private static final long serialVersionUID = 1L;

    private final double temperature;
    private final double alpha;

    public DistillationLoss(@JsonProperty("temperature") double temperature, @JsonProperty("alpha") double alpha) {
        if (!(temperature >= 1)) {
            throw new IllegalArgumentException("distillation temperature must be >= 1, got " + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("distillation alpha must be in [0, 1], got " + alpha);
        }
        this.temperature = temperature;
        this.alpha = alpha;
    }

    public double getTemperature() {
        return temperature;
    }

    public double getAlpha() {
        return alpha;
    }

    /** Packs one-hot labels and the teacher's probabilities (already at temperature 1) into one label array. */
    public static INDArray encodeTargets(INDArray oneHot, INDArray teacherProbabilities, double temperature) {
        INDArray logits = Transforms.log(Transforms.max(teacherProbabilities, 1e-12, true), false);
        INDArray soft = softmax(logits.divi(temperature));
        return oneHot.mul(2.0).addi(soft);
    }

    static INDArray softmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(true, 1));
        INDArray e = Transforms.exp(shifted, false);
        return e.diviColumnVector(e.sum(true, 1));
    }

    private INDArray hard(INDArray labels) {
        return labels.gte(2.0).castTo(labels.dataType());
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray y = hard(labels);
        INDArray pT = labels.sub(y.mul(2.0));
        INDArray logP = logSoftmax(preOutput);
        INDArray logPT = logSoftmax(preOutput.div(temperature));
        INDArray ce = y.mul(logP).sum(true, 1).negi();
        INDArray kl = pT.mul(Transforms.log(Transforms.max(pT, 1e-12, true), false).subi(logPT)).sum(true, 1);
        INDArray score = ce.muli(1 - alpha).addi(kl.muli(alpha * temperature * temperature));
        if (mask != null) {
            score.muli(mask);
        }
        return score;
    }

    private static INDArray logSoftmax(INDArray z) {
        INDArray shifted = z.subColumnVector(z.max(true, 1));
        INDArray lse = Transforms.log(Transforms.exp(shifted, true).sum(true, 1), false);
        return shifted.subColumnVector(lse);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        INDArray scores = computeScoreArray(labels, preOutput, activationFn, mask);
        double sum = scores.sumNumber().doubleValue();
        return average ? sum / scores.size(0) : sum;
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray y = hard(labels);
        INDArray pT = labels.sub(y.mul(2.0));
        INDArray grad = softmax(preOutput.dup()).subi(y).muli(1 - alpha);
        grad.addi(softmax(preOutput.div(temperature)).subi(pT).muli(alpha * temperature));
        if (mask != null) {
            grad.muliColumnVector(mask);
        }
        return grad;
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
                                                          INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average), computeGradient(labels, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "DistillationLoss(T=" + temperature + ", alpha=" + alpha + ")";
    }

    @Override
    public String toString() {
        return name();
    }
}
