package dev.kompakt.experiments;

import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.experiments.spec.ExperimentSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Where a run's numbers come from (written to provenance.json): the spec and its hash, the data, the baseline, the
 * versions of Kompakt and its libraries, the JVM and the host.
 */
public final class Provenance {
    private static final Logger LOG = LoggerFactory.getLogger(Provenance.class);

    private Provenance() {
    }

    /** The provenance of a new run of {@code spec} (its text hashed to {@code specHash}) with {@code setup}. */
    static Map<String, String> of(ExperimentSpec spec, String specHash, RunSetup setup, String sparkMaster) {
        return of(spec, specHash, setup.data(), setup.baseline(), sparkMaster);
    }

    /**
     * The provenance of a new run of {@code spec} on {@code data}; {@code baseline} may be null (a built-in baseline not
     * trained yet): then its keys ({@code baseline.source}, {@code baseline.key}) are missing, which tells resume to
     * complete the provenance once it has the baseline.
     */
    static Map<String, String> of(ExperimentSpec spec, String specHash, RunData data, Baselines.Baseline baseline, String sparkMaster) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("run.name", spec.name());
        p.put("run.started", Instant.now().toString());
        p.put("spec.sha256", specHash);
        p.put("spec.schemaVersion", Integer.toString(spec.schemaVersion()));
        p.put("seed", Long.toString(spec.seed()));
        p.put("sampler", spec.search().sampler());
        p.put("early_stopping", spec.search().earlyStopping().rule());
        p.put("data.directory", data.directory().toAbsolutePath().toString());
        p.put("data.format", spec.data().format());
        p.put("data.shape", data.train().shape().toString());
        p.put("data.classes", Integer.toString(data.train().classes()));
        p.put("data.split", data.split());
        p.put("data.samples", data.train().size() + " train, " + data.validation().size() + " validation, " + data.test().size() + " test");
        p.put("data.normalization", data.train().normalization().describe());
        p.put("data.train.sha256", data.train().sha256());
        // broadcast once per executor with the baseline (JobPayload), never per trial
        p.put("data.bytes_shipped", Long.toString((long) data.train().toBytes().length + data.validation().toBytes().length
                + data.test().toBytes().length));
        if (baseline != null) {
            p.put("baseline.source", baseline.source());
            p.put("baseline.key", baseline.key());
        }
        p.put("spark.master", sparkMaster == null ? "(spark-submit / local[*])" : sparkMaster);
        versions().forEach((k, v) -> p.put("version." + k, v));
        p.put("dl4j.layers", dev.kompakt.evaluator.net.NativeRuntime.describe() + " (on the driver; executors decide alike)");
        p.put("nd4j.native", dev.kompakt.evaluator.net.NativeRuntime.nd4jBuild() + " (loaded on the driver; version.nd4j.classifier is the "
                + "build Kompakt was packaged with)");
        p.put("java.version", System.getProperty("java.version"));
        p.put("java.vendor", System.getProperty("java.vendor"));
        p.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        p.put("host.cpu", LatencyProbe.hostCpu());
        p.put("host.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        p.put("host.max_heap_mb", Long.toString(Runtime.getRuntime().maxMemory() >> 20));
        p.put("env.OMP_NUM_THREADS", String.valueOf(System.getenv("OMP_NUM_THREADS")));
        return p;
    }

    /** Whether a recorded provenance is complete: written once the baseline was known (see {@link #of}). */
    static boolean complete(Map<String, String> provenance) {
        return provenance.containsKey("baseline.key");
    }

    /** Kompakt's and its libraries' versions, from the build. */
    static Map<String, String> versions() {
        Map<String, String> v = new LinkedHashMap<>();
        try (InputStream in = Provenance.class.getResourceAsStream("/kompakt-versions.properties")) {
            if (in != null) {
                Properties props = new Properties();
                props.load(in);
                props.stringPropertyNames().stream().sorted().forEach(k -> v.put(k, props.getProperty(k)));
            }
        } catch (IOException e) {
            LOG.warn("cannot read kompakt-versions.properties: {}", e.getMessage());
        }
        return v;
    }

    /** "kompakt 0.1.0, spark 4.2.0, ..." for --version. */
    public static String[] versionsLines() {
        return versions().entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toArray(String[]::new);
    }

    /** The hex SHA-256 of a text (a spec). */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
