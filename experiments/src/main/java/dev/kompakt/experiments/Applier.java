package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.evaluator.net.ModelBytes;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Applies a {@link Recipe} to a model outside its run: reads the data the way the run read its own (the recipe's data
 * section, seed and split, from another directory), loads the model as a spec's {@code baseline.model} is loaded and
 * checked against the data, and builds the recipe's plan with its budget and seed through the same path as
 * {@code kompakt export} ({@link Rebuild}). On the run's own model and data it rebuilds the recipe's model exactly.
 * Every problem with the inputs is a {@link SpecException} (exit 2) raised before anything is written.
 */
public final class Applier {
    private Applier() {
    }

    /**
     * A recipe applied.
     *
     * @param rebuild the compressed network, its ONNX model and what was measured
     * @param recipe  the recipe of what was applied ({@code recipe.json}): the input recipe with this model, data and measurements
     */
    public record Applied(Rebuild rebuild, ObjectNode recipe) {
        /** The compressed DL4J network. */
        public ComputationGraph network() {
            return rebuild.candidate().network();
        }

        /** Its ONNX model (INT8 when its weights have at most 8 bits), the bytes of {@code model.onnx}. */
        public byte[] onnx() {
            return rebuild.onnx();
        }

        /** Its accuracy on the validation samples of the data (what a trial's {@code accuracy} measures). */
        public double accuracy() {
            return rebuild.accuracy();
        }
    }

    /**
     * Builds {@code recipe} on the model in {@code modelFile} (a DL4J zip or a Keras {@code .h5}) with the data in
     * {@code dataDir}, read in {@code format} (null: the format the recipe's run used).
     */
    public static Applied apply(Recipe recipe, Path modelFile, Path dataDir, String format, PrintStream console) throws IOException {
        if (format != null && !SpecLoader.FORMATS.contains(format)) {
            throw new SpecException("--format", List.of("unknown data format '" + format + "' (supported: " + String.join(", ", SpecLoader.FORMATS) + ")"));
        }
        if (!Files.isDirectory(dataDir)) {
            throw new SpecException(dataDir.toString(), List.of("--data: not a directory (the data to read, as a spec's data.path)"));
        }
        ExperimentSpec.Data settings = recipe.data(dataDir, format);
        RunData data = RunData.load(settings, recipe.dataSeed(), dataDir, recipe.legacySplit());
        console.printf("data: %s, %s %s, %d classes (%d train, %d validation, %d test samples used)%n", data.directory(), settings.format(),
                data.train().shape(), data.train().classes(), data.train().size(), data.validation().size(), data.test().size());
        Baselines.Baseline model = Baselines.load(modelFile, data.train(), "--model");
        console.printf("applying %s (run %s, trial %d) to %s%n", recipe.file(), recipe.run(), recipe.trial(), modelFile);
        Rebuild rebuilt;
        try {
            rebuilt = Rebuild.of(model.network(), data, recipe.plan(), recipe.budget(), recipe.seed());
        } catch (IllegalArgumentException e) {
            // a plan that names what this model does not have (a layer, an architecture for image data on a table)
            throw new SpecException(recipe.file().toString(), List.of("plan: cannot be applied to " + modelFile + ": " + e.getMessage()));
        }
        ObjectNode out = recipe.json().deepCopy();
        out.put("applied_from", recipe.file().toAbsolutePath().toString());
        out.put("baseline", modelFile.toAbsolutePath().toString());
        ((ObjectNode) out.get("data")).put("format", settings.format());
        out.put("data_directory", data.directory().toAbsolutePath().toString());
        out.put("recipe_accuracy", recipe.recordedAccuracy());
        out.put("rebuilt_accuracy", rebuilt.accuracy());
        out.put("rebuilt_test_accuracy", rebuilt.testAccuracy());
        rebuilt.describe(out, "model.onnx", data.train());
        out.put("model_zip", "model.zip");
        return new Applied(rebuilt, out);
    }

    /** Writes {@code model.onnx}, {@code model.zip} (the compressed DL4J network) and {@code recipe.json} into {@code dir}. */
    public static void write(Applied applied, Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve("model.onnx"), applied.onnx());
        AtomicFiles.write(dir.resolve("model.zip"), ModelBytes.write(applied.network()));
        AtomicFiles.writeJson(dir.resolve("recipe.json"), applied.recipe());
    }
}
