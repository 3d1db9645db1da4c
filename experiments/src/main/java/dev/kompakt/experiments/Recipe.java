package dev.kompakt.experiments;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.strategies.plan.CompressionPlan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code recipe.json} as {@code kompakt export} (and {@code kompakt apply}) writes it, read back to apply it to a model
 * outside its run: what to build (the plan, the training budget and the seed) and how the run read its data (the spec's
 * {@code data} section without its path, the run's seed, which chose the subsets and the validation split, and whether the
 * run split its data as before validation splits existed). Every problem of the file is a {@link SpecException} naming it
 * and the field.
 *
 * @param file             where it was read
 * @param run              the run it came from
 * @param trial            the trial of that run
 * @param plan             the compression plan
 * @param budget           the training budget
 * @param seed             the trial's training seed
 * @param data             the run's data section (spec syntax, no {@code path}), checked by {@link #data(Path, String)}
 * @param dataSeed         the run's seed
 * @param legacySplit      whether the run's data had no validation split ({@link RunData#LEGACY})
 * @param recordedAccuracy the accuracy of the recipe's model on the validation samples (its {@code rebuilt_accuracy})
 * @param runAccuracy      the trial's accuracy as the run measured it ({@code metrics.accuracy}; NaN when absent)
 * @param json             the whole file
 */
public record Recipe(Path file, String run, int trial, CompressionPlan plan, TrainingBudget budget, long seed, JsonNode data, long dataSeed,
                     boolean legacySplit, double recordedAccuracy, double runAccuracy, ObjectNode json) {
    /** Plans and budgets as the Spark wire reads them: records carry derived properties (e.g. a plan's "baseline") that are not fields. */
    private static final ObjectMapper READER = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The recipe fields that say how the run read its data: its {@code data} section (no path), seed and split. */
    static void putData(ObjectNode recipe, ExperimentSpec spec, String split, Path directory) {
        ExperimentSpec.Data d = spec.data();
        ObjectNode n = recipe.putObject("data");
        n.put("format", d.format());
        if (d.path() == null) {
            n.put("dataset", d.dataset());
        }
        n.put("trainSamples", d.trainSamples());
        n.put("testSamples", d.testSamples());
        n.put("validationFraction", d.validationFraction());
        if (d.image() != null) {
            n.putObject("image").put("height", d.image().height()).put("width", d.image().width()).put("channels", d.image().channels());
        }
        if (d.format().equals("csv")) {
            n.put("labelColumn", d.labelColumn());
        }
        if (d.format().equals("cifar100")) {
            n.put("labels", d.coarseLabels() ? "coarse" : "fine");
        }
        if (d.normalization().equals("fixed")) {
            ObjectNode norm = n.putObject("normalization");
            d.mean().forEach(norm.putArray("mean")::add);
            d.std().forEach(norm.putArray("std")::add);
        } else {
            n.put("normalization", d.normalization());
        }
        recipe.put("data_seed", spec.seed());
        recipe.put("data_split", split);
        recipe.put("data_directory", directory.toAbsolutePath().toString());
    }

    /** Reads and checks {@code file}. */
    public static Recipe read(Path file) throws IOException {
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new SpecException(source, List.of("recipe file not found"));
        }
        JsonNode root;
        try {
            root = RunFiles.JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new SpecException(source, List.of("not JSON (a recipe.json written by kompakt export): " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")")));
        }
        if (root == null || !root.isObject()) {
            throw new SpecException(source, List.of("must be a JSON object (a recipe.json written by kompakt export)"));
        }
        List<String> problems = new ArrayList<>();
        for (String field : List.of("plan", "budget", "seed", "data", "data_seed", "data_split")) {
            if (!root.has(field) || root.get(field).isNull()) {
                problems.add(field + ": missing" + (field.startsWith("data") ? " (recipes exported before Kompakt recorded the data settings "
                        + "lack it: export the trial again)" : ""));
            }
        }
        if (!problems.isEmpty()) {
            throw new SpecException(source, problems);
        }
        CompressionPlan plan = value(root, "plan", CompressionPlan.class, problems);
        TrainingBudget budget = value(root, "budget", TrainingBudget.class, problems);
        long seed = integral(root, "seed", problems);
        long dataSeed = integral(root, "data_seed", problems);
        JsonNode data = root.get("data");
        if (!data.isObject()) {
            problems.add("data: must be an object (the run's spec data section)");
        }
        String split = root.get("data_split").asText();
        if (!root.get("data_split").isTextual() || split.isBlank()) {
            problems.add("data_split: must be the run's split description, or " + RunData.LEGACY);
        }
        if (budget != null && (budget.fineTuneEpochs() < 0 || budget.studentEpochs() < 0 || budget.batchSize() < 1 || budget.trainSamples() < 0)) {
            problems.add("budget: epochs and samples must be >= 0 and batchSize >= 1, got " + root.get("budget"));
        }
        double recorded = number(root.get("rebuilt_accuracy"));
        double run = number(root.path("metrics").get("accuracy"));
        if (Double.isNaN(recorded) && Double.isNaN(run)) {
            problems.add("rebuilt_accuracy: missing (the accuracy the recipe's model reached, to compare with)");
        }
        if (!problems.isEmpty()) {
            throw new SpecException(source, problems);
        }
        return new Recipe(file, root.path("run").asText("?"), root.path("trial").asInt(-1), plan, budget, seed, data, dataSeed,
                split.equals(RunData.LEGACY), Double.isNaN(recorded) ? run : recorded, run, (ObjectNode) root);
    }

    /**
     * The run's data settings for data in {@code dir}, in {@code format} (null: the run's): checked as a spec's {@code data}
     * section is, every problem named with its field.
     */
    public ExperimentSpec.Data data(Path dir, String format) {
        ObjectNode section = data.deepCopy();
        if (format != null) {
            section.put("format", format);
        }
        return SpecLoader.data(section, dir, file.toString());
    }

    private static <T> T value(JsonNode root, String field, Class<T> type, List<String> problems) {
        try {
            return READER.treeToValue(root.get(field), type);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            problems.add(field + ": cannot be read as a " + type.getSimpleName() + " (" + (m == null ? "malformed" : m.lines().findFirst().orElse(m)) + ")");
            return null;
        }
    }

    private static long integral(JsonNode root, String field, List<String> problems) {
        JsonNode n = root.get(field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            problems.add(field + ": must be an integer, got " + n);
            return 0;
        }
        return n.asLong();
    }

    private static double number(JsonNode n) {
        return n != null && n.isNumber() ? n.asDouble() : Double.NaN;
    }
}
