package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
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
 * Rebuilds one trial of a finished run from its recipe (the trial's parameters, the run's budget and the trial's seed)
 * and writes {@code model.onnx} (its deployment form: INT8 when its weights have at most 8 bits) and {@code recipe.json}.
 * Training is deterministic for a seed, so the rebuilt model is the one that was measured; the recipe records the
 * journal's accuracy beside the rebuilt one so any difference shows, and how the run read its data, so that
 * {@link Applier} can apply it to a model outside the run.
 */
public final class Exporter {
    private Exporter() {
    }

    /**
     * What an export wrote and measured: the accuracy the run measured ({@code journalAccuracy}) beside the rebuilt one, Kompakt's
     * size count beside the ONNX file's bytes, and the executor that ran the trial.
     */
    public record Exported(Path model, Path recipe, double journalAccuracy, double rebuiltAccuracy, long sizeBytes, long onnxBytes,
                           String worker) {
    }

    /**
     * Exports trial {@code number} of the run in {@code runDir} to {@code out} (null: {@code RUN_DIR/export/trial-N}): a trial
     * that is not there or not COMPLETE, and an output directory {@link #requireOutput} refuses, are a {@link SpecException}
     * (exit 2) before anything is built or written.
     */
    public static Exported export(Path runDir, int number, Path out, boolean force, ProfileRegistry profiles, PrintStream console)
            throws IOException {
        RecordedRun run = RecordedRun.load(runDir, profiles.all().keySet());
        List<Trial> trials = run.trials();
        if (number < 0 || number >= trials.size() || trials.get(number).state() != TrialState.COMPLETE) {
            throw new SpecException(runDir.toString(), List.of("--trial " + number + ": " + (number < 0 || number >= trials.size()
                    ? "no such trial (the run has " + trials.size() + ")" : "the trial is " + trials.get(number).state() + ", not COMPLETE")));
        }
        Path dir = out != null ? out : runDir.resolve("export").resolve("trial-" + number);
        requireOutput(dir, force);
        Map<String, String> provenance = new java.util.LinkedHashMap<>(run.provenance());
        if (!run.legacySplit()) {
            provenance.putIfAbsent("data.split", "(provenance.json unreadable: the split of this version)");
        }
        return export(runDir, run.spec(), trials, number, provenance, profiles, dir, console);
    }

    /**
     * Refuses (a {@link SpecException}, exit 2) an output directory that exists and is not empty, unless {@code force}, and
     * a path that is not a directory: called before anything is built or written.
     */
    public static void requireOutput(Path dir, boolean force) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(dir)) {
            throw new SpecException(dir.toString(), List.of("exists and is not a directory: give --out a directory"));
        }
        boolean empty;
        try (var entries = Files.list(dir)) {
            empty = entries.findAny().isEmpty();
        }
        if (!empty && !force) {
            throw new SpecException(dir.toString(), List.of("already exists and is not empty (an earlier export or apply?): nothing was written; "
                    + "pass --force to replace the files it writes there, or --out another directory"));
        }
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
        RunSetup setup = RunSetup.recorded(spec, provenance, profiles, console);
        SampleSet train = setup.data().train();
        Baselines.Baseline baseline = setup.baseline();
        console.printf("baseline: %s%n", baseline.source());
        CompressionPlan plan = RunSetup.plan(spec, trial.assignment());
        TrainingBudget budget = setup.budget();
        long seed = RunSetup.trialSeed(spec, number);
        console.printf("rebuilding trial %d: %s%n", number, trial.assignment().values());
        // the same splits as the run's executors: the validation samples decide INT8 calibration and `accuracy`
        Rebuild rebuilt = Rebuild.of(baseline.network(), setup.data(), plan, budget, seed);

        Files.createDirectories(outDir);
        Path modelFile = outDir.resolve("model.onnx");
        AtomicFiles.write(modelFile, rebuilt.onnx());
        ObjectNode recipe = RunFiles.JSON.createObjectNode();
        recipe.put("run", spec.name());
        recipe.put("trial", number);
        recipe.set("params", RunFiles.JSON.valueToTree(trial.assignment().values()));
        recipe.set("plan", RunFiles.JSON.valueToTree(plan));
        recipe.set("budget", RunFiles.JSON.valueToTree(budget));
        recipe.put("seed", seed);
        recipe.put("baseline", baseline.source());
        Recipe.putData(recipe, spec, setup.data().split(), setup.data().directory());
        recipe.set("metrics", RunFiles.JSON.valueToTree(trial.metrics()));
        recipe.put("rebuilt_accuracy", rebuilt.accuracy());
        recipe.put("rebuilt_test_accuracy", rebuilt.testAccuracy());
        rebuilt.describe(recipe, modelFile.getFileName().toString(), train);
        Path recipeFile = outDir.resolve("recipe.json");
        AtomicFiles.writeJson(recipeFile, recipe);
        Double journal = trial.metric("accuracy");
        return new Exported(modelFile, recipeFile, journal == null ? Double.NaN : journal, rebuilt.accuracy(), rebuilt.sizeBytes(),
                rebuilt.onnx().length, trial.worker());
    }
}
