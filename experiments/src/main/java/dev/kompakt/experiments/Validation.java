package dev.kompakt.experiments;

import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * Everything a search reads, checked before anything is written: the spec file (UTF-8, exactly one YAML document, every
 * field and list entry, names that fit the file system, objectives and constraints that trials can report under the
 * spec's settings), the data (headers, counts, sizes, every file read to its end), the user's model (loads, is
 * supported, fits the data) and a warm-start run's journal. {@code kompakt validate} runs exactly this, and {@code
 * kompakt search} runs it first ({@link SearchRunner#run}); every problem is a {@link SpecException} (exit 2) naming the
 * file or the field path.
 */
public final class Validation {
    private Validation() {
    }

    /**
     * A spec and its inputs, read and checked.
     *
     * @param userModel the model of {@code baseline.model}, checked against the data; null when the spec names none
     */
    public record Checked(ExperimentSpec spec, String specText, RunData data, Baselines.Baseline userModel) {
    }

    /** The spec file, then everything it names ({@link #inputs}). */
    public static Checked check(Path specFile, Set<String> knownDevices) throws IOException {
        String text = SpecLoader.read(specFile);
        ExperimentSpec spec = SpecLoader.parse(text, specFile.toString(), specFile.toAbsolutePath().getParent(), knownDevices);
        return inputs(spec, text, knownDevices);
    }

    /** The inputs of a spec already loaded: its data, its model, and the earlier run it warm-starts from. */
    public static Checked inputs(ExperimentSpec spec, String specText, Set<String> knownDevices) throws IOException {
        RunData data = RunData.load(spec);
        Baselines.Baseline model = spec.baseline().model() != null ? Baselines.load(spec, data.train()) : null;
        Path warm = spec.search().warmStart();
        if (warm != null) {
            try {
                RecordedRun.load(warm, knownDevices).trials();
            } catch (SpecException e) {
                String where = e.source().equals(warm.toString()) ? "" : e.source() + ": ";
                throw new SpecException(warm.toString(), e.problems().stream().map(p -> "search.warmStart: " + where + p).toList());
            } catch (IOException | RuntimeException e) {
                throw new SpecException(warm.toString(), List.of("search.warmStart: " + warm + " cannot be read as a run ("
                        + dev.kompakt.evaluator.net.ModelFiles.describe(e) + ")"));
            }
        }
        return new Checked(spec, specText, data, model);
    }
}
