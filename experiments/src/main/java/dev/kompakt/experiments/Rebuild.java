package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.EvaluationContext;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.strategies.plan.CompressionPlan;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * One candidate built on the driver from a plan, a budget and a seed on a baseline and data, through the same
 * {@link CandidateEvaluator#build} as the run's executors (training is deterministic for a seed), and measured as they
 * measure it: what {@code kompakt export} (a trial of a run) and {@code kompakt apply} (a recipe on a model of yours) write.
 *
 * @param candidate     the built candidate (its network is the compressed DL4J network)
 * @param accuracy      its accuracy on the validation samples (what a trial's {@code accuracy} measures)
 * @param testAccuracy  its accuracy on the test samples
 * @param onnx          its ONNX model in deployment form (INT8 when its weights have at most 8 bits)
 * @param agreement     top-1 agreement of the ONNX model with the DL4J network on the test samples
 * @param sizeBytes     Kompakt's storage count of the network ({@code size_bytes}: bit widths, sparse weights stored as
 *                      the smallest of dense, bitmask or CSR)
 * @param at            the data at the candidate's input size
 */
public record Rebuild(CandidateEvaluator.Candidate candidate, double accuracy, double testAccuracy, byte[] onnx, double agreement,
                      long sizeBytes, EvaluationContext at) {

    /** Builds {@code plan} on {@code baseline} with {@code data}'s splits (validation decides INT8 calibration and accuracy). */
    public static Rebuild of(ComputationGraph baseline, RunData data, CompressionPlan plan, TrainingBudget budget, long seed) {
        EvaluationContext context = new EvaluationContext(baseline, data.train(), data.validation(), data.test(), Double.NaN, 1, List.of());
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(0, 1));
        CandidateEvaluator.Candidate candidate = evaluator.build(plan, budget, seed);
        EvaluationContext at = evaluator.contextFor(plan);
        double accuracy = Training.accuracy(candidate.network(), at.validation());
        // one pass over the test images: the test accuracy and the export's reference (as CandidateEvaluator.evaluate)
        int batch = Training.inferenceBatch(candidate.network(), at.test().getFeatures());
        INDArray reference = Training.predict(candidate.network(), at.test().getFeatures(), batch);
        double testAccuracy = at.validation() == at.test() ? accuracy : Training.accuracy(reference, at.test());
        byte[] onnx = evaluator.exportOnnx(candidate);
        double agreement = OrtThread.call(() -> {
            try (OnnxModel model = new OnnxModel(onnx, at.onnxSample(), 1)) {
                return model.top1Agreement(at.test().getFeatures(), reference, batch);
            }
        });
        long size = CostModel.totalStorageBytes(evaluator.costs(candidate));
        return new Rebuild(candidate, accuracy, testAccuracy, onnx, agreement, size, at);
    }

    /**
     * The recipe fields that describe the model file {@code onnxFile}: its precision, its bytes beside Kompakt's size count,
     * its agreement with the DL4J network, and what its input and output are.
     */
    public void describe(ObjectNode recipe, String onnxFile, SampleSet train) {
        recipe.put("onnx_file", onnxFile);
        recipe.put("onnx_precision", candidate.int8() ? "INT8" : "FP32");
        recipe.put("onnx_bytes", onnx.length);
        recipe.put("size_bytes", sizeBytes);
        recipe.put("onnx_top1_agreement", agreement);
        boolean resized = at.shape().height() != train.rows() || at.shape().width() != train.cols();
        recipe.put("onnx_input", "input: float32 " + (train.shape().tabular() ? "[N, " + train.features() + "], the table's feature columns"
                : "[N, " + train.channels() + ", " + at.shape().height() + ", " + at.shape().width() + "] (NCHW), pixel values scaled to [0, 1]")
                + ", then per channel (x - mean) / std: " + train.normalization().describe()
                + (resized ? "; the " + train.rows() + "x" + train.cols() + " images resized to " + at.shape().height() + "x" + at.shape().width()
                + " first (bilinear, half-pixel centres: ONNX Resize mode linear, PyTorch interpolate align_corners=False)" : ""));
        CompressionPlan plan = candidate.plan();
        if (!plan.architecture().isBaseline()) {
            recipe.put("architecture", plan.architecture().describe());
        }
        recipe.put("data_normalization", train.normalization().describe());
        recipe.put("onnx_output", "output: float32 [N, " + train.classes() + "], class probabilities");
    }
}
