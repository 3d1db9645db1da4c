package dev.kompakt.experiments;

import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.search.Trial;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Kompakt from Java: the commands a production pipeline needs, as static methods that do what {@code kompakt search},
 * {@code export} and {@code apply} do (the same checks: bad input is a {@link dev.kompakt.experiments.spec.SpecException}
 * naming the file or field, with nothing written). Progress goes to {@code System.out}; searches run on embedded Spark
 * ({@code local[*]}) and the built-in hardware profiles. README.md, "Java API", shows them together.
 */
public final class Kompakt {
    private Kompakt() {
    }

    /**
     * A finished search.
     *
     * @param dir   its run directory ({@code trials.jsonl}, {@code pareto.json}, {@code report.html}, ...)
     * @param front its Pareto front, sorted by the spec's first objective
     */
    public record Run(Path dir, List<Trial> front) {
        public Run {
            front = List.copyOf(front);
        }
    }

    /** Runs the search of the spec file {@code spec} into a new directory {@code runsDir/<name>} (like {@code kompakt search}). */
    public static Run search(Path spec, Path runsDir) throws IOException {
        Validation.Checked checked = Validation.check(spec, ProfileRegistry.builtIn().all().keySet());
        SearchRunner.Result result = SearchRunner.run(checked, new SearchRunner.Options(null, null, runsDir, null, null), System.out);
        return new Run(result.runDir(), result.summary().front());
    }

    /**
     * Rebuilds trial {@code trial} of the run in {@code runDir} and writes {@code model.onnx} and {@code recipe.json} into
     * {@code out}, which must not hold files yet (like {@code kompakt export --out}); returns the recipe file.
     */
    public static Path export(Path runDir, int trial, Path out) throws IOException {
        return Exporter.export(runDir, trial, out, false, ProfileRegistry.builtIn(), System.out).recipe();
    }

    /** Reads and checks a {@code recipe.json} written by {@code kompakt export} (or {@code apply}). */
    public static Recipe loadRecipe(Path file) throws IOException {
        return Recipe.read(file);
    }

    /**
     * Applies {@code recipe} to the model in {@code model} (a DL4J zip or a Keras {@code .h5}) with the data in {@code data}
     * (in the format the recipe's run used), like {@code kompakt apply} without writing files: the compressed network, its
     * ONNX bytes and its accuracy on the data's validation samples.
     */
    public static Applier.Applied apply(Recipe recipe, Path model, Path data) throws IOException {
        return Applier.apply(recipe, model, data, null, System.out);
    }
}
