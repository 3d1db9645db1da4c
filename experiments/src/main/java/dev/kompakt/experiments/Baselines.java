package dev.kompakt.experiments;

import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.BatchNormStatistics;
import dev.kompakt.evaluator.net.ModelBytes;
import dev.kompakt.evaluator.net.ModelFiles;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Networks;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.strategies.pruning.PruningMasks;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The baseline network of a run: the user's model (spec field {@code baseline.model}: a DL4J ComputationGraph or
 * MultiLayerNetwork zip, or a Keras {@code .h5} file), checked against the data and refused when Kompakt cannot compress
 * it exactly; or a built-in family trained and cached by content hash (training data, architecture, hyper-parameters,
 * seed), so a rerun does not retrain. The cache lives in {@code $KOMPAKT_CACHE} or {@code ~/.cache/kompakt}, under
 * {@code baselines/<sha256>.zip}; caches written by earlier versions (MultiLayerNetwork zips) are read and converted.
 */
public final class Baselines {
    private static final Logger LOG = LoggerFactory.getLogger(Baselines.class);

    private Baselines() {
    }

    /** The baseline network (taking flat inputs) and where it came from ("trained", "cache", or the model file). */
    public record Baseline(ComputationGraph network, String source, String key) {
    }

    /** Kompakt's cache: the system property {@code kompakt.cache}, else {@code $KOMPAKT_CACHE}, else {@code ~/.cache/kompakt}. */
    public static Path cacheDir() {
        String property = System.getProperty("kompakt.cache");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        String env = System.getenv("KOMPAKT_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "kompakt");
    }

    /**
     * The user's model of {@code spec} (which must name one), checked against the data: every reason it cannot be used
     * is a {@link SpecException} on field {@code baseline.model} (the caller writes nothing).
     */
    public static Baseline load(ExperimentSpec spec, SampleSet train) {
        return load(spec.baseline().model(), train, "baseline.model");
    }

    /**
     * The model in {@code file} (a DL4J zip or a Keras {@code .h5}), checked against the data: every reason it cannot be
     * used is a {@link SpecException} on {@code file}, each problem starting with {@code field} (the spec field or the
     * command-line option that named the file).
     */
    public static Baseline load(Path file, SampleSet train, String field) {
        ComputationGraph net;
        try {
            net = ModelFiles.read(file);
        } catch (IllegalArgumentException e) {
            throw new SpecException(file.toString(), List.of(field + ": " + e.getMessage()));
        } catch (RuntimeException e) {
            throw new SpecException(file.toString(), List.of(field + ": " + file + ": cannot be read as a model ("
                    + ModelFiles.describe(e) + ")"));
        }
        List<String> problems;
        try {
            problems = Networks.check(net, train.shape(), train.classes());
            if (problems.isEmpty()) {
                return new Baseline(Networks.acceptFlatInput(net, train.shape()), file.toString(), "file");
            }
        } catch (SpecException e) {
            throw e;
        } catch (RuntimeException e) {
            problems = List.of(file + ": does not fit the data " + train.shape() + " with " + train.classes() + " classes ("
                    + ModelFiles.describe(e) + ")");
        }
        throw new SpecException(file.toString(), problems.stream().map(p -> field + ": " + p).toList());
    }

    /** {@link #obtain(ExperimentSpec, Architecture, SampleSet, PrintStream)} telling only the log what it does. */
    public static Baseline obtain(ExperimentSpec spec, Architecture arch, SampleSet train) throws IOException {
        return obtain(spec, arch, train, new PrintStream(OutputStream.nullOutputStream()));
    }

    /**
     * The spec's baseline: the user's model ({@link #load}), else the built-in family from the cache, else trained (and
     * cached). Before it trains, {@code console} says so and why: the cache has no such baseline (a new one, or the cache
     * was cleared or is another machine's) or the cached file cannot be read.
     */
    public static Baseline obtain(ExperimentSpec spec, Architecture arch, SampleSet train, PrintStream console) throws IOException {
        ExperimentSpec.Baseline b = spec.baseline();
        if (b.model() != null) {
            return load(spec, train);
        }
        String key = key(spec, arch, train);
        Path cached = cacheDir().resolve("baselines").resolve(key + ".zip");
        String why = "not in the cache (" + cached + " does not exist)";
        if (Files.isRegularFile(cached)) {
            try {
                ComputationGraph net = ModelBytes.read(Files.readAllBytes(cached));
                LOG.info("baseline loaded from cache {}", cached);
                return new Baseline(net, "cache " + cached, key);
            } catch (RuntimeException e) {
                LOG.warn("ignoring unreadable cached baseline {} ({}); retraining", cached, e.getMessage());
                why = "the cached " + cached + " cannot be read (" + ModelFiles.describe(e) + ")";
            }
        }
        console.printf("baseline: %s: training %s for %d epochs on %d samples (seed %d)%n", why, arch.family(), b.epochs(), train.size(),
                spec.seed());
        LOG.info("training baseline {} for {} epochs on {} samples", arch.family(), b.epochs(), train.size());
        ComputationGraph net = NetworkFactory.build(arch, train.shape(), train.classes(), spec.seed(), b.learningRate(), null);
        org.nd4j.linalg.dataset.DataSet data = Tensors.toDataSet(train);
        Training.fit(net, data, b.epochs(), b.batchSize(), PruningMasks.none(), spec.seed());
        // inference uses statistics of the final weights, as every candidate's do (CandidateEvaluator); the built-in
        // baselines have no batch norm today, so this changes no cached baseline
        BatchNormStatistics.recalibrate(net, data.getFeatures(), b.batchSize());
        AtomicFiles.write(cached, ModelBytes.write(net));
        return new Baseline(net, "trained (cached as " + cached + ")", key);
    }

    static String key(ExperimentSpec spec, Architecture arch, SampleSet train) {
        ExperimentSpec.Baseline b = spec.baseline();
        String recipe = String.join("|", "v1", train.sha256(), arch.family().name(), Double.toString(arch.width()),
                Integer.toString(b.epochs()), Integer.toString(b.batchSize()), Double.toString(b.learningRate()),
                Long.toString(spec.seed()));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(recipe.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
