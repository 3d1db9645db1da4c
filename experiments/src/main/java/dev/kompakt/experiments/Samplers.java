package dev.kompakt.experiments;

import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.search.Trial;
import dev.kompakt.search.journal.JournalEvent;
import dev.kompakt.search.journal.TrialJournal;
import dev.kompakt.search.sampler.MotpeSampler;
import dev.kompakt.search.sampler.Nsga2Sampler;
import dev.kompakt.search.sampler.QmcSampler;
import dev.kompakt.search.sampler.RandomSampler;
import dev.kompakt.search.sampler.Sampler;
import dev.kompakt.search.sampler.WarmStart;
import dev.kompakt.strategies.WeightTensors;
import dev.kompakt.strategies.plan.CompressionSpace;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/** The search space and the sampler of a spec, and the warm-start trials a run keeps for them. */
public final class Samplers {
    private Samplers() {
    }

    /**
     * The search space of the spec's strategies for {@code baseline}: a mixed-precision range searches the bits of the
     * baseline's own weight layers.
     */
    static SearchSpace space(ExperimentSpec spec, ComputationGraph baseline) {
        List<String> layers = WeightTensors.of(baseline).stream().map(WeightTensors.Target::layerName).distinct().toList();
        return CompressionSpace.of(spec.strategies().withLayers(layers));
    }

    /** The spec's sampler, seeded with the study seed. */
    static Sampler of(ExperimentSpec spec) {
        ExperimentSpec.Search s = spec.search();
        return switch (s.sampler()) {
            case "random" -> new RandomSampler(spec.seed());
            case "sobol" -> new QmcSampler(spec.seed());
            case "nsga2" -> new Nsga2Sampler(spec.seed(), s.populationSize());
            case "motpe" -> new MotpeSampler(spec.seed(), MotpeSampler.Settings.defaults().withStartupTrials(s.startupTrials()));
            default -> throw new IllegalArgumentException("search.sampler: unknown sampler '" + s.sampler() + "'");
        };
    }

    /** The spec's sampler, warm-started with {@code prior} trials of {@code space} when there are any. */
    static Sampler of(ExperimentSpec spec, SearchSpace space, List<Trial> prior) {
        Sampler sampler = of(spec);
        return prior.isEmpty() ? sampler : WarmStart.of(sampler, prior, space, spec.search().objectives());
    }

    /**
     * Reads the earlier run named by {@code search.warmStart}, keeps the trials that can inform this study
     * ({@link WarmStart#usable}) and copies them, numbered from 0, into this run's {@link RunFiles#WARM_START}, so a
     * resumed run learns from exactly the same trials even if the earlier run directory has moved on.
     */
    static List<Trial> copyWarmStart(ExperimentSpec spec, SearchSpace space, Path runDir, java.util.Set<String> knownDevices)
            throws IOException {
        Path source = spec.search().warmStart();
        if (source == null) {
            return List.of();
        }
        RecordedRun earlier = RecordedRun.load(source, knownDevices);
        List<Trial> usable = WarmStart.usable(earlier.trials(), space, spec.search().objectives());
        // written next to its place and renamed into it, so that a kill leaves either the whole copy or none (resume copies it then)
        Path target = runDir.resolve(RunFiles.WARM_START);
        Path tmp = runDir.resolve("." + RunFiles.WARM_START + ".tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Files.deleteIfExists(tmp);
        try (TrialJournal copy = TrialJournal.open(tmp)) {
            copy.append(new JournalEvent.Started(earlier.spec().name(), Provenance.sha256(earlier.specText()), earlier.spec().seed(),
                    Instant.now().toString()));
            for (int i = 0; i < usable.size(); i++) {
                Trial t = usable.get(i);
                String started = t.started() == null ? Instant.now().toString() : t.started().toString();
                String finished = t.finished() == null ? started : t.finished().toString();
                copy.append(new JournalEvent.Asked(i, t.assignment().values(), started));
                copy.append(new JournalEvent.Finished(i, t.state(), t.metrics(), t.error(), t.worker(), finished));
            }
        }
        Files.move(tmp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return recordedWarmStart(runDir);
    }

    /** The warm-start trials recorded in a run directory, or none. */
    static List<Trial> recordedWarmStart(Path runDir) throws IOException {
        Path file = runDir.resolve(RunFiles.WARM_START);
        return Files.isRegularFile(file) ? TrialJournal.load(file).trials() : List.of();
    }
}
