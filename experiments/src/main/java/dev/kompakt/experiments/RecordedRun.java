package dev.kompakt.experiments;

import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.pareto.ParetoFront;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a run directory holds, read back: the spec as it ran ({@code spec.yaml}), the events of its journal and
 * the trials they describe, its provenance, and the baseline's metrics. Used by report, export and resume.
 * A damaged journal (a bad line, a checksum that does not follow, an impossible sequence of events) is refused, naming the
 * file and line. The other files are not needed to rebuild the trials: a provenance.json or baseline.json that is
 * missing or cannot be read (a run killed before it was written, or damaged) is read as empty, with a warning naming it,
 * and listed in {@code unreadable}; resume rebuilds them.
 *
 * @param unreadable     side files that exist but could not be read, each with the reason
 * @param journalChecked whether the journal carries checksums on every line, i.e. was begun by this version or a later one
 */
public record RecordedRun(Path dir, String specText, ExperimentSpec spec, List<JournalEvent> events, List<Trial> trials,
                          Map<String, String> provenance, Map<String, Double> baseline, List<String> unreadable,
                          boolean journalChecked) {
    private static final Logger LOG = LoggerFactory.getLogger(RecordedRun.class);

    /** A run whose files were all read. */
    public RecordedRun(Path dir, String specText, ExperimentSpec spec, List<JournalEvent> events, List<Trial> trials,
                       Map<String, String> provenance, Map<String, Double> baseline) {
        this(dir, specText, spec, events, trials, provenance, baseline, List.of(), false);
    }

    /**
     * Whether the run's data are split as before validation splits existed: its provenance has no {@code data.split}.
     * A provenance.json lost or unreadable says nothing; then a journal with checksums tells that the run was begun by a
     * version that records (and uses) the split.
     */
    public boolean legacySplit() {
        return !provenance.containsKey("data.split") && !journalChecked;
    }

    /** Refuses a directory without a journal (not a run, or a search killed before it wrote one), writing nothing. */
    public static void requireRunDirectory(Path dir) {
        Path journal = dir.resolve(RunFiles.JOURNAL);
        if (!Files.isRegularFile(journal)) {
            throw new SpecException(dir.toString(), List.of("not a run directory: " + journal + " not found"
                    + (Files.isRegularFile(dir.resolve(RunFiles.SPEC_COPY)) ? " (the search stopped before it wrote its journal, so it "
                    + "ran no trial: run `kompakt search` again)" : "")));
        }
    }

    public static RecordedRun load(Path dir, Set<String> knownDevices) throws IOException {
        requireRunDirectory(dir);
        Path journal = dir.resolve(RunFiles.JOURNAL);
        Path specFile = dir.resolve(RunFiles.SPEC_COPY);
        ExperimentSpec spec = SpecLoader.loadRunCopy(specFile, knownDevices);
        TrialJournal.Loaded loaded;
        try {
            loaded = TrialJournal.load(journal);
        } catch (IOException e) {
            if (!Files.isRegularFile(journal)) {
                throw e;
            }
            String message = e.getMessage().startsWith(journal + ": ") ? e.getMessage().substring(journal.toString().length() + 2) : e.getMessage();
            throw new SpecException(journal.toString(), List.of("damaged journal: " + message));
        }
        List<String> unreadable = new ArrayList<>();
        Map<String, String> provenance = new LinkedHashMap<>();
        if (Files.isRegularFile(dir.resolve(RunFiles.PROVENANCE))) {
            try {
                provenance.putAll(RunFiles.readProvenance(dir));
            } catch (RunFiles.UnreadableFileException e) {
                LOG.warn("{}; read as empty (resume rebuilds it)", e.getMessage());
                unreadable.add(e.getMessage());
            }
        }
        Map<String, Double> baseline = new LinkedHashMap<>();
        if (Files.isRegularFile(dir.resolve(RunFiles.BASELINE))) {
            try {
                baseline.putAll(RunFiles.readBaseline(dir));
            } catch (RunFiles.UnreadableFileException e) {
                LOG.warn("{}; read as empty (resume measures the baseline again)", e.getMessage());
                unreadable.add(e.getMessage());
            }
        }
        return new RecordedRun(dir, Files.readString(specFile), spec, loaded.events(), loaded.trials(), provenance, baseline,
                List.copyOf(unreadable), loaded.checked() && !loaded.events().isEmpty());
    }

    public RunSummary summary() {
        return new RunSummary(spec.name(), spec.search().objectives(), spec.search().constraints(), trials,
                ParetoFront.of(trials, spec.search().objectives(), spec.search().constraints()), baseline, provenance);
    }
}
