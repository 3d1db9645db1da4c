package dev.kompakt.experiments;

import dev.kompakt.evaluator.data.ImageDataset;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.ModelBytes;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.strategies.PruningMasks;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The baseline network of a run: loaded from the spec's saved DL4J model, or trained and cached by content
 * hash (training data, architecture, hyper-parameters, seed), so a rerun does not retrain. The cache lives in
 * {@code $KOMPAKT_CACHE} or {@code ~/.cache/kompakt}, under {@code baselines/<sha256>.zip}.
 */
public final class Baselines {
    private static final Logger LOG = LoggerFactory.getLogger(Baselines.class);

    private Baselines() {
    }

    /** The baseline network and where it came from ("trained", "cache", or the model file). */
    public record Baseline(MultiLayerNetwork network, String source, String key) {
    }

    public static Path cacheDir() {
        String env = System.getenv("KOMPAKT_CACHE");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "kompakt");
    }

    public static Baseline obtain(ExperimentSpec spec, Architecture arch, ImageDataset train) throws IOException {
        ExperimentSpec.Baseline b = spec.baseline();
        if (b.model() != null) {
            MultiLayerNetwork net;
            try {
                net = ModelBytes.read(Files.readAllBytes(b.model()));
            } catch (RuntimeException e) {
                throw new IOException(b.model() + ": not a DL4J MultiLayerNetwork model file (" + e.getMessage() + ")", e);
            }
            long inputs = net.layerInputSize(0);
            if (inputs != train.features() && arch.family() == Architecture.Family.MLP) {
                throw new IOException(b.model() + ": model takes " + inputs + " inputs but the data has " + train.features() + " pixels");
            }
            return new Baseline(net, b.model().toString(), "file");
        }
        String key = key(spec, arch, train);
        Path cached = cacheDir().resolve("baselines").resolve(key + ".zip");
        if (Files.isRegularFile(cached)) {
            try {
                MultiLayerNetwork net = ModelBytes.read(Files.readAllBytes(cached));
                LOG.info("baseline loaded from cache {}", cached);
                return new Baseline(net, "cache " + cached, key);
            } catch (RuntimeException e) {
                LOG.warn("ignoring unreadable cached baseline {} ({}); retraining", cached, e.getMessage());
            }
        }
        LOG.info("training baseline {} for {} epochs on {} samples", arch.family(), b.epochs(), train.size());
        MultiLayerNetwork net = NetworkFactory.build(arch, train.rows(), train.cols(), train.classes(), spec.seed(), b.learningRate(), null);
        Training.fit(net, Tensors.toDataSet(train), b.epochs(), b.batchSize(), PruningMasks.none(), spec.seed());
        Files.createDirectories(cached.getParent());
        Path tmp = Files.createTempFile(cached.getParent(), key, ".part");
        Files.write(tmp, ModelBytes.write(net));
        Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return new Baseline(net, "trained (cached as " + cached + ")", key);
    }

    static String key(ExperimentSpec spec, Architecture arch, ImageDataset train) {
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
