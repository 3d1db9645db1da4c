package dev.kompakt.experiments.cli;

import dev.kompakt.experiments.data.GeneratedData;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A corpus of bad specs and bad inputs, generated here: for each, {@code validate} and {@code search} both exit 2 with a
 * message that names the field path or the file, no Java exception class name reaches the user, and nothing is written
 * under the runs directory. A good spec beside them validates, so each case fails for its own mistake. Search must
 * refuse before it trains anything: the whole corpus runs in well under a minute.
 */
class BadInputCorpusTest {
    /** A valid spec over the generated data in {@code data/} beside it (3 classes of 8x8 grey images). */
    static final String GOOD = """
            schemaVersion: 1
            name: corpus
            seed: 3
            data: { format: idx, path: data, trainSamples: 30, testSamples: 15 }
            baseline: { architecture: mlp, epochs: 1 }
            strategies:
              pruning: { minSparsity: 0.0, maxSparsity: 0.5 }
              quantization: { weightBits: [32, 8] }
            budget: { trials: 2, trainSamples: 30, fineTuneEpochs: 1, studentEpochs: 1 }
            search:
              sampler: random
              objectives:
                - { metric: accuracy, direction: maximize }
                - { metric: size_bytes, direction: minimize }
              constraints:
                - { metric: latency_ms@rpi4, max: 100 }
            devices: [rpi4]
            execution: { latencyWarmup: 1, latencyRepeats: 2 }
            """;

    static final int CLASSES = 3;
    static final int SIDE = 8;
    static final int TRAIN = 60;
    static final int TEST = 30;

    @TempDir
    static Path shared;
    private static String cacheBefore;

    /** Packed data caches go to a temporary directory, not the user's. */
    @BeforeAll
    static void cache() {
        cacheBefore = System.getProperty("kompakt.cache");
        System.setProperty("kompakt.cache", shared.resolve("cache").toString());
    }

    @AfterAll
    static void restore() {
        if (cacheBefore == null) {
            System.clearProperty("kompakt.cache");
        } else {
            System.setProperty("kompakt.cache", cacheBefore);
        }
    }

    /** Writes the case's files into a directory and returns the spec to run. */
    interface Setup {
        Path write(Path dir) throws Exception;
    }

    /**
     * @param expected what stderr must contain: the field path or the file at fault (and its problem)
     */
    record Case(String name, Setup setup, List<String> expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Case c(String name, Setup setup, String... expected) {
        return new Case(name, setup, List.of(expected));
    }

    // ------------------------------------------------------------------ writers

    /** The good data in {@code dir/data} and {@code yaml} as {@code dir/spec.yaml}. */
    static Path spec(Path dir, String yaml) throws IOException {
        data(dir);
        Path spec = dir.resolve("spec.yaml");
        Files.writeString(spec, yaml, StandardCharsets.UTF_8);
        return spec;
    }

    static Path data(Path dir) throws IOException {
        Path data = dir.resolve("data");
        GeneratedData.idx(data, CLASSES, 1, SIDE, SIDE, TRAIN, TEST, 5);
        return data;
    }

    /** The good spec with {@code from} replaced by {@code to} (which must occur). */
    static String edit(String from, String to) {
        if (!GOOD.contains(from)) {
            throw new IllegalArgumentException("not in the good spec: " + from);
        }
        return GOOD.replace(from, to);
    }

    static Setup yaml(String text) {
        return dir -> spec(dir, text);
    }

    static Setup bytes(byte[] content) {
        return dir -> {
            data(dir);
            Path spec = dir.resolve("spec.yaml");
            Files.write(spec, content);
            return spec;
        };
    }

    /** The good spec and data, then {@code damage} applied to the data directory. */
    static Setup damaged(DataDamage damage) {
        return dir -> {
            Path spec = spec(dir, GOOD);
            damage.apply(dir.resolve("data"));
            return spec;
        };
    }

    interface DataDamage {
        void apply(Path data) throws Exception;
    }

    /**
     * The good spec reading {@code format} data (with the extra data fields {@code fields}) that {@code writer} puts in
     * {@code data/}.
     */
    static Setup other(String format, String fields, DataDamage writer) {
        return dir -> {
            String yaml = edit("data: { format: idx, path: data, trainSamples: 30, testSamples: 15 }", "data: { format: " + format
                    + ", path: data, trainSamples: 30, testSamples: 10" + (fields == null ? "" : ", " + fields) + " }");
            Path spec = dir.resolve("spec.yaml");
            Files.writeString(spec, yaml, StandardCharsets.UTF_8);
            Path data = Files.createDirectories(dir.resolve("data"));
            writer.apply(data);
            return spec;
        };
    }

    /** The good spec naming {@code baseline.model: model-file}, written by {@code model}. */
    static Setup model(String fileName, ModelWriter model) {
        return dir -> {
            Path spec = spec(dir, edit("baseline: { architecture: mlp, epochs: 1 }", "baseline: { model: " + fileName + " }"));
            model.write(dir.resolve(fileName));
            return spec;
        };
    }

    interface ModelWriter {
        void write(Path file) throws Exception;
    }

    static byte[] idxHeader(int magic, int... dims) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeInt(magic);
        for (int d : dims) {
            out.writeInt(d);
        }
        return b.toByteArray();
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static void truncate(Path file, int keep) throws IOException {
        byte[] all = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(all, keep));
    }

