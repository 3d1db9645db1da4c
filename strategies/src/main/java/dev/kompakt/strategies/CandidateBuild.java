package dev.kompakt.strategies;

import dev.kompakt.strategies.pruning.PruningMasks;
import dev.kompakt.strategies.pruning.Regularization;
import dev.kompakt.strategies.quantization.WeightQuantizer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.Map;
import java.util.function.IntConsumer;

/**
 * One candidate while it is built, as the strategies see it: the evaluator implements it and runs the phases of
 * {@link CompressionStrategy}. It holds the baseline and the data, offers the few training services strategies need,
 * and collects what they set up for the one training loop: per step the loop fake-quantizes the weights (when a fake
 * quantizer is set), takes an optimiser step, applies the regularisation's proximal step and the pruning masks.
 */
public interface CandidateBuild {
    /** The trial's seed. */
    long seed();

    /** The training samples of the budget. */
    DataSet trainingData();

    /** Held-out samples for choices made while building (sensitivity analysis), never the test split. */
    DataSet validationData();

    /**
     * The samples' shape as the candidate's network takes them: {@code [channels, height, width]} (a table row is
     * {@code [features, 1, 1]}); images at the architecture plan's resolution.
     */
    int[] inputShape();

    /** The number of classes. */
    int classes();

    /** The data's own image size {@code [height, width]}, before any resizing to an architecture plan's resolution. */
    int[] dataSize();

    /**
     * A network trained once per executor JVM and shared by the candidates built there (a supernet to inherit weights
     * from): {@code build} makes it for inputs of {@code height x width}, and it is trained with the labels on the budget's
     * training samples resized to that size, for {@code epochs} epochs at the student learning rate. Cached under
     * {@code key}; a caller that asks while another trains it waits. Read it, never change it.
     */
    ComputationGraph sharedNetwork(String key, int height, int width, java.util.function.Supplier<ComputationGraph> build, int epochs);

    /** Inputs for calibrating quantization ranges (and bias correction). */
    INDArray calibrationInputs();

    /** A fresh copy of the baseline network (the teacher). */
    ComputationGraph teacher();

    /** The teacher's softmax outputs on {@link #trainingData()}, one row per sample. */
    INDArray teacherProbabilities();

    /** The teacher's logits on {@link #trainingData()}, one row per sample. */
    INDArray teacherLogits();

    /** The loss gradient of each weight tensor of {@code net} on {@code batch}, by tensor id. */
    Map<String, INDArray> weightGradients(ComputationGraph net, DataSet batch);

    /** Top-1 accuracy of {@code net} on {@code data}. */
    double accuracy(ComputationGraph net, DataSet data);

    // configure phase

    /**
     * Start from {@code graph} as a student (trained for the budget's student epochs at its learning rate) instead of
     * fine-tuning the baseline; {@code keepWeights} false re-initialises it.
     */
    void startStudent(ComputationGraph graph, boolean keepWeights);

    /**
     * Whether the network to train starts from fresh weights (a built family, or a student initialised from scratch):
     * their magnitudes rank nothing yet. Known after the configure phase.
     */
    default boolean freshStart() {
        return false;
    }

    /** Train with {@code loss} instead of softmax cross-entropy. */
    void trainingLoss(ILossFunction loss);

    // after configure: the network to train and its training

    /** The network being built. */
    ComputationGraph network();

    /** Epochs of its training (0 = none). */
    int epochs();

    /** The pruning masks applied after every step (none by default). */
    void masks(PruningMasks masks);

    /** Quantization-aware training: the weights are fake-quantized by {@code quantizer} in every step's forward pass. */
    void fakeQuantizer(WeightQuantizer quantizer);

    /** A proximal step of {@code regularization} after every optimiser step. */
    void regularization(Regularization regularization);

    /** Train against these labels (e.g. distillation's encoded targets) instead of the training data's. */
    void trainingTargets(INDArray labels);

    /**
     * Train in rounds of 1/{@code roundsPerEpoch} epoch each instead of whole epochs; {@code beforeRound} runs before
     * round t (1-based), e.g. to prune a little more, and {@code afterRounds} once after the last.
     */
    void trainInRounds(int roundsPerEpoch, IntConsumer beforeRound, Runnable afterRounds);

    /** FitNets' hint stage: regress the teacher's hint layer from the student's guided layer, pruning masks kept. */
    void hintTrain();

    // after training

    /** Record the bits of each quantized weight layer and the bias shifts of bias correction. */
    void quantized(Map<String, Integer> weightBits, Map<String, float[]> biasShifts);
}
