package dev.kompakt.experiments.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.SearchRunner;
import dev.kompakt.experiments.cli.KompaktCli;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A user's data in each format Kompakt reads, generated here: a 4-trial search runs on each, every trial COMPLETE, the
 * shape and class count flow from the data to the networks, the baseline and the exports; bad data is exit 2 with the
 * file named and nothing written.
 */
class DataFormatsSearchTest {
    @TempDir
    static Path tmp;
    private static String previousCache;

    @BeforeAll
    static void privateCache() {
        previousCache = System.getProperty("kompakt.cache");
        System.setProperty("kompakt.cache", tmp.resolve("cache").toString());
    }

    @AfterAll
    static void restoreCache() {
        if (previousCache == null) {
            System.clearProperty("kompakt.cache");
        } else {
            System.setProperty("kompakt.cache", previousCache);
        }
    }

    @Test
    void idxOf32x32RgbImages() throws Exception {
        GeneratedData.idx(tmp.resolve("idx-rgb"), 3, 3, 32, 32, 360, 90, 1);
        search("idx-rgb", "format: idx\n  path: " + tmp.resolve("idx-rgb") + "\n  normalization: fit", "cnn", "3x32x32", 3);
    }

    @Test
    void idxOfTwoClasses() throws Exception {
        GeneratedData.idx(tmp.resolve("idx-two"), 2, 1, 28, 28, 300, 80, 2);
        search("idx-two", "format: idx\n  path: " + tmp.resolve("idx-two"), "mlp", "1x28x28", 2);
    }

    @Test
    void cifar10BinaryBatches() throws Exception {
        GeneratedData.cifar10(tmp.resolve("cifar10"), 80, 100, 3);
        search("cifar10", "format: cifar10\n  path: " + tmp.resolve("cifar10"), "cnn", "3x32x32", 10);
    }

    @Test
    void cifar100BinaryBatches() throws Exception {
        GeneratedData.cifar100(tmp.resolve("cifar100"), 500, 200, 4);
        search("cifar100", "format: cifar100\n  path: " + tmp.resolve("cifar100") + "\n  validationFraction: 0.2", "mlp", "3x32x32", 100);
        // the coarse classes each hold five fine patterns: too hard to learn from 25 samples a class, so only the shape is checked
        search("cifar100-coarse", "format: cifar100\n  path: " + tmp.resolve("cifar100") + "\n  labels: coarse", "mlp", "3x32x32", 20);
    }

    @Test
    void imageFolderOfRgbPngAndJpegOfMixedSizes() throws Exception {
        GeneratedData.folder(tmp.resolve("folder"), new String[] {"cat", "dog", "owl"}, 40, 12, 5);
        search("folder", "format: folder\n  path: " + tmp.resolve("folder") + "\n  image: { height: 16, width: 16, channels: 3 }", "cnn",
                "3x16x16", 3);
    }

    @Test
    void csvTable() throws Exception {
        GeneratedData.csv(tmp.resolve("csv"), new String[] {"setosa", "versicolor", "virginica"}, 8, 300, 90, 6);
        search("csv", "format: csv\n  path: " + tmp.resolve("csv") + "\n  labelColumn: species\n  normalization: fit", "mlp", "8 features", 3);
    }

