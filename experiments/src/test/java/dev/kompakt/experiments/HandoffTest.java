package dev.kompakt.experiments;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.ModelFiles;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.experiments.cli.KompaktCli;
import dev.kompakt.experiments.data.GeneratedData;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * From a point on the front to production: the README's Java API example run as written (a 4-trial search on the
 * bundled subset, the front's first trial exported, its recipe applied to the run's baseline model and data, which
 * reproduces the recorded accuracy exactly); then the CLI: {@code apply} reproduces it too and writes a loadable
 * model.zip, {@code export} refuses to overwrite an export unless {@code --force} and says when it must retrain the
 * baseline, and {@code apply} refuses bad inputs with exit 2, writing nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandoffTest {
    static final Path DATA = Path.of("data/fashion-mnist-subset");
    static final Path TEST_SOURCE = Path.of("src/test/java/dev/kompakt/experiments/HandoffTest.java");
    static final Path README = Path.of("../README.md");

    /** Shared by the tests: the run, its export and the applied models (static: made before {@code @BeforeAll}). */
    @TempDir
    static Path tmp;

    /** The run's baseline: the cache zip named in provenance.json's baseline.source ("cache PATH" or "trained (cached as PATH)"). */
    Path baselineZip;
    double exampleAccuracy;
    Path exportDir;
    JsonNode recipe;
    Path runDir;

    // README example: begin
    static double compressAgain(Path spec, Path runsDir, Path model, Path data, Path out) throws IOException {
        Kompakt.Run run = Kompakt.search(spec, runsDir);              // like `kompakt search`
        Trial chosen = run.front().get(0);                           // a point on the Pareto front
        Path recipeFile = Kompakt.export(run.dir(), chosen.number(), out.resolve("export"));
        Recipe recipe = Kompakt.loadRecipe(recipeFile);              // its plan, budget, seed, data settings
        Applier.Applied applied = Kompakt.apply(recipe, model, data); // the same compression of `model`
        Files.write(out.resolve("model.onnx"), applied.onnx());       // the deployable model
        ComputationGraph network = applied.network();                // the compressed DL4J network
        System.out.println(network.summary());
        return applied.accuracy();                                   // on the validation samples of `data`
    }
    // README example: end

    @BeforeAll
    void runTheReadmeExample() throws Exception {
        // the baseline the run will use: the cache entry for tiny.yaml's data and baseline (trained by the search if absent)
        ExperimentSpec spec = SpecLoader.load(TinySearch.SPEC, ProfileRegistry.builtIn().all().keySet());
        Path cached = Baselines.cacheDir().resolve("baselines").resolve(Baselines.key(spec, RunSetup.architecture(spec),
                RunData.load(spec).train()) + ".zip");
        Path out = tmp.resolve("example");
        Files.createDirectories(out);
        exampleAccuracy = compressAgain(TinySearch.SPEC, tmp.resolve("runs"), cached, DATA, out);
        runDir = tmp.resolve("runs").resolve("tiny");
        exportDir = out.resolve("export");
        recipe = new ObjectMapper().readTree(exportDir.resolve("recipe.json").toFile());
        var provenance = new ObjectMapper().readTree(runDir.resolve("provenance.json").toFile());
        // the run records the ND4J build it loaded and how it trained (the tests run the pom's oneDNN build, as bin/kompakt)
        assertTrue(provenance.get("nd4j.native").asText().contains("-onednn-avx2.jar, built with oneDNN"), provenance.toString());
        assertTrue(provenance.get("dl4j.layers").asText().contains("oneDNN layer helpers on; JavaCPP physical-memory check off"), provenance.toString());
        String source = provenance.get("baseline.source").asText();
        baselineZip = Path.of(source.replaceFirst("^cache ", "").replaceFirst("^trained \\(cached as (.*)\\)$", "$1"));
        assertEquals(cached.toAbsolutePath().normalize(), baselineZip.toAbsolutePath().normalize(), source);
    }

    @Test
    void theReadmeExampleReproducesTheRecordedAccuracy() throws Exception {
        double recorded = recipe.get("rebuilt_accuracy").asDouble();
        assertEquals(recipe.get("metrics").get("accuracy").asDouble(), recorded, 0.0, "export rebuilt the run's trial");
        assertEquals(recorded, exampleAccuracy, 0.0, "apply on the run's model and data reproduces the recipe's accuracy exactly");
        // the recipe shows the deployable size beside Kompakt's count
        assertEquals(Files.size(exportDir.resolve("model.onnx")), recipe.get("onnx_bytes").asLong());
        assertTrue(recipe.get("size_bytes").asLong() > 0, recipe.toString());
        assertEquals(Files.size(tmp.resolve("example/model.onnx")), recipe.get("onnx_bytes").asLong(),
                "the applied model is as large as the exported one");
        // what apply needs to read the data as the run did
        assertEquals("idx", recipe.get("data").get("format").asText());
        assertEquals(600, recipe.get("data").get("trainSamples").asInt());
        assertEquals(7, recipe.get("data_seed").asLong());
    }

    @Test
    void theReadmeShowsExactlyTheExampleThisTestRuns() throws Exception {
        List<String> example = new ArrayList<>();
        boolean in = false;
        for (String line : Files.readAllLines(TEST_SOURCE)) {
            if (line.contains("// README example: end")) {
                break;
            }
            if (in) {
                example.add(line.length() >= 4 ? line.substring(4) : line.strip());   // the class body's indentation
            }
            in |= line.contains("// README example: begin");
        }
        assertTrue(example.size() >= 8, "the example in " + TEST_SOURCE + ": " + example);
        String readme = Files.readString(README);
        assertTrue(readme.contains("```java\n" + String.join("\n", example) + "\n```"),
                "README.md's Java API example must be these lines, verbatim:\n" + String.join("\n", example));
    }

    @Test
    void applyOnTheCommandLineReproducesTheRecipeAndWritesALoadableModel() throws Exception {
        Path out = tmp.resolve("applied");
        Cli r = cli("apply", exportDir.resolve("recipe.json").toString(), "--model", baselineZip.toString(), "--data", DATA.toString(),
                "--out", out.toString());
        assertEquals(0, r.code(), r.toString());
        double recorded = recipe.get("rebuilt_accuracy").asDouble();
        assertTrue(r.out().contains(String.format("accuracy %.4f applied, %.4f recorded", recorded, recorded)), r.toString());
        assertFalse(r.out().contains("warning"), r.toString());
        assertTrue(r.out().contains("size_bytes") && r.out().contains("model.onnx " + String.format("%,d", Files.size(out.resolve("model.onnx")))),
                r.toString());
        JsonNode applied = new ObjectMapper().readTree(out.resolve("recipe.json").toFile());
        assertEquals(recorded, applied.get("rebuilt_accuracy").asDouble(), 0.0);
        assertEquals(recorded, applied.get("recipe_accuracy").asDouble(), 0.0);
        assertEquals(baselineZip.toAbsolutePath().toString(), applied.get("baseline").asText());
        assertEquals(recipe.get("plan"), applied.get("plan"));
        assertEquals(Files.size(out.resolve("model.onnx")), applied.get("onnx_bytes").asLong());
        assertEquals(recipe.get("size_bytes"), applied.get("size_bytes"));

        // model.zip is the compressed network: read as a user's model, it has the applied accuracy on the validation samples
        ExperimentSpec spec = SpecLoader.load(TinySearch.SPEC, ProfileRegistry.builtIn().all().keySet());
        RunData data = RunData.load(spec);
        ComputationGraph net = ModelFiles.read(out.resolve("model.zip"));
        assertEquals(recorded, Training.accuracy(net, Tensors.toDataSet(data.validation())), 0.0);

        // the recipe apply wrote applies again, to the same result
        Path again = tmp.resolve("applied-again");
        Cli r2 = cli("apply", out.resolve("recipe.json").toString(), "--model", baselineZip.toString(), "--data", DATA.toString(),
                "--out", again.toString(), "--format", "idx");
        assertEquals(0, r2.code(), r2.toString());
        assertArrayEquals(Files.readAllBytes(out.resolve("model.onnx")), Files.readAllBytes(again.resolve("model.onnx")));
    }

    @Test
    void exportRefusesAnExistingExportUnlessForced() throws Exception {
        int trial = recipe.get("trial").asInt();
        Map<String, byte[]> before = snapshot(exportDir);
        Cli r = cli("export", runDir.toString(), "--trial", Integer.toString(trial), "--out", exportDir.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(exportDir.toString()) && r.err().contains("--force"), r.toString());
        assertFalse(r.out().contains("rebuilding"), "refused before rebuilding: " + r);
        assertSnapshotEquals(before, snapshot(exportDir));

        Cli forced = cli("export", runDir.toString(), "--trial", Integer.toString(trial), "--out", exportDir.toString(), "--force");
        assertEquals(0, forced.code(), forced.toString());
        assertTrue(forced.out().contains("size_bytes") && forced.out().contains("model.onnx "), forced.toString());
        assertEquals(recipe.get("rebuilt_accuracy"), new ObjectMapper().readTree(exportDir.resolve("recipe.json").toFile()).get("rebuilt_accuracy"));
    }

    @Test
    void exportSaysBeforeItRetrainsABaselineGoneFromTheCache() throws Exception {
        String previous = System.getProperty("kompakt.cache");
        System.setProperty("kompakt.cache", tmp.resolve("empty-cache").toString());
        try {
            Cli r = cli("export", runDir.toString(), "--trial", Integer.toString(recipe.get("trial").asInt()), "--out",
                    tmp.resolve("export-retrained").toString());
            assertEquals(0, r.code(), r.toString());
            int notice = r.out().indexOf("baseline: not in the cache (" + tmp.resolve("empty-cache"));
            assertTrue(notice >= 0 && notice < r.out().indexOf("rebuilding trial"), r.toString());
            assertTrue(r.out().contains("training CNN for 2 epochs on 600 samples"), r.toString());
            // training is deterministic for a seed: the retrained baseline gives the same trial
            assertFalse(r.out().contains("warning"), r.toString());
        } finally {
            if (previous == null) {
                System.clearProperty("kompakt.cache");
            } else {
                System.setProperty("kompakt.cache", previous);
            }
        }
    }

    @Test
    void applyRefusesBadInputsWritingNothing() throws Exception {
        Path good = exportDir.resolve("recipe.json");
        Path bad = tmp.resolve("bad");
        Files.createDirectories(bad);
        Path garbage = Files.writeString(bad.resolve("garbage.json"), "{ this is not json");
        Path array = Files.writeString(bad.resolve("array.json"), "[1, 2, 3]");
        ObjectNode noPlan = ((ObjectNode) recipe).deepCopy();
        noPlan.remove("plan");
        Path withoutPlan = Files.writeString(bad.resolve("no-plan.json"), noPlan.toString());
        ObjectNode old = ((ObjectNode) recipe).deepCopy();
        old.remove(List.of("data", "data_seed", "data_split"));
        Path oldRecipe = Files.writeString(bad.resolve("old.json"), old.toString());
        ObjectNode badBudget = ((ObjectNode) recipe).deepCopy();
        ((ObjectNode) badBudget.get("budget")).put("batchSize", "many");
        Path budget = Files.writeString(bad.resolve("budget.json"), badBudget.toString());
        ObjectNode badData = ((ObjectNode) recipe).deepCopy();
        ((ObjectNode) badData.get("data")).put("trainSamples", -3);
        Path dataField = Files.writeString(bad.resolve("data.json"), badData.toString());
        Path randomModel = Files.write(bad.resolve("model.zip"), new java.util.Random(1).ints(3000, 0, 256)
                .collect(ByteArrayOutputStream::new, ByteArrayOutputStream::write, (a, b) -> a.write(b.toByteArray(), 0, b.size())).toByteArray());
        Path smallImages = bad.resolve("small-images");
        GeneratedData.idx(smallImages, 10, 1, 12, 12, 200, 50, 3);

        String model = baselineZip.toString();
        String data = DATA.toString();
        List<String[]> cases = List.of(
                new String[] {bad.resolve("missing.json").toString(), model, data, null, "missing.json", "not found"},
                new String[] {garbage.toString(), model, data, null, "garbage.json", "not JSON"},
                new String[] {array.toString(), model, data, null, "array.json", "JSON object"},
                new String[] {withoutPlan.toString(), model, data, null, "no-plan.json", "plan: missing"},
                new String[] {oldRecipe.toString(), model, data, null, "old.json", "data: missing"},
                new String[] {budget.toString(), model, data, null, "budget.json", "budget:"},
                new String[] {dataField.toString(), model, data, null, "data.json", "data.trainSamples"},
                new String[] {good.toString(), bad.resolve("none.zip").toString(), data, null, "none.zip", "--model"},
                new String[] {good.toString(), randomModel.toString(), data, null, "model.zip", "--model"},
                new String[] {good.toString(), model, smallImages.toString(), null, "--model: ", "but the data is 1x12x12"},
                new String[] {good.toString(), model, bad.resolve("no-data").toString(), null, "no-data", "--data"},
                new String[] {good.toString(), model, data, "parquet", "--format", "parquet"},
                new String[] {good.toString(), model, data, "csv", "data", "csv"});
        for (String[] c : cases) {
            Path out = tmp.resolve("never");
            List<String> args = new ArrayList<>(List.of("apply", c[0], "--model", c[1], "--data", c[2], "--out", out.toString()));
            if (c[3] != null) {
                args.addAll(List.of("--format", c[3]));
            }
            Cli r = cli(args.toArray(String[]::new));
            assertEquals(2, r.code(), Arrays.toString(c) + ": " + r);
            assertTrue(r.err().contains(c[4]) && r.err().contains(c[5]), Arrays.toString(c) + ": " + r);
            assertFalse(r.err().contains("Exception"), "no exception class names: " + r);
            assertFalse(Files.exists(out), Arrays.toString(c) + ": nothing written: " + r);
        }

        // an output directory that holds files is refused too, and left as it was
        Map<String, byte[]> before = snapshot(exportDir);
        Cli r = cli("apply", good.toString(), "--model", model, "--data", data, "--out", exportDir.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains(exportDir.toString()) && r.err().contains("--force"), r.toString());
        assertSnapshotEquals(before, snapshot(exportDir));
    }

    record Cli(int code, String out, String err) {
    }

    static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = KompaktCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        Cli cli = new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        System.out.println("$ kompakt " + String.join(" ", args) + "\n" + cli.out() + cli.err() + "exit " + code);
        return cli;
    }

    static Map<String, byte[]> snapshot(Path dir) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (var paths = Files.list(dir)) {
            for (Path p : paths.toList()) {
                files.put(p.getFileName() + "@" + Files.getLastModifiedTime(p).toMillis(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    static void assertSnapshotEquals(Map<String, byte[]> before, Map<String, byte[]> after) {
        assertEquals(before.keySet(), after.keySet(), "the same files, not modified");
        before.forEach((k, v) -> assertArrayEquals(v, after.get(k), k));
    }
}
