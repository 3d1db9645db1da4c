package dev.kompakt.experiments.spec;

import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.experiments.RunSetup;

import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.plan.CompressionSpace;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpecLoaderTest {
    static final Set<String> DEVICES = ProfileRegistry.builtIn().all().keySet();
    static final Path QUICKSTART = Path.of("quickstart.yaml");
    static final Path TINY = Path.of("src/test/resources/tiny.yaml");

    /** A small valid spec; tests replace single lines of it to introduce mistakes. */
    static final String VALID = """
            schemaVersion: 1
            name: ok
            data:
              dataset: fashion-mnist
            baseline:
              architecture: cnn
            strategies:
              pruning: { minSparsity: 0.0, maxSparsity: 0.5 }
              quantization: { weightBits: [32, 8] }
            budget:
              trials: 3
            search:
              objectives:
                - { metric: accuracy, direction: maximize }
                - { metric: latency_ms@rpi4, direction: minimize }
            devices: [rpi4]
            """;

    @TempDir
    Path tmp;

    private static ExperimentSpec parse(String yaml) {
        return SpecLoader.parse(yaml, "test.yaml", Path.of("."), DEVICES);
    }

    @Test
    void quickstartLoadsWithItsValues() throws Exception {
        ExperimentSpec s = SpecLoader.load(QUICKSTART, DEVICES);
        assertEquals(1, s.schemaVersion());
        assertEquals("quickstart", s.name());
        assertEquals(42, s.seed());
        assertEquals(new ExperimentSpec.Data("fashion-mnist", null, 10000, 2000), s.data());
        assertEquals(new ExperimentSpec.Baseline("cnn", null, 5, 64, 0.002), s.baseline());
        assertEquals(new StudentStrategy.Range(List.of(0.5, 0.75, 1.0), List.of(StudentStrategy.Init.INHERIT), List.of(StudentStrategy.Criterion.L1, StudentStrategy.Criterion.TAYLOR)), s.strategies().student());
        assertEquals(new PruningStrategy.Range(0.0, 0.9, List.of(PruningStrategy.Schedule.ONESHOT, PruningStrategy.Schedule.AGP), List.of()), s.strategies().pruning());
        assertEquals(new QuantizationStrategy.Range(List.of(32, 8, 6, 4)), s.strategies().quantization());
        assertEquals(new DistillationStrategy.Range(1.0, 8.0, 0.3, 0.9), s.strategies().distillation());
        assertEquals(new ExperimentSpec.Budget(30, 1, 2, 5000, 64, 0.0005, 0.003), s.budget());
        assertEquals("motpe", s.search().sampler());
        assertEquals(10, s.search().startupTrials());
        assertEquals(10, s.search().populationSize());
        assertEquals(List.of(Objective.maximize("accuracy"), Objective.minimize("latency_ms@rpi4"),
                Objective.minimize("energy_mj@stm32h7"), Objective.minimize("size_bytes")), s.search().objectives());
        assertEquals(List.of(new Constraint("accuracy_drop", 0.05)), s.search().constraints());
        assertEquals(List.of("rpi4", "rpi5", "coral-edgetpu", "stm32h7"), s.devices());
        assertEquals(new ExperimentSpec.Execution(0, 50, 200, 64, 1), s.execution());
    }

    @Test
    void learningRateScheduleIsConstantUnlessCosineIsAsked() throws Exception {
        assertEquals(TrainingBudget.Schedule.CONSTANT, SpecLoader.load(QUICKSTART, DEVICES).budget().learningRateSchedule());
        String tiny = java.nio.file.Files.readString(TINY);
        assertTrue(tiny.contains("budget:\n"), "the tiny spec has a budget block");
        java.util.function.Function<String, ExperimentSpec> parse = y -> SpecLoader.parse(y, "tiny.yaml", TINY.getParent(), DEVICES);
        ExperimentSpec cosine = parse.apply(tiny.replace("budget:\n", "budget:\n  learningRateSchedule: cosine\n"));
        assertEquals(TrainingBudget.Schedule.COSINE, cosine.budget().learningRateSchedule());
        assertEquals(TrainingBudget.Schedule.COSINE, RunSetup.budget(cosine).learningRateSchedule(), "the executors' budget carries it");
        SpecException e = assertThrows(SpecException.class, () -> parse.apply(tiny.replace("budget:\n", "budget:\n  learningRateSchedule: linear\n")));
        assertEquals(List.of("budget.learningRateSchedule: must be one of constant, cosine, got 'linear'"), e.problems());
    }

    @Test
    void augmentationIsNoneUnlessAskedAndItsFieldsAreChecked() throws Exception {
        assertEquals(TrainingBudget.Augmentation.NONE, SpecLoader.load(QUICKSTART, DEVICES).budget().augmentation());
        String tiny = java.nio.file.Files.readString(TINY);
        java.util.function.Function<String, ExperimentSpec> parse = y -> SpecLoader.parse(tiny.replace("budget:\n", "budget:\n  " + y + "\n"),
                "tiny.yaml", TINY.getParent(), DEVICES);
        ExperimentSpec s = parse.apply("augmentation: { flip: true, shift: 2 }");
        assertEquals(new TrainingBudget.Augmentation(true, 2), s.budget().augmentation());
        assertEquals(new TrainingBudget.Augmentation(true, 2), RunSetup.budget(s).augmentation(), "the executors' budget carries it");
        assertEquals(new TrainingBudget.Augmentation(false, 3), parse.apply("augmentation: { shift: 3 }").budget().augmentation());
        for (String[] bad : new String[][] {
                {"augmentation: { shift: 9 }", "budget.augmentation.shift: must be in [0, 8], got 9"},
                {"augmentation: { flip: yes please }", "budget.augmentation.flip: must be true or false, got 'yes please'"},
                {"augmentation: flip", "budget.augmentation: must be a mapping {flip: true|false, shift: pixels}, got string"}}) {
            SpecException e = assertThrows(SpecException.class, () -> parse.apply(bad[0]), bad[0]);
            assertEquals(List.of(bad[1]), e.problems(), bad[0]);
        }
        SpecException unknown = assertThrows(SpecException.class, () -> parse.apply("augmentation: { rotate: 10 }"));
        assertTrue(unknown.problems().get(0).startsWith("budget.augmentation.rotate"), unknown.problems().toString());
    }

    @Test
    void tinyLoadsWithItsValuesAndDefaults() throws Exception {
        ExperimentSpec s = SpecLoader.load(TINY, DEVICES);
        assertEquals("tiny", s.name());
        assertEquals(7, s.seed());
        assertEquals(Path.of("data", "fashion-mnist-subset").toAbsolutePath().normalize(), s.data().path());
        assertEquals(600, s.data().trainSamples());
        assertEquals(300, s.data().testSamples());
        assertEquals(new ExperimentSpec.Baseline("cnn", null, 2, 32, 0.003), s.baseline());
        assertEquals(new StudentStrategy.Range(List.of(0.5, 1.0)), s.strategies().student());
        assertEquals(new PruningStrategy.Range(0.0, 0.8), s.strategies().pruning());
        assertEquals(new QuantizationStrategy.Range(List.of(32, 8, 4)), s.strategies().quantization());
        assertEquals(new DistillationStrategy.Range(2.0, 4.0, 0.5, 0.5), s.strategies().distillation());
        // learning rates left out: defaults
        assertEquals(new ExperimentSpec.Budget(4, 1, 1, 300, 32, 5e-4, 3e-3), s.budget());
        assertEquals("random", s.search().sampler());
        assertEquals(8, s.search().populationSize());
        assertEquals(List.of(Objective.maximize("accuracy"), Objective.minimize("latency_ms@rpi4"), Objective.minimize("size_bytes")),
                s.search().objectives());
        assertEquals(List.of(), s.search().constraints());
        assertEquals(List.of("rpi4"), s.devices());
        assertEquals(new ExperimentSpec.Execution(2, 2, 5, 8, 1), s.execution());
    }

    @Test
    void validBaseSpecParses() {
        ExperimentSpec s = parse(VALID);
        assertEquals("ok", s.name());
    }

    @Test
    void everyMistakeIsReportedAtOnceWithItsFieldPath() {
        String bad = """
                name: my run
                data:
                  dataset: fashion-mnist
                baseline:
                  architecture: resnet
                strategies:
                  pruning: { minSparsity: 0.0, maxSparsity: 1.5 }
                  quantization: { weightBits: [8, 33] }
                budget:
                  trials: 0
                  trails: 40
                search:
                  objectives:
                    - { metric: accuracy, direction: maximize }
                    - { metric: latency_ms@pi9, direction: minimize }
                devices: [rpi4]
                """;
        SpecException e = assertThrows(SpecException.class, () -> parse(bad));
        List<String> expected = List.of(
                "budget.trials: ",
                "budget.trails: ",
                "search.objectives[1].metric: ",
                "strategies.pruning.maxSparsity: ",
                "strategies.quantization.weightBits[1]: ",
                "baseline.architecture: ",
                "name: ",
                "schemaVersion: ");
        for (String prefix : expected) {
            assertEquals(1, e.problems().stream().filter(p -> p.startsWith(prefix)).count(),
                    "exactly one problem starting with '" + prefix + "' in " + e.problems());
        }
        assertEquals(expected.size(), e.problems().size(), "no other problems: " + e.problems());
        assertTrue(e.problems().contains("budget.trials: must be >= 1, got 0"), e.problems().toString());
        assertTrue(e.problems().contains("strategies.pruning.maxSparsity: must be in [0.0, 0.99], got 1.5"), e.problems().toString());
        assertTrue(e.problems().contains("search.objectives[1].metric: 'latency_ms@pi9' names device 'pi9', which is not in devices [rpi4]"),
                e.problems().toString());
        assertTrue(e.problems().contains("strategies.quantization.weightBits[1]: must be 32 (float) or in [2, 16], got 33"), e.problems().toString());
        assertTrue(e.problems().contains("baseline.architecture: must be cnn or mlp, got 'resnet'"), e.problems().toString());
        assertTrue(e.problems().contains("schemaVersion: required field is missing"), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("name: ") && p.contains("'my run'")), e.problems().toString());
        assertTrue(e.problems().stream().anyMatch(p -> p.startsWith("budget.trails: unknown field")), e.problems().toString());
        // the message names the source and the count, and lists every problem
        assertTrue(e.getMessage().startsWith("test.yaml: 8 problems:"), e.getMessage());
        for (String p : e.problems()) {
            assertTrue(e.getMessage().contains("\n  - " + p), e.getMessage());
        }
    }

    @Test
    void samplersAndTheirSettingsLoad() {
        ExperimentSpec s = parse(VALID.replace("search:\n", "search:\n  sampler: motpe\n  startupTrials: 6\n"));
        assertEquals("motpe", s.search().sampler());
        assertEquals(6, s.search().startupTrials());
        assertNull(s.search().warmStart());
        assertEquals("sobol", parse(VALID.replace("search:\n", "search:\n  sampler: sobol\n")).search().sampler());
        assertEquals(10, parse(VALID).search().startupTrials(), "MO-TPE's default start-up trials");
    }

    @Test
    void unknownSamplerNamesTheKnownOnes() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("search:\n", "search:\n  sampler: tpe\n")));
        assertEquals(List.of("search.sampler: must be one of motpe, nsga2, random, sobol, got 'tpe'"), e.problems());
    }

    @Test
    void warmStartMustNameARunDirectory() throws Exception {
        SpecException e = assertThrows(SpecException.class,
                () -> SpecLoader.parse(VALID.replace("search:\n", "search:\n  warmStart: runs/earlier\n"), "test.yaml", tmp, DEVICES));
        assertEquals(List.of("search.warmStart: not a run directory: " + tmp.resolve("runs/earlier/trials.jsonl") + " does not exist"),
                e.problems());
        Files.createDirectories(tmp.resolve("runs/earlier"));
        Files.writeString(tmp.resolve("runs/earlier/trials.jsonl"), "");
        ExperimentSpec s = SpecLoader.parse(VALID.replace("search:\n", "search:\n  warmStart: runs/earlier\n"), "test.yaml", tmp, DEVICES);
        assertEquals(tmp.resolve("runs/earlier"), s.search().warmStart(), "resolved against the spec's directory");
    }

    @Test
    void deviceOfAKnownProfileNotListedInDevicesIsAProblem() {
        SpecException e = assertThrows(SpecException.class,
                () -> parse(VALID.replace("metric: latency_ms@rpi4", "metric: energy_mj@rpi5")));
        assertEquals(List.of("search.objectives[1].metric: 'energy_mj@rpi5' names device 'rpi5', which is not in devices [rpi4]"), e.problems());
    }

    @Test
    void unknownDeviceAndUnknownMetricAreProblems() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("devices: [rpi4]", "devices: [rpi4, pi9]")
                .replace("metric: accuracy,", "metric: acuracy,")));
        assertEquals(2, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("devices[1]: unknown hardware profile 'pi9'"), e.problems().toString());
        assertTrue(e.problems().get(1).startsWith("search.objectives[0].metric: unknown metric 'acuracy'"), e.problems().toString());
    }

    @Test
    void invalidYamlNamesTheLine() {
        String broken = "schemaVersion: 1\nname: ok\nbudget:\n  trials: [1, 2\n  other: x\n";
        SpecException e = assertThrows(SpecException.class, () -> parse(broken));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).startsWith("not valid YAML: "), e.problems().toString());
        assertTrue(e.problems().get(0).matches("(?s).*\\(line \\d+\\)$"), e.problems().toString());
    }

    @Test
    void aSpecThatIsNotUtf8NamesTheFileAndTheByteOffset() throws Exception {
        Path latin1 = tmp.resolve("latin1.yaml");
        Files.write(latin1, VALID.replace("name: ok", "name: ok # caf\u00e9").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(latin1, DEVICES));
        int offset = VALID.indexOf("name: ok") + "name: ok # caf".length();
        assertEquals(List.of("not UTF-8: byte " + offset + " (0xE9, line 2) is not valid UTF-8; Kompakt reads specs as UTF-8 (save the file"
                + " as UTF-8)"), e.problems());
        assertTrue(e.getMessage().startsWith(latin1 + ": "), e.getMessage());
    }

    @Test
    void exactlyOneYamlDocument() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID + "---\nname: second\n"));
        assertEquals(List.of("a second YAML document (after a '---') starts at line 18; a spec is exactly one document (put each spec in its own"
                + " file)"), e.problems());
        parse("---\n" + VALID);   // a document start marker before the only document is fine
    }

    @Test
    void objectivesAndConstraintsWrittenAsStringsAreErrorsWithTheirPaths() {
        String yaml = VALID.replace("- { metric: accuracy, direction: maximize }", "- accuracy")
                .replace("devices: [rpi4]", "  constraints: [size_bytes]\ndevices: [rpi4]");
        SpecException e = assertThrows(SpecException.class, () -> parse(yaml));
        assertEquals(List.of("search.objectives[0]: must be a map {metric: ..., direction: ...}, got the string \"accuracy\"",
                "search.constraints[0]: must be a map {metric: ..., max: ...}, got the string \"size_bytes\""), e.problems());
    }

    @Test
    void namesMustFitTheFileSystem() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("name: ok", "name: " + "x".repeat(101))));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).startsWith("name: must be at most 100 characters"), e.problems().toString());
        assertEquals("x".repeat(100), parse(VALID.replace("name: ok", "name: " + "x".repeat(100))).name());
    }

    @Test
    void nonFiniteNumbersAreRefusedWithTheirFieldPath() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("maxSparsity: 0.5", "maxSparsity: .nan")));
        assertEquals(List.of("strategies.pruning.maxSparsity: must be a finite number, got .nan (line 8)"), e.problems());
        e = assertThrows(SpecException.class, () -> parse(VALID.replace("weightBits: [32, 8]", "weightBits: [32, -.inf]")));
        assertEquals(List.of("strategies.quantization.weightBits[1]: must be a finite number, got -.inf (line 9)"), e.problems());
    }

    @Test
    void objectivesNoTrialCanReportAreRefused() {
        String batch = VALID.replace("metric: latency_ms@rpi4", "metric: latency_batch_ms@host");
        SpecException e = assertThrows(SpecException.class, () -> parse(batch));
        assertEquals(1, e.problems().size());
        assertTrue(e.problems().get(0).startsWith("search.objectives[1].metric: 'latency_batch_ms@host' is measured only when"
                + " execution.latencyBatch"), e.problems().toString());
        assertEquals(16, parse(batch + "execution: { latencyBatch: 16 }\n").execution().latencyBatch());
    }

    @Test
    void trialTimeoutIsSecondsOrANumberWithAUnit() {
        assertEquals(java.time.Duration.ofSeconds(45), parse(VALID + "execution: { trialTimeout: 45 }\n").execution().trialTimeout());
        assertEquals(java.time.Duration.ofSeconds(90), parse(VALID + "execution: { trialTimeout: 90s }\n").execution().trialTimeout());
        assertEquals(java.time.Duration.ofMinutes(30), parse(VALID + "execution: { trialTimeout: 30m }\n").execution().trialTimeout());
        assertEquals(java.time.Duration.ofMinutes(90), parse(VALID + "execution: { trialTimeout: 1.5h }\n").execution().trialTimeout());
        assertEquals(null, parse(VALID).execution().trialTimeout());
        for (String bad : List.of("soon", "0", "-5", "10 days", "0.5s")) {
            SpecException e = assertThrows(SpecException.class, () -> parse(VALID + "execution: { trialTimeout: " + bad + " }\n"));
            assertEquals(1, e.problems().size(), bad);
            assertTrue(e.problems().get(0).startsWith("execution.trialTimeout: must be a duration of 1 s to 30 days: seconds, or a number with"
                    + " s, m or h (90s, 30m, 1.5h), got "), e.problems().toString());
        }
    }

    private static String withEarlyStopping(String earlyStopping) {
        return VALID.replace("  trials: 3\n", "  trials: 3\n  fineTuneEpochs: 4\n  studentEpochs: 6\n")
                .replace("search:\n", "search:\n  earlyStopping: " + earlyStopping + "\n");
    }

    private static List<String> problems(String yaml) {
        return assertThrows(SpecException.class, () -> parse(yaml)).problems();
    }

    @Test
    void earlyStoppingIsNoneByDefaultAndEachRuleReadsItsFields() {
        assertEquals(ExperimentSpec.EarlyStopping.NONE, parse(VALID).search().earlyStopping());
        assertEquals(new ExperimentSpec.EarlyStopping("moasha", 2, 2, "accuracy", 1, 5, 0),
                parse(withEarlyStopping("{ rule: moasha, minEpochs: 2, reductionFactor: 2 }")).search().earlyStopping());
        assertEquals(new ExperimentSpec.EarlyStopping("median", 1, 3, "latency_ms@rpi4", 2, 3, 0),
                parse(withEarlyStopping("{ rule: median, metric: latency_ms@rpi4, warmupEpochs: 2, minTrials: 3 }")).search().earlyStopping());
        assertEquals(new ExperimentSpec.EarlyStopping("hyperband", 1, 3, "accuracy", 1, 5, 6),
                parse(withEarlyStopping("{ rule: hyperband, maxEpochs: 6 }")).search().earlyStopping());
        assertEquals("asha", parse(withEarlyStopping("{ rule: asha }")).search().earlyStopping().rule());
    }

    @Test
    void earlyStoppingMistakesAreNamedByField() {
        assertEquals(List.of("search.earlyStopping.rule: must be one of none, median, asha, hyperband, moasha, got 'sha'"),
                problems(withEarlyStopping("{ rule: sha }")));
        assertEquals(List.of("search.earlyStopping.rule: required field is missing"), problems(withEarlyStopping("{ minEpochs: 2 }")));
        assertEquals(List.of("search.earlyStopping.metric: 'size_bytes' is not an objective (the rule judges one of search.objectives: accuracy,"
                + " latency_ms@rpi4)"), problems(withEarlyStopping("{ rule: asha, metric: size_bytes }")));
        assertEquals(List.of("search.earlyStopping.warmupEpochs: is not used by rule moasha (it is for median)"),
                problems(withEarlyStopping("{ rule: moasha, warmupEpochs: 2 }")));
        assertEquals(List.of("search.earlyStopping.reductionFactor: must be in [2, 100], got 1"), problems(withEarlyStopping("{ rule: asha, reductionFactor: 1 }")));
        assertEquals(List.of("search.earlyStopping.minEpochs: no trial could stop: the first epoch judged is 6, and no trial trains more than 6"
                + " epochs (budget.fineTuneEpochs, budget.studentEpochs); a trial is never stopped after its last epoch"),
                problems(withEarlyStopping("{ rule: moasha, minEpochs: 6 }")));
        // host latency is measured once, after the training: no epoch report carries it, so no rule could judge it
        String host = withEarlyStopping("{ rule: moasha }").replace("latency_ms@rpi4", "latency_ms@host");
        List<String> hostProblems = problems(host);
        assertEquals(1, hostProblems.size(), hostProblems.toString());
        assertTrue(hostProblems.get(0).startsWith("search.earlyStopping.rule: the objective 'latency_ms@host' is measured once, when a trial's"
                + " training has ended, so no rule can judge it after an epoch; epoch reports carry accuracy, accuracy_drop, size_bytes,"), hostProblems.get(0));
        assertTrue(problems(host.replace("{ rule: moasha }", "{ rule: asha, metric: latency_ms@host }")).get(0)
                .startsWith("search.earlyStopping.metric: the metric 'latency_ms@host' is measured once"));
    }

    @Test
    void aSpecThatIsNotAMappingIsRejected() {
        SpecException e = assertThrows(SpecException.class, () -> parse("- just\n- a list\n"));
        assertEquals(List.of("the spec must be a YAML mapping of fields"), e.problems());
    }

    @Test
    void missingFileIsReported() {
        Path missing = tmp.resolve("nope.yaml");
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(missing, DEVICES));
        assertEquals(List.of("spec file not found"), e.problems());
        assertTrue(e.getMessage().startsWith(missing.toString()), e.getMessage());
    }

    @Test
    void defaultsFillOmittedSectionsAndFields() {
        ExperimentSpec s = parse("""
                schemaVersion: 1
                name: minimal
                data: {}
                baseline: {}
                strategies:
                  student: { widths: [0.5] }
                  pruning: {}
                  distillation: {}
                budget: { trials: 1 }
                search:
                  objectives: [{ metric: accuracy, direction: maximize }]
                """);
        assertEquals(42, s.seed());
        assertEquals(new ExperimentSpec.Data("fashion-mnist", null, 60000, 10000), s.data());
        assertEquals(new ExperimentSpec.Baseline("cnn", null, 4, 64, 2e-3), s.baseline());
        assertEquals(List.of(StudentStrategy.Init.INHERIT), s.strategies().student().init());
        assertEquals(new PruningStrategy.Range(0.0, 0.9), s.strategies().pruning());
        assertNull(s.strategies().quantization());
        assertEquals(new DistillationStrategy.Range(1.0, 8.0, 0.3, 0.9), s.strategies().distillation());
        assertEquals(new ExperimentSpec.Budget(1, 1, 2, 5000, 64, 5e-4, 3e-3), s.budget());
        assertEquals("motpe", s.search().sampler(), "MO-TPE is the default sampler");
        assertEquals(8, s.search().populationSize());
        assertEquals(List.of(), s.search().constraints());
        assertEquals(List.of("rpi4"), s.devices(), "devices default to rpi4");
        assertEquals(new ExperimentSpec.Execution(0, 50, 200, 0, 1), s.execution(), "execution section left out");
    }

    @Test
    void requiredSectionsAreReportedWhenMissing() {
        SpecException e = assertThrows(SpecException.class, () -> parse("schemaVersion: 1\nname: x\n"));
        for (String section : List.of("data", "baseline", "strategies", "budget", "search")) {
            assertTrue(e.problems().contains(section + ": required section is missing"), e.problems().toString());
        }
    }

    @Test
    void relativeDataPathResolvesAgainstTheSpecFilesDirectory() throws Exception {
        Path specDir = Files.createDirectories(tmp.resolve("specs"));
        Path dataDir = Files.createDirectories(tmp.resolve("data").resolve("idx"));
        Path file = specDir.resolve("s.yaml");
        Files.writeString(file, VALID.replace("  dataset: fashion-mnist\n", "  dataset: fashion-mnist\n  path: ../data/idx\n"));
        ExperimentSpec s = SpecLoader.load(file, DEVICES);
        assertEquals(dataDir.toAbsolutePath().normalize(), s.data().path());

        Files.writeString(file, VALID.replace("  dataset: fashion-mnist\n", "  dataset: fashion-mnist\n  path: ../missing\n"));
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(file, DEVICES));
        assertEquals(List.of("data.path: directory " + tmp.resolve("missing").toAbsolutePath().normalize() + " does not exist"), e.problems());
    }

    @Test
    void schemaVersion2IsRejected() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("schemaVersion: 1", "schemaVersion: 2")));
        assertEquals(List.of("schemaVersion: this Kompakt reads schemaVersion 1, got 2"), e.problems());
    }

    @Test
    void schemaVersionMustBeAnInteger() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("schemaVersion: 1", "schemaVersion: one")));
        assertEquals(1, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("schemaVersion: must be an integer"), e.problems().toString());
    }

    @Test
    void runCopyDoesNotRequireDataOrModelToExist() throws Exception {
        Path runDir = Files.createDirectories(tmp.resolve("runs").resolve("r"));
        Path copy = runDir.resolve("spec.yaml");
        Files.writeString(copy, VALID.replace("  dataset: fashion-mnist\n", "  dataset: fashion-mnist\n  path: ../elsewhere\n")
                .replace("  architecture: cnn\n", "  architecture: cnn\n  model: gone.zip\n"));
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.load(copy, DEVICES));
        assertEquals(2, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(0).startsWith("data.path: directory "), e.problems().toString());
        assertTrue(e.problems().get(1).startsWith("baseline.model: file "), e.problems().toString());

        ExperimentSpec s = SpecLoader.loadRunCopy(copy, DEVICES);
        assertEquals("ok", s.name());
        assertEquals(tmp.resolve("runs").resolve("elsewhere").toAbsolutePath().normalize(), s.data().path());
        assertEquals(runDir.resolve("gone.zip").toAbsolutePath().normalize(), s.baseline().model());
    }

    @Test
    void runCopyIsStillValidated() throws Exception {
        Path copy = tmp.resolve("spec.yaml");
        Files.writeString(copy, VALID.replace("trials: 3", "trials: 0"));
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.loadRunCopy(copy, DEVICES));
        assertEquals(List.of("budget.trials: must be >= 1, got 0"), e.problems());
        SpecException missing = assertThrows(SpecException.class, () -> SpecLoader.loadRunCopy(tmp.resolve("none.yaml"), DEVICES));
        assertEquals(List.of("spec file not found"), missing.problems());
    }

    @Test
    void quantizationAwareTrainingIsAnOptionalListOfBooleans() {
        ExperimentSpec s = parse(VALID.replace("quantization: { weightBits: [32, 8] }", "quantization: { weightBits: [32, 4], qat: [false, true] }"));
        assertEquals(new QuantizationStrategy.Range(List.of(32, 4), List.of(false, true), List.of()), s.strategies().quantization());
        assertEquals(List.of(), parse(VALID).strategies().quantization().qat(), "left out: every candidate is post-training quantized");
        SpecException e = assertThrows(SpecException.class,
                () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }", "quantization: { weightBits: [32, 8], qat: [1, true, true] }")));
        assertTrue(e.problems().contains("strategies.quantization.qat[0]: must be one of booleans: false, true, got 1"), e.problems().toString());
        assertTrue(e.problems().contains("strategies.quantization.qat[2]: true is listed twice"), e.problems().toString());
    }

    @Test
    void mixedPrecisionAndAllocationDefaultOffSoOldSpecsParseUnchanged() {
        ExperimentSpec old = parse(VALID);
        assertEquals(new PruningStrategy.Range(0.0, 0.5, List.of(PruningStrategy.Schedule.ONESHOT), List.of(PruningStrategy.Allocation.GLOBAL)),
                old.strategies().pruning());
        assertEquals(new QuantizationStrategy.Range(List.of(32, 8), List.of(), List.of()), old.strategies().quantization());
        assertEquals(List.of("prune.sparsity", "prune.schedule", "quant.weight_bits"), CompressionSpace.of(old.strategies())
                .parameters().stream().map(dev.kompakt.search.Parameter::name).toList(),
                "the space of a spec without the new keys is the one it was before");
    }

    @Test
    void mixedPrecisionNamesTheWeightLayersOfTheBaselinesFamily() {
        String mixed = VALID.replace("quantization: { weightBits: [32, 8] }", "quantization: { weightBits: [32, 8, 4], mixedPrecision: true }");
        assertEquals(new QuantizationStrategy.Range(List.of(32, 8, 4), List.of(), List.of("conv1", "conv2", "fc1", "out")),
                parse(mixed).strategies().quantization());
        assertEquals(List.of("fc1", "fc2", "out"),
                parse(mixed.replace("architecture: cnn", "architecture: mlp")).strategies().quantization().layers());
        assertEquals(List.of(), parse(mixed.replace("mixedPrecision: true", "mixedPrecision: false")).strategies().quantization().layers());
        SpecException e = assertThrows(SpecException.class,
                () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }", "quantization: { weightBits: [8], mixedPrecision: yes please }")));
        assertTrue(e.problems().contains("strategies.quantization.mixedPrecision: must be true or false, got \"yes please\""), e.problems().toString());
        SpecException one = assertThrows(SpecException.class,
                () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }", "quantization: { weightBits: [8], mixedPrecision: true }")));
        assertEquals(List.of("strategies.quantization.mixedPrecision: needs at least two weightBits to mix, got [8]"), one.problems());
    }

    @Test
    void pruningAllocationIsAListOfGlobalAndSensitivity() {
        ExperimentSpec s = parse(VALID.replace("pruning: { minSparsity: 0.0, maxSparsity: 0.5 }",
                "pruning: { minSparsity: 0.0, maxSparsity: 0.5, allocation: [global, sensitivity] }"));
        assertEquals(List.of(PruningStrategy.Allocation.GLOBAL, PruningStrategy.Allocation.SENSITIVITY), s.strategies().pruning().allocations());
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("pruning: { minSparsity: 0.0, maxSparsity: 0.5 }",
                "pruning: { minSparsity: 0.0, maxSparsity: 0.5, allocation: [uniform] }")));
        assertEquals(List.of("strategies.pruning.allocation[0]: must be global or sensitivity, got 'uniform'"), e.problems());
    }

    @Test
    void distillationKindsDefaultToResponseAndAreValidated() {
        assertEquals(List.of(DistillationStrategy.Kind.RESPONSE), parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "distillation: { minTemperature: 2.0 }")).strategies().distillation().kinds(), "left out: response KD only");
        ExperimentSpec s = parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "distillation: { kinds: [response, feature, relation] }"));
        assertEquals(new DistillationStrategy.Range(1.0, 8.0, 0.3, 0.9, List.of(DistillationStrategy.Kind.values())),
                s.strategies().distillation());
        assertEquals(List.of(DistillationStrategy.Kind.RELATION), parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "distillation: { kinds: [relation] }")).strategies().distillation().kinds(), "any kind can be searched alone");
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "distillation: { kinds: [response, attention, 3, response] }")));
        assertTrue(e.problems().contains("strategies.distillation.kinds[1]: must be response, feature or relation, got 'attention'"),
                e.problems().toString());
        assertTrue(e.problems().contains("strategies.distillation.kinds[2]: must be one of 'response', 'feature' or 'relation', got 3"),
                e.problems().toString());
        assertTrue(e.problems().contains("strategies.distillation.kinds[3]: \"response\" is listed twice"), e.problems().toString());
        SpecException empty = assertThrows(SpecException.class, () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "distillation: { kinds: [] }")));
        assertTrue(empty.problems().contains("strategies.distillation.kinds: required: a non-empty list of 'response', 'feature' or 'relation'"),
                empty.problems().toString());
    }

    @Test
    void pruningRegularizationDefaultsToNoneSoOldSpecsSearchTheSameSpace() {
        CompressionSpace.Ranges old = parse(VALID).strategies();
        assertEquals(List.of(RegularizationStrategy.Kind.NONE), old.regularization().kinds());
        assertEquals(new PruningStrategy.Range(0.0, 0.5), old.pruning());
        CompressionSpace.Ranges pruningOnly = new CompressionSpace.Ranges(null, old.pruning(), old.regularization(), null, null);
        assertEquals(List.of("prune.sparsity", "prune.schedule"),
                CompressionSpace.of(pruningOnly).parameters().stream().map(dev.kompakt.search.Parameter::name).toList());
        CompressionSpace.Ranges r = parse(VALID.replace("pruning: { minSparsity: 0.0, maxSparsity: 0.5 }",
                "pruning: { minSparsity: 0.0, maxSparsity: 0.5, regularization: [none, l1, group_lasso], minRegularizationStrength: 0.01,"
                        + " maxRegularizationStrength: 5 }")).strategies();
        assertEquals(new PruningStrategy.Range(0.0, 0.5), r.pruning());
        assertEquals(new RegularizationStrategy.Range(List.of(RegularizationStrategy.Kind.values()), 0.01, 5.0), r.regularization());
        assertEquals(List.of("prune.sparsity", "prune.schedule", "prune.regularization", "prune.regularization_strength"),
                CompressionSpace.of(new CompressionSpace.Ranges(null, r.pruning(), r.regularization(), null, null)).parameters().stream()
                        .map(dev.kompakt.search.Parameter::name).toList());
        assertEquals(new RegularizationStrategy.Range(List.of(RegularizationStrategy.Kind.GROUP_LASSO)),
                parse(VALID.replace("pruning: { minSparsity: 0.0, maxSparsity: 0.5 }",
                        "pruning: { regularization: [group_lasso] }")).strategies().regularization(), "default strength range");
    }

    @Test
    void pruningRegularizationIsValidated() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("pruning: { minSparsity: 0.0, maxSparsity: 0.5 }",
                "pruning: { regularization: [l2, l1, l1], minRegularizationStrength: 2, maxRegularizationStrength: 1 }")));
        assertTrue(e.problems().contains("strategies.pruning.regularization[0]: must be none, l1 or group_lasso, got 'l2'"), e.problems().toString());
        assertTrue(e.problems().contains("strategies.pruning.regularization[2]: \"l1\" is listed twice"), e.problems().toString());
        assertTrue(e.problems().contains("strategies.pruning: minRegularizationStrength 2.0 is above maxRegularizationStrength 1.0"),
                e.problems().toString());
        SpecException unused = assertThrows(SpecException.class, () -> parse(VALID.replace("pruning: { minSparsity: 0.0, maxSparsity: 0.5 }",
                "pruning: { maxRegularizationStrength: 0.5 }")));
        assertEquals(List.of("strategies.pruning: a regularization strength is set but regularization lists only none; add l1 or group_lasso"
                + " to regularization"), unused.problems());
        SpecException zero = assertThrows(SpecException.class, () -> parse(VALID.replace("pruning: { minSparsity: 0.0, maxSparsity: 0.5 }",
                "pruning: { regularization: [l1], minRegularizationStrength: 0 }")));
        assertEquals(List.of("strategies.pruning.minRegularizationStrength: must be in [1.0E-8, 1000.0], got 0.0"), zero.problems());
    }

    @Test
    void bnScaleCriterionIsRejectedForTheFamiliesWithoutBatchNorm() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "student: { widths: [0.5, 1.0], criteria: [l1, bn_scale] }")));
        assertEquals(List.of("strategies.student.criteria[1]: bn_scale ranks channels by the scale (gamma) of the batch normalisation after"
                + " each layer, and the cnn family has none; use l1, l2, taylor or random"), e.problems());
    }

    @Test
    void quantizationOptionsDefaultOffAndParse() {
        ExperimentSpec old = parse(VALID);
        QuantizationStrategy.Range q = old.strategies().quantization();
        assertEquals(List.of(QuantizationStrategy.CalibrationMethod.MINMAX), q.calibrations());
        assertEquals(List.of(), q.biasCorrection());
        assertEquals(List.of(32), q.activationBits());
        assertEquals(List.of("quant.weight_bits"), CompressionSpace.of(new CompressionSpace.Ranges(null, null, null, q, null)).parameters().stream()
                .map(dev.kompakt.search.Parameter::name).toList(), "a spec without the new keys searches the space it did before");

        ExperimentSpec s = parse(VALID.replace("quantization: { weightBits: [32, 8] }", "quantization: { weightBits: [32, 8, 4], "
                + "calibrations: [minmax, percentile, mse, kl], biasCorrection: [false, true], activationBits: [32, 8, 6, 4] }"));
        assertEquals(new QuantizationStrategy.Range(List.of(32, 8, 4), List.of(), List.of(), List.of(QuantizationStrategy.CalibrationMethod.values()),
                List.of(false, true), List.of(32, 8, 6, 4)), s.strategies().quantization());
        assertEquals(List.of("quant.weight_bits", "quant.calibration", "quant.bias_correction", "quant.activation_bits"),
                CompressionSpace.of(new CompressionSpace.Ranges(null, null, null, s.strategies().quantization(), null)).parameters().stream()
                        .map(dev.kompakt.search.Parameter::name).toList());
    }

    @Test
    void quantizationOptionsAreValidatedWithTheirFieldPaths() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "quantization: { weightBits: [32, 8], calibrations: [minmax, entropy], biasCorrection: [maybe], activationBits: [32, 16, 1] }")));
        assertTrue(e.problems().contains("strategies.quantization.calibrations[1]: must be minmax, percentile, mse or kl, got 'entropy'"),
                e.problems().toString());
        assertTrue(e.problems().contains("strategies.quantization.biasCorrection[0]: must be one of booleans: false, true, got \"maybe\""),
                e.problems().toString());
        assertTrue(e.problems().contains("strategies.quantization.activationBits[1]: must be 32 (float) or in [2, 8], got 16"),
                e.problems().toString());
        SpecException floatOnly = assertThrows(SpecException.class, () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "quantization: { weightBits: [32], biasCorrection: [false, true] }")));
        assertEquals(List.of("strategies.quantization.biasCorrection: corrects quantized weights, but weightBits [32] has none below 32"),
                floatOnly.problems());
        SpecException typo = assertThrows(SpecException.class, () -> parse(VALID.replace("quantization: { weightBits: [32, 8] }",
                "quantization: { weightBits: [32, 8], activationBit: [8] }")));
        assertTrue(typo.problems().toString().contains("activationBit"), typo.problems().toString());
    }

    @Test
    void dataFormatsAndTheirOptionsParse() {
        ExperimentSpec s = parse(VALID.replace("  dataset: fashion-mnist", "  format: folder\n  path: .\n  image: { height: 24, width: 20 }\n"
                + "  validationFraction: 0.2\n  normalization: fit"));
        assertEquals("folder", s.data().format());
        assertEquals(dev.kompakt.evaluator.data.DataShape.image(3, 24, 20), s.data().image(), "RGB by default");
        assertEquals(0.2, s.data().validationFraction());
        assertEquals("fit", s.data().normalization());
        ExperimentSpec fixed = parse(VALID.replace("  dataset: fashion-mnist", "  format: cifar100\n  path: .\n  labels: coarse\n"
                + "  normalization: { mean: [0.5, 0.4, 0.3], std: [0.2, 0.2, 0.2] }"));
        assertTrue(fixed.data().coarseLabels());
        assertEquals("fixed", fixed.data().normalization());
        assertEquals(List.of(0.5, 0.4, 0.3), fixed.data().mean());
        ExperimentSpec csv = parse(VALID.replace("  dataset: fashion-mnist", "  format: csv\n  path: .\n  labelColumn: species")
                .replace("architecture: cnn", "architecture: mlp"));
        assertEquals("species", csv.data().labelColumn());
        ExperimentSpec old = parse(VALID);
        assertEquals("idx", old.data().format(), "a spec without data.format reads IDX, as before");
        assertEquals(0.1, old.data().validationFraction());
        assertEquals("none", old.data().normalization());
    }

    @Test
    void dataMistakesAreReportedWithTheirFieldPaths() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("  dataset: fashion-mnist",
                "  format: parquet\n  validationFraction: 0.7\n  normalization: zscore")));
        assertTrue(e.problems().contains("data.format: must be idx, cifar10, cifar100, folder or csv, got 'parquet'"), e.problems().toString());
        assertTrue(e.problems().contains("data.validationFraction: must be in [0.01, 0.5], got 0.7"), e.problems().toString());
        assertTrue(e.problems().contains("data.normalization: must be none, fit or { mean: [...], std: [...] }, got 'zscore'"),
                e.problems().toString());
        SpecException folder = assertThrows(SpecException.class, () -> parse(VALID.replace("  dataset: fashion-mnist", "  format: folder")));
        assertTrue(folder.problems().contains("data.path: required for data.format folder: the directory that holds the data"),
                folder.problems().toString());
        assertTrue(folder.problems().stream().anyMatch(p -> p.startsWith("data.image: required for data.format folder")), folder.problems().toString());
        SpecException csv = assertThrows(SpecException.class, () -> parse(VALID.replace("  dataset: fashion-mnist", "  format: csv\n  path: .")));
        assertEquals(List.of("baseline.architecture: cnn needs images, but data.format csv holds table rows; use mlp (or give baseline.model)"),
                csv.problems());
        SpecException misplaced = assertThrows(SpecException.class, () -> parse(VALID.replace("  dataset: fashion-mnist",
                "  labelColumn: y\n  labels: coarse\n  image: { height: 8, width: 8, channels: 2 }\n  normalization: { mean: [0.5], std: [0, 1] }")));
        assertTrue(misplaced.problems().contains("data.labelColumn: is for data.format csv"), misplaced.problems().toString());
        assertTrue(misplaced.problems().contains("data.labels: is for data.format cifar100 (its 100 fine or 20 coarse classes)"),
                misplaced.problems().toString());
        assertTrue(misplaced.problems().contains("data.image.channels: must be 1 (grey) or 3 (RGB), got 2"), misplaced.problems().toString());
        assertTrue(misplaced.problems().contains("data.normalization: mean has 1 values and std 2; give one of each per channel"),
                misplaced.problems().toString());
        assertTrue(misplaced.problems().contains("data.normalization.std[0]: must be finite and > 0, got 0.0"), misplaced.problems().toString());
    }

    @Test
    void architectureSectionLoadsWithDefaultsAndComposesTheSpace() {
        ExperimentSpec s = parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n    families: [baseline, mobilenet, ghostnet]\n"
                + "    resolutions: [20, 28]\n  student: { widths: [0.5, 1.0] }\n"));
        dev.kompakt.strategies.architecture.ArchitectureStrategy.Range a = s.strategies().architecture();
        assertEquals(List.of(dev.kompakt.strategies.architecture.ArchitectureStrategy.Family.BASELINE,
                dev.kompakt.strategies.architecture.ArchitectureStrategy.Family.MOBILENET,
                dev.kompakt.strategies.architecture.ArchitectureStrategy.Family.GHOSTNET), a.families());
        assertEquals(List.of(3, 5, 7), a.kernels());
        assertEquals(List.of(2, 4, 6), a.expansions());
        assertEquals(List.of(0.5, 0.75, 1.0), a.widths());
        assertEquals(1, a.minDepth());
        assertEquals(3, a.maxDepth());
        assertEquals(List.of(20, 28), a.resolutions());
        List<String> names = CompressionSpace.of(s.strategies()).parameters().stream().map(dev.kompakt.search.Parameter::name).toList();
        assertEquals("arch.family", names.get(0));
        assertTrue(names.contains("arch.s3.se") && names.contains("student.width") && names.contains("prune.sparsity"), names.toString());
        ExperimentSpec compound = parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n    families: [resnet]\n"
                + "    compound: { minPhi: -1.5, maxPhi: 0.5 }\n"));
        assertEquals(new dev.kompakt.strategies.architecture.ArchitectureStrategy.Compound(-1.5, 0.5), compound.strategies().architecture().compound());
    }

    @Test
    void architectureMistakesNameTheirFields() {
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n"
                + "    families: [resnet, squeezenet]\n    kernels: [3, 4]\n    resolutions: [6]\n    compound: { minPhi: 1, maxPhi: 0 }\n"
                + "    widths: [0.5]\n")));
        assertEquals(List.of(
                "strategies.architecture.families[1]: must be baseline, resnet, mobilenet, ghostnet or shufflenet, got 'squeezenet'",
                "strategies.architecture.widths: compound scaling derives depths, widths and the resolution from phi; drop widths or compound",
                "strategies.architecture.resolutions: compound scaling derives depths, widths and the resolution from phi; drop resolutions or compound",
                "strategies.architecture.kernels[1]: must be 3, 5 or 7, got 4",
                "strategies.architecture.resolutions[0]: must be in [8, 1024] (three stride-2 stages need 8), got 6",
                "strategies.architecture.compound: minPhi 1.0 is above maxPhi 0.0"), e.problems());
        // what the other strategies cannot do with a built family
        String yaml = VALID.replace("strategies:\n", "strategies:\n  architecture:\n    families: [resnet]\n  student: { widths: [0.5] }\n")
                .replace("weightBits: [32, 8] }", "weightBits: [32, 8], mixedPrecision: true }")
                .replace("  pruning:", "  distillation: { kinds: [feature] }\n  pruning:");
        e = assertThrows(SpecException.class, () -> parse(yaml));
        assertEquals(List.of(
                "strategies.student: narrows the baseline's graph, but strategies.architecture.families has no baseline; add baseline there or"
                        + " drop the student strategy (the built families have widths of their own)",
                "strategies.quantization.mixedPrecision: gives each weight layer of the baseline its own bits, but an architecture search builds"
                        + " networks with other layers; use one weightBits for all (mixedPrecision: false)",
                "strategies.distillation.kinds: feature distillation regresses a layer of the baseline's graph onto the teacher's; with an"
                        + " architecture search use response or relation"), e.problems());
        e = assertThrows(SpecException.class, () -> parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n    families: [ghostnet]\n")
                .replace("  dataset: fashion-mnist\n", "  format: csv\n  path: .\n").replace("cnn", "mlp")));
        assertTrue(e.problems().contains("strategies.architecture.families: the built families are convolutional networks for images, but"
                + " data.format csv holds table rows; keep only baseline"), e.problems().toString());
    }

    @Test
    void weightInheritanceIsChosenInTheSpaceAndItsSupernetsTrainTwiceTheStudentEpochsByDefault() {
        ExperimentSpec s = parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n    families: [resnet, shufflenet]\n"
                + "    init: [scratch, inherit]\n"));
        var a = s.strategies().architecture();
        assertEquals(2 * s.budget().studentEpochs(), a.supernetEpochs());
        var space = CompressionSpace.of(s.strategies());
        dev.kompakt.search.Parameter init = space.parameters().stream().filter(p -> p.name().equals("arch.init")).findFirst().orElseThrow();
        assertEquals(java.util.Optional.of(new dev.kompakt.search.Parameter.Condition("arch.family", List.of("resnet"))), init.activeIf(),
                "shufflenet networks always start from scratch");
        assertEquals(5, parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n    families: [mobilenet]\n"
                + "    init: [inherit]\n    supernetEpochs: 5\n")).strategies().architecture().supernetEpochs());
        SpecException e = assertThrows(SpecException.class, () -> parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n"
                + "    families: [resnet]\n    init: [inherit, fresh]\n")));
        assertEquals(List.of("strategies.architecture.init[1]: must be scratch or inherit, got 'fresh'"), e.problems());
        e = assertThrows(SpecException.class, () -> parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n"
                + "    families: [baseline, shufflenet]\n    init: [inherit]\n")));
        assertEquals(List.of("strategies.architecture.init: inherit starts resnet, mobilenet and ghostnet networks from their family's trained supernet;"
                        + " the families [baseline, shufflenet] have none of them"), e.problems());
        e = assertThrows(SpecException.class, () -> parse(VALID.replace("strategies:\n", "strategies:\n  architecture:\n"
                + "    families: [resnet]\n    supernetEpochs: 3\n")));
        assertEquals(List.of("strategies.architecture.supernetEpochs: trains the supernets that init inherit starts from; init has no inherit"),
                e.problems());
    }
}