    /** Searches 4 trials on the data and checks what flowed from it. */
    private static void search(String name, String data, String architecture, String shape, int classes) throws Exception {
        Path spec = tmp.resolve(name + ".yaml");
        Files.writeString(spec, spec(name, data, architecture));
        ExperimentSpec s = SpecLoader.load(spec, ProfileRegistry.builtIn().all().keySet());
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Path runDir = tmp.resolve("run-" + name);
        SearchRunner.Result result = SearchRunner.run(s, Files.readString(spec), new SearchRunner.Options("local[2]", runDir, null, null, null),
                new PrintStream(console, true, StandardCharsets.UTF_8));
        String log = console.toString(StandardCharsets.UTF_8);
        List<Trial> trials = result.summary().trials();
        assertEquals(4, trials.size(), log);
        for (Trial t : trials) {
            assertEquals(TrialState.COMPLETE, t.state(), name + " trial " + t.number() + ": " + t.error() + "\n" + log);
            boolean int8 = t.metric("onnx_int8") == 1.0;
            assertTrue(t.metric("onnx_top1_agreement") >= (int8 ? 0.95 : 0.995), name + " trial " + t.number() + " export agreement "
                    + t.metric("onnx_top1_agreement") + (int8 ? " (INT8)" : " (float32)"));
            assertTrue(t.metrics().containsKey("test_accuracy"), name + ": test accuracy is reported beside accuracy");
        }
        JsonNode baseline = new ObjectMapper().readTree(runDir.resolve("baseline.json").toFile());
        JsonNode provenance = new ObjectMapper().readTree(runDir.resolve("provenance.json").toFile());
        assertTrue(log.contains(classes + " classes"), log);
        assertEquals(shape, provenance.get("data.shape").asText(), name);
        assertEquals(Integer.toString(classes), provenance.get("data.classes").asText(), name);
        assertTrue(provenance.get("data.split").asText().startsWith("stratified validation split"), provenance.toString());
        assertTrue(Long.parseLong(provenance.get("data.bytes_shipped").asText()) > 0, provenance.toString());
        System.out.printf("data %s: %s, %d classes; baseline accuracy %.4f (validation), %.4f (test); %d trials COMPLETE; shipped %s bytes%n",
                name, provenance.get("data.shape").asText(), classes, baseline.get("accuracy").asDouble(),
                baseline.get("test_accuracy").asDouble(), trials.size(), provenance.get("data.bytes_shipped").asText());
        // the exported model takes inputs of the data's shape (NCHW for images) and agrees with DL4J
        Trial first = trials.get(0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path exportDir = tmp.resolve("export-" + name);
        assertEquals(0, KompaktCli.run(new String[] {"export", runDir.toString(), "--trial", Integer.toString(first.number()), "--out",
                exportDir.toString()}, new PrintStream(out, true), new PrintStream(err, true)), err.toString(StandardCharsets.UTF_8));
        long[] expected = shape.endsWith("features") ? new long[] {-1, Long.parseLong(shape.split(" ")[0])}
                : java.util.stream.Stream.concat(java.util.stream.Stream.of("-1"), java.util.Arrays.stream(shape.split("x")))
                        .mapToLong(Long::parseLong).toArray();
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        try (ai.onnxruntime.OrtSession session = env.createSession(Files.readAllBytes(exportDir.resolve("model.onnx")),
                new ai.onnxruntime.OrtSession.SessionOptions())) {
            long[] input = ((ai.onnxruntime.TensorInfo) session.getInputInfo().get("input").getInfo()).getShape();
            assertTrue(java.util.Arrays.equals(expected, input), name + ": ONNX input " + java.util.Arrays.toString(input) + ", data " + shape);
        }
        JsonNode recipe = new ObjectMapper().readTree(exportDir.resolve("recipe.json").toFile());
        assertEquals(first.metric("accuracy"), recipe.get("rebuilt_accuracy").asDouble(), 1e-9, name + ": the export rebuilds the trial exactly");
        assertEquals(first.metric("test_accuracy"), recipe.get("rebuilt_test_accuracy").asDouble(), 1e-9, name);
        assertTrue(recipe.get("onnx_top1_agreement").asDouble() >= ("INT8".equals(recipe.get("onnx_precision").asText()) ? 0.95 : 0.995),
                recipe.toString());
        // the recipe's data settings, read back as `kompakt apply` reads them, are the spec's (every format's fields)
        dev.kompakt.experiments.Recipe read = dev.kompakt.experiments.Recipe.read(exportDir.resolve("recipe.json"));
        assertEquals(s.data(), read.data(s.data().path(), null), name + ": " + recipe.get("data"));
        assertEquals(s.seed(), read.dataSeed(), name);
        if (!name.endsWith("coarse")) {
            assertTrue(Math.max(baseline.get("accuracy").asDouble(), baseline.get("test_accuracy").asDouble()) > 1.5 / classes,
                    name + ": the baseline learned something: " + baseline);
        }
    }

    static String spec(String name, String data, String architecture) {
        return """
                schemaVersion: 1
                name: %s
                seed: 5
                data:
                  %s
                  trainSamples: 600
                  testSamples: 200
                baseline:
                  architecture: %s
                  epochs: 4
                  batchSize: 32
                strategies:
                  pruning: { minSparsity: 0.0, maxSparsity: 0.5 }
                  quantization: { weightBits: [32, 8] }
                budget:
                  trials: 4
                  fineTuneEpochs: 1
                  studentEpochs: 1
                  trainSamples: 300
                  batchSize: 32
                search:
                  sampler: random
                  objectives:
                    - { metric: accuracy, direction: maximize }
                    - { metric: size_bytes, direction: minimize }
                devices: [rpi4]
                execution:
                  maxInFlight: 2
                  latencyWarmup: 2
                  latencyRepeats: 5
                """.formatted(name, data, architecture);
    }

    // ------------------------------------------------------------------ bad data: exit 2, the file, nothing written

    @Test
    void badDataIsExitTwoWithTheFileNamedAndNothingWritten() throws Exception {
        Path one = tmp.resolve("bad-one-class");
        GeneratedData.idx(one, 1, 1, 28, 28, 50, 20, 7);
        expectBadData("one-class", "format: idx\n  path: " + one, "mlp", "train-labels-idx1-ubyte", "one class only");

        Path truncated = tmp.resolve("bad-truncated");
        GeneratedData.cifar10(truncated, 20, 20, 8);
        byte[] batch = Files.readAllBytes(truncated.resolve("data_batch_3.bin"));
        Files.write(truncated.resolve("data_batch_3.bin"), java.util.Arrays.copyOf(batch, batch.length - 1000));
        expectBadData("truncated", "format: cifar10\n  path: " + truncated, "cnn", "data_batch_3.bin", "truncated");

        Path image = tmp.resolve("bad-image");
        GeneratedData.folder(image, new String[] {"a", "b"}, 4, 2, 9);
        Files.writeString(image.resolve("train/b/broken.png"), "this is not a PNG");
        expectBadData("image", "format: folder\n  path: " + image + "\n  image: { height: 16, width: 16, channels: 3 }", "cnn", "broken.png",
                "");

        Path csv = tmp.resolve("bad-csv");
        GeneratedData.csv(csv, new String[] {"x", "y"}, 3, 20, 10, 10);
        List<String> lines = new java.util.ArrayList<>(Files.readAllLines(csv.resolve("train.csv")));
        lines.set(5, "1.0,abc,2.0,x");
        Files.write(csv.resolve("train.csv"), lines);
        expectBadData("csv", "format: csv\n  path: " + csv + "\n  labelColumn: species", "mlp", "train.csv", "abc");

        Path labels = tmp.resolve("bad-labels");
        GeneratedData.cifar10(labels, 20, 20, 11);
        byte[] test = Files.readAllBytes(labels.resolve("test_batch.bin"));
        test[3073 * 2] = 12;
        Files.write(labels.resolve("test_batch.bin"), test);
        expectBadData("labels", "format: cifar10\n  path: " + labels, "cnn", "test_batch.bin", "outside the class range");
    }

    private static void expectBadData(String name, String data, String architecture, String file, String expected) throws Exception {
        Path spec = tmp.resolve("bad-" + name + ".yaml");
        Files.writeString(spec, spec("bad-" + name, data, architecture));
        Path runs = tmp.resolve("runs-bad-" + name);
        for (String command : new String[] {"validate", "search"}) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            String[] args = command.equals("validate") ? new String[] {"validate", spec.toString()}
                    : new String[] {"search", spec.toString(), "--runs-dir", runs.toString()};
            int code = KompaktCli.run(args, new PrintStream(out, true), new PrintStream(err, true));
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, name + " " + command + ": " + message + out);
            assertTrue(message.contains(file) && message.contains(expected), name + " " + command + ": " + message);
            System.out.printf("bad data %s, %s: exit %d, %s", name, command, code, message);
        }
        assertFalse(Files.exists(runs) && Files.list(runs).findAny().isPresent(), name + ": nothing is written");
    }
}
