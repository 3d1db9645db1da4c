package dev.kompakt.experiments;

import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.pareto.ParetoFront;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run directory holds, read back: the spec as it ran ({@code spec.yaml}), the events of its journal and
 * the trials they describe, its provenance, and the baseline's metrics. Used by report, export and resume.
 */
public record RecordedRun(Path dir, String specText, ExperimentSpec spec, List<JournalEvent> events, List<Trial> trials,
                          Map<String, String> provenance, Map<String, Double> baseline) {

    public static RecordedRun load(Path dir, Set<String> knownDevices) throws IOException {
        Path journal = dir.resolve(RunFiles.JOURNAL);
        if (!Files.isRegularFile(journal)) {
            throw new SpecException(dir.toString(), List.of("not a run directory: " + journal + " not found"));
        }
        Path specFile = dir.resolve(RunFiles.SPEC_COPY);
        ExperimentSpec spec = SpecLoader.loadRunCopy(specFile, knownDevices);
        List<JournalEvent> events = TrialJournal.read(journal);
        Map<String, String> provenance = Files.isRegularFile(dir.resolve(RunFiles.PROVENANCE))
                ? new LinkedHashMap<>(RunFiles.readProvenance(dir)) : new LinkedHashMap<>();
        Map<String, Double> baseline = new LinkedHashMap<>();
        Path baselineFile = dir.resolve(RunFiles.BASELINE);
        if (Files.isRegularFile(baselineFile)) {
            RunFiles.JSON.readTree(baselineFile.toFile()).fields().forEachRemaining(f -> baseline.put(f.getKey(), f.getValue().asDouble()));
        }
        return new RecordedRun(dir, Files.readString(specFile), spec, events, TrialJournal.replay(events), provenance, baseline);
    }

    public RunSummary summary() {
        return new RunSummary(spec.name(), spec.search().objectives(), spec.search().constraints(), trials,
                ParetoFront.of(trials, spec.search().objectives(), spec.search().constraints()), baseline, provenance);
    }
}
