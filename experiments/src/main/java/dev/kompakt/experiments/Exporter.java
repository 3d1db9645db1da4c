package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.EvaluationContext;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.evaluator.onnx.OnnxModel;
import dev.kompakt.evaluator.onnx.OrtThread;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.strategies.plan.CompressionPlan;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds one trial of a finished run from its recipe (the trial's parameters, the run's budget and the
 * trial's seed) and writes {@code model.onnx} (its deployment form: INT8 when its weights have at most 8 bits)
 * and {@code recipe.json}. Training is deterministic for a seed, so the rebuilt model is the one that was
 * measured; the recipe records the journal's accuracy beside the rebuilt one so any difference shows.
 */
public final class Exporter {
    private Exporter() {
    }

    public record Exported(Path model, Path recipe, double journalAccuracy, double rebuiltAccuracy) {
    }

    public static Exported export(Path runDir, ExperimentSpec spec, List<Trial> trials, int number, Map<String, String> provenance,
                                  ProfileRegistry profiles, Path outDir, PrintStream console) throws IOException {
        if (number < 0 || number >= trials.size()) {
            throw new IllegalArgumentException("run " + runDir + " has no trial " + number + " (it has " + trials.size() + ")");
        }
        Trial trial = trials.get(number);
        if (trial.state() != TrialState.COMPLETE) {
            throw new IllegalArgumentException("trial " + number + " is " + trial.state() + ", not COMPLETE: there is no model to export");
        }
        RunSetup setup = RunSetup.recorded(spec, provenance, profiles);
        SampleSet train = setup.data().train();
        SampleSet test = setup.data().test();
        Baselines.Baseline baseline = setup.baseline();
        console.printf("baseline: %s%n", baseline.source());
        // the same splits as the run's executors: the validation samples decide INT8 calibration and `accuracy`
        EvaluationContext context = new EvaluationContext(baseline.network(), train, setup.data().validation(), test, Double.NaN, 1, List.of());
        CandidateEvaluator evaluator = new CandidateEvaluator(context, new LatencyProbe(0, 1));
        CompressionPlan plan = RunSetup.plan(spec, trial.assignment());
        TrainingBudget budget = setup.budget();
        long seed = RunSetup.trialSeed(spec, number);
        console.printf("rebuilding trial %d: %s%n", number, trial.assignment().values());
        CandidateEvaluator.Candidate candidate = evaluator.build(plan, budget, seed);
        EvaluationContext at = evaluator.contextFor(plan);   // the data at the candidate's input size
        double accuracy = Training.accuracy(candidate.network(), at.validation());   // what the journal's `accuracy` measured
        double testAccuracy = at.validation() == at.test() ? accuracy : Training.accuracy(candidate.network(), at.test());
        byte[] onnx = evaluator.exportOnnx(candidate);
        double agreement = OrtThread.call(() -> {
            try (OnnxModel model = new OnnxModel(onnx, at.onnxSample(), 1)) {
                return model.top1Agreement(at.test().getFeatures(), Training.predict(candidate.network(), at.test().getFeatures()));
            }
        });

        Files.createDirectories(outDir);
        Path modelFile = outDir.resolve("model.onnx");
        AtomicFiles.write(modelFile, onnx);
        ObjectNode recipe = RunFiles.JSON.createObjectNode();
        recipe.put("run", spec.name());
        recipe.put("trial", number);
        recipe.set("params", RunFiles.JSON.valueToTree(trial.assignment().values()));
        recipe.set("plan", RunFiles.JSON.valueToTree(plan));
        recipe.set("budget", RunFiles.JSON.valueToTree(budget));
        recipe.put("seed", seed);
        recipe.put("baseline", baseline.source());
        recipe.set("metrics", RunFiles.JSON.valueToTree(trial.metrics()));
        recipe.put("rebuilt_accuracy", accuracy);
        recipe.put("rebuilt_test_accuracy", testAccuracy);
        recipe.put("onnx_file", modelFile.getFileName().toString());
        recipe.put("onnx_precision", candidate.int8() ? "INT8" : "FP32");
        recipe.put("onnx_bytes", onnx.length);
        recipe.put("onnx_top1_agreement", agreement);
        boolean resized = at.shape().height() != train.rows() || at.shape().width() != train.cols();
        recipe.put("onnx_input", "input: float32 " + (train.shape().tabular() ? "[N, " + train.features() + "], the table's feature columns"
                : "[N, " + train.channels() + ", " + at.shape().height() + ", " + at.shape().width() + "] (NCHW), pixel values scaled to [0, 1]")
                + ", then per channel (x - mean) / std: " + train.normalization().describe()
                + (resized ? "; the " + train.rows() + "x" + train.cols() + " images resized to " + at.shape().height() + "x" + at.shape().width()
                + " first (bilinear, half-pixel centres: ONNX Resize mode linear, PyTorch interpolate align_corners=False)" : ""));
        if (!plan.architecture().isBaseline()) {
            recipe.put("architecture", plan.architecture().describe());
        }
        recipe.put("data_normalization", train.normalization().describe());
        recipe.put("onnx_output", "output: float32 [N, " + train.classes() + "], class probabilities");
        Path recipeFile = outDir.resolve("recipe.json");
        AtomicFiles.writeJson(recipeFile, recipe);
        Double journal = trial.metric("accuracy");
        return new Exported(modelFile, recipeFile, journal == null ? Double.NaN : journal, accuracy);
    }
}