    static void dense(Path file, int inputs, int classes) throws IOException {
        MultiLayerNetwork net = new MultiLayerNetwork(new NeuralNetConfiguration.Builder().seed(1).list()
                .layer(new DenseLayer.Builder().nIn(inputs).nOut(8).activation(Activation.RELU).build())
                .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(classes).activation(Activation.SOFTMAX).build())
                .setInputType(InputType.feedForward(inputs)).build());
        net.init();
        ModelSerializer.writeModel(net, file.toFile(), false);
    }

    static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    // ------------------------------------------------------------------ the corpus

    static Stream<Case> corpus() {
        byte[] latin1 = GOOD.replace("name: corpus", "# caf\u00e9 au lait\nname: corpus").getBytes(StandardCharsets.ISO_8859_1);
        byte[] garbage = random(600, 1);
        garbage[0] = (byte) 0xC3;   // a UTF-8 lead byte followed by a non-continuation byte: malformed at offset 0 or later
        garbage[1] = (byte) 0x28;
        return Stream.of(
                // ---- the spec file itself
                c("spec-binary-garbage", bytes(garbage), "spec.yaml", "not UTF-8", "byte"),
                c("spec-latin-1", bytes(latin1), "spec.yaml", "not UTF-8", "byte " + (GOOD.indexOf("name: corpus") + 5)),
                c("spec-two-documents", yaml(GOOD + "---\nname: other\n"), "spec.yaml", "YAML document"),
                c("spec-not-yaml", yaml("name: [unclosed\n  budget: {"), "spec.yaml", "not valid YAML"),
                c("spec-empty", yaml(""), "spec.yaml", "mapping"),
                c("spec-missing", dir -> dir.resolve("missing.yaml"), "missing.yaml", "not found"),
                c("spec-unknown-field", yaml(edit("budget: {", "budgett: { trials: 1 }\nbudget: {")), "budgett: unknown field"),
                c("spec-duplicate-field", yaml(edit("budget: {", "seed: 4\nbudget: {")), "seed"),
                // ---- list entries of the wrong shape
                c("objectives-as-strings", yaml(edit("""
                                - { metric: accuracy, direction: maximize }
                                - { metric: size_bytes, direction: minimize }
                            """, """
                                - accuracy
                                - size_bytes
                            """)),
                        "search.objectives[0]: must be a map {metric: ..., direction: ...}, got the string \"accuracy\"",
                        "search.objectives[1]"),
                c("constraints-as-strings", yaml(edit("- { metric: latency_ms@rpi4, max: 100 }", "- latency_ms@rpi4")),
                        "search.constraints[0]: must be a map {metric: ..., max: ...}, got the string \"latency_ms@rpi4\""),
                c("constraints-as-a-map", yaml(edit("""
                                constraints:
                                    - { metric: latency_ms@rpi4, max: 100 }
                                """, """
                                constraints: { metric: latency_ms@rpi4, max: 100 }
                                """)), "search.constraints"),
                c("devices-entry-a-map", yaml(edit("devices: [rpi4]", "devices: [{ id: rpi4 }]")), "devices[0]: must be a hardware profile id"),
                // ---- names and numbers
                c("name-300-characters", yaml(edit("name: corpus", "name: " + "n".repeat(300))), "name:", "100"),
                c("name-with-slash", yaml(edit("name: corpus", "name: a/b")), "name:"),
                c("budget-negative", yaml(edit("trials: 2", "trials: -3")), "budget.trials"),
                c("nan-learning-rate", yaml(edit("budget: { trials: 2,", "budget: { trials: 2, fineTuneLearningRate: .nan,")),
                        "budget.fineTuneLearningRate"),
                c("inf-constraint", yaml(edit("max: 100", "max: .inf")), "search.constraints[0].max"),
                c("nan-constraint", yaml(edit("max: 100", "max: .nan")), "search.constraints[0].max"),
                c("nan-sparsity", yaml(edit("maxSparsity: 0.5", "maxSparsity: .NaN")), "strategies.pruning.maxSparsity"),
                c("nan-normalization-mean", yaml(edit("testSamples: 15 }", "testSamples: 15, normalization: { mean: [.nan], std: [0.5] } }")),
                        "data.normalization.mean[0]"),
                c("unknown-device", yaml(edit("devices: [rpi4]", "devices: [rpi4, pi9]")), "devices[1]", "pi9"),
                // ---- metrics no trial can report
                c("latency-batch-without-batch", yaml(edit("- { metric: size_bytes, direction: minimize }",
                        "- { metric: latency_batch_ms@host, direction: minimize }")), "search.objectives[1].metric", "latencyBatch"),
                c("latency-batch-constraint-without-batch", yaml(edit("- { metric: latency_ms@rpi4, max: 100 }",
                        "- { metric: latency_batch_ms@host, max: 100 }")), "search.constraints[0].metric", "latencyBatch"),
                c("objective-device-not-listed", yaml(edit("- { metric: size_bytes, direction: minimize }",
                        "- { metric: latency_ms@rpi5, direction: minimize }")), "search.objectives[1].metric", "rpi5"),
                // ---- the data
                c("data-dir-missing", yaml(edit("path: data", "path: nowhere")), "data.path", "nowhere"),
                c("idx-file-missing", damaged(d -> Files.delete(d.resolve(TEST_LABELS))), TEST_LABELS),
                c("idx-images-empty", damaged(d -> Files.write(d.resolve(TRAIN_IMAGES), new byte[0])), TRAIN_IMAGES, "header"),
                c("idx-labels-empty", damaged(d -> Files.write(d.resolve(TRAIN_LABELS), new byte[0])), TRAIN_LABELS, "header"),
                c("idx-images-truncated", damaged(d -> truncate(d.resolve(TRAIN_IMAGES), 16 + SIDE * SIDE * 10 + 7)), TRAIN_IMAGES,
                        "truncated"),
                c("idx-labels-truncated", damaged(d -> truncate(d.resolve(TEST_LABELS), 8 + 5)), TEST_LABELS, "truncated"),
                c("idx-images-trailing-bytes", damaged(d -> Files.write(d.resolve(TRAIN_IMAGES), random(100, 2),
                        java.nio.file.StandardOpenOption.APPEND)), TRAIN_IMAGES, "bytes"),
                c("idx-wrong-magic", damaged(d -> {
                    byte[] b = Files.readAllBytes(d.resolve(TRAIN_IMAGES));
                    b[3] = 0x42;
                    Files.write(d.resolve(TRAIN_IMAGES), b);
                }), TRAIN_IMAGES, "magic"),
                c("idx-random-bytes", damaged(d -> Files.write(d.resolve(TRAIN_IMAGES), random(5000, 3))), TRAIN_IMAGES),
                c("idx-header-overflow", damaged(d -> Files.write(d.resolve(TRAIN_IMAGES), idxHeader(0x803, TRAIN, 65536, 65536))),
                        TRAIN_IMAGES, "header"),
                c("idx-huge-count", damaged(d -> Files.write(d.resolve(TRAIN_LABELS), idxHeader(0x801, Integer.MAX_VALUE))),
                        TRAIN_LABELS),
                c("idx-zero-images", damaged(d -> {
                    Files.write(d.resolve(TRAIN_IMAGES), idxHeader(0x803, 0, SIDE, SIDE));
                    Files.write(d.resolve(TRAIN_LABELS), idxHeader(0x801, 0));
                }), "train-"),
                c("idx-zero-test-images", damaged(d -> {
                    Files.write(d.resolve(TEST_IMAGES), idxHeader(0x803, 0, SIDE, SIDE));
                    Files.write(d.resolve(TEST_LABELS), idxHeader(0x801, 0));
                }), "t10k-"),
                c("idx-label-count-differs", damaged(d -> {
                    byte[] b = Files.readAllBytes(d.resolve(TRAIN_LABELS));
                    byte[] shorter = Arrays.copyOf(b, b.length - 5);
                    shorter[7] = (byte) (TRAIN - 5);
                    Files.write(d.resolve(TRAIN_LABELS), shorter);
                }), TRAIN_LABELS, "labels", "images"),
                c("idx-test-shape-differs", damaged(d -> {
                    Files.delete(d.resolve(TEST_IMAGES));
                    Files.delete(d.resolve(TEST_LABELS));
                    Path other = d.resolveSibling("other");
                    GeneratedData.idx(other, CLASSES, 1, SIDE + 2, SIDE, TRAIN, TEST, 6);
                    Files.move(other.resolve(TEST_IMAGES), d.resolve(TEST_IMAGES));
                    Files.move(other.resolve(TEST_LABELS), d.resolve(TEST_LABELS));
                }), TEST_IMAGES),
                c("idx-one-class", damaged(d -> {
                    byte[] b = Files.readAllBytes(d.resolve(TRAIN_LABELS));
                    Arrays.fill(b, 8, b.length, (byte) 0);
                    Files.write(d.resolve(TRAIN_LABELS), b);
                }), TRAIN_LABELS, "one class"),
                c("idx-gz-not-gzip", damaged(d -> {
                    Files.move(d.resolve(TRAIN_IMAGES), d.resolve(TRAIN_IMAGES + ".gz"));
                }), TRAIN_IMAGES + ".gz", "gzip"),
                c("idx-gz-truncated", damaged(d -> {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    try (GZIPOutputStream gz = new GZIPOutputStream(b)) {
                        gz.write(Files.readAllBytes(d.resolve(TRAIN_IMAGES)));
                    }
                    Files.delete(d.resolve(TRAIN_IMAGES));
                    Files.write(d.resolve(TRAIN_IMAGES + ".gz"), Arrays.copyOf(b.toByteArray(), b.size() / 2));
                }), TRAIN_IMAGES + ".gz"),
                c("csv-non-numeric-field", other("csv", "labelColumn: species", data -> {
                    GeneratedData.csv(data, new String[] {"setosa", "versicolor", "virginica"}, 4, 60, 30, 7);
                    List<String> lines = new java.util.ArrayList<>(Files.readAllLines(data.resolve("train.csv")));
                    lines.set(3, lines.get(3).replaceFirst("^[^,]*,", "12.5x,"));
                    Files.write(data.resolve("train.csv"), lines);
                }), "train.csv", "line 4", "12.5x"),
                c("csv-missing-label-column", other("csv", "labelColumn: kind", data ->
                        GeneratedData.csv(data, new String[] {"a", "b"}, 3, 40, 20, 8)), "train.csv", "kind"),
                c("cifar10-truncated-batch", other("cifar10", null, data -> {
                    GeneratedData.cifar10(data, 6, 12, 9);
                    truncate(data.resolve("data_batch_3.bin"), 3073 * 2 + 100);
                }), "data_batch_3.bin"),
                c("cifar10-batch-missing", other("cifar10", null, data -> {
                    GeneratedData.cifar10(data, 6, 12, 9);
                    Files.delete(data.resolve("test_batch.bin"));
                }), "test_batch.bin"),
                c("folder-unreadable-image", other("folder", "image: { height: 16, width: 16, channels: 3 }", data -> {
                    GeneratedData.folder(data, new String[] {"cat", "dog"}, 6, 3, 10);
                    Files.write(data.resolve("train").resolve("dog").resolve("2.png"), random(500, 11));
                }), "2.png"),
                // ---- a run to warm-start from
                c("warm-start-journal-garbage", dir -> {
                    Path spec = spec(dir, edit("  sampler: random\n", "  sampler: random\n  warmStart: earlier\n"));
                    Files.createDirectories(dir.resolve("earlier"));
                    Files.writeString(dir.resolve("earlier").resolve("spec.yaml"), GOOD);
                    Files.write(dir.resolve("earlier").resolve("trials.jsonl"), random(300, 12));
                    return spec;
                }, "search.warmStart", "earlier"),
                c("warm-start-without-its-spec", dir -> {
                    Path spec = spec(dir, edit("  sampler: random\n", "  sampler: random\n  warmStart: earlier\n"));
                    Files.createDirectories(dir.resolve("earlier"));
                    Files.writeString(dir.resolve("earlier").resolve("trials.jsonl"), "");
                    return spec;
                }, "search.warmStart", "earlier/spec.yaml", "not found"),
                c("warm-start-not-a-run", yaml(edit("  sampler: random\n", "  sampler: random\n  warmStart: nowhere\n")),
                        "search.warmStart", "nowhere"),
                // ---- the model
                c("model-missing", model("model.zip", file -> { }), "baseline.model", "model.zip"),
                c("model-random-bytes", model("model.zip", file -> Files.write(file, random(4000, 4))), "baseline.model", "model.zip"),
                c("model-text-file", model("model.zip", file -> Files.writeString(file, "this is my model, trust me\n")),
                        "baseline.model", "model.zip"),
                c("model-zip-of-garbage", model("model.zip", file -> {
                    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
                        for (String entry : List.of("configuration.json", "coefficients.bin", "updaterState.bin")) {
                            zip.putNextEntry(new ZipEntry(entry));
                            zip.write(random(300, entry.length()));
                            zip.closeEntry();
                        }
                    }
                }), "baseline.model", "model.zip"),
                c("model-empty-file", model("model.zip", file -> Files.write(file, new byte[0])), "baseline.model", "model.zip", "empty"),
                c("model-h5-random-bytes", model("model.h5", file -> Files.write(file, random(3000, 5))), "baseline.model", "model.h5"),
                c("model-input-does-not-fit", model("model.zip", file -> dense(file, 100, CLASSES)), "baseline.model",
                        "100 inputs", String.valueOf(SIDE * SIDE)),
                c("model-classes-do-not-fit", model("model.zip", file -> dense(file, SIDE * SIDE, 7)), "baseline.model", "7 units"));
    }

    // ------------------------------------------------------------------ the checks

    @Test
    void theGoodSpecValidates(@TempDir Path dir) throws Exception {
        Path spec = spec(dir, GOOD);
        CliTest.Result r = CliTest.cli("validate", spec.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("valid"), r.toString());
    }

    @Test
    void theGoodSpecWithAModelValidates(@TempDir Path dir) throws Exception {
        Path spec = model("model.zip", file -> dense(file, SIDE * SIDE, CLASSES)).write(dir);
        CliTest.Result r = CliTest.cli("validate", spec.toString());
        assertEquals(0, r.code(), r.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void refusedByValidateAndSearchWithNothingWritten(Case c, @TempDir Path dir) throws Exception {
        Path spec = c.setup().write(dir);
        byte[] specBefore = Files.exists(spec) ? Files.readAllBytes(spec) : null;
        Path runs = dir.resolve("runs");
        for (String command : List.of("validate", "search")) {
            CliTest.Result r = command.equals("validate") ? CliTest.cli("validate", spec.toString())
                    : CliTest.cli("search", spec.toString(), "--runs-dir", runs.toString(), "--master", "local[1]");
            String what = c.name() + " (" + command + "): " + r;
            System.out.println(c.name() + " (" + command + "): " + r.err().strip().replace(dir.toString(), "TMP"));
            assertEquals(2, r.code(), what);
            assertTrue(r.err().startsWith("kompakt: "), what);
            for (String e : c.expected()) {
                assertTrue(r.err().contains(e), "expected '" + e + "' in " + what);
            }
            assertFalse(r.err().contains("java.") || r.err().contains("Exception") || r.err().contains("caused by"),
                    "no exception class names: " + what);
            assertFalse(r.out().contains("run directory"), what);
            assertTrue(!Files.exists(runs) || isEmpty(runs), "nothing under the runs directory: " + what);
        }
        assertTrue(specBefore == null ? !Files.exists(spec) : Arrays.equals(specBefore, Files.readAllBytes(spec)), "the spec is untouched");
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
