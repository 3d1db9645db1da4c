package dev.kompakt.experiments;

import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.ModelBytes;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BaselinesTest {
    static final Set<String> DEVICES = ProfileRegistry.builtIn().all().keySet();

    @TempDir
    Path tmp;

    private static String yaml(long seed, int epochs, String architecture, String model) {
        return """
                schemaVersion: 1
                name: b
                seed: %d
                data: { dataset: fashion-mnist }
                baseline:
                  architecture: %s
                  epochs: %d
                %s
                strategies:
                  pruning: {}
                budget: { trials: 1 }
                search:
                  objectives: [{ metric: accuracy, direction: maximize }]
                """.formatted(seed, architecture, epochs, model == null ? "" : "  model: " + model);
    }

    private ExperimentSpec spec(long seed, int epochs, String architecture) {
        return SpecLoader.parse(yaml(seed, epochs, architecture, null), "b.yaml", tmp, DEVICES);
    }

    private static SampleSet data(int rows, int cols, int n, byte firstPixel) {
        byte[] px = new byte[rows * cols * n];
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 2);
            for (int j = 0; j < rows * cols; j++) {
                px[i * rows * cols + j] = (byte) ((i * 31 + j * 7) & 0x7f);
            }
        }
        px[0] = firstPixel;
        return new SampleSet("synthetic", rows, cols, 2, px, labels);
    }

    private static Architecture arch(ExperimentSpec s) {
        return new Architecture(Architecture.family(s.baseline().architecture()), 1.0);
    }

    @Test
    void keyIsStableAndChangesWithEveryIngredient() {
        SampleSet train = data(4, 4, 6, (byte) 1);
        ExperimentSpec base = spec(42, 3, "cnn");
        String key = Baselines.key(base, arch(base), train);
        assertEquals(64, key.length());
        assertTrue(key.matches("[0-9a-f]{64}"), key);
        assertEquals(key, Baselines.key(spec(42, 3, "cnn"), arch(base), data(4, 4, 6, (byte) 1)), "same recipe, same key");
        // the dataset's name is not part of the recipe, only its contents
        SampleSet renamed = new SampleSet("other-name", 4, 4, 2, train.pixels(), train.labels());
        assertEquals(key, Baselines.key(base, arch(base), renamed));

        ExperimentSpec otherSeed = spec(43, 3, "cnn");
        assertNotEquals(key, Baselines.key(otherSeed, arch(otherSeed), train), "seed");
        ExperimentSpec otherEpochs = spec(42, 4, "cnn");
        assertNotEquals(key, Baselines.key(otherEpochs, arch(otherEpochs), train), "epochs");
        ExperimentSpec mlp = spec(42, 3, "mlp");
        assertNotEquals(key, Baselines.key(mlp, arch(mlp), train), "architecture");
        assertNotEquals(key, Baselines.key(base, arch(base), data(4, 4, 6, (byte) 2)), "data contents");
        assertNotEquals(key, Baselines.key(base, arch(base), data(4, 4, 7, (byte) 1)), "data size");
        assertNotEquals(key, Baselines.key(base, new Architecture(Architecture.Family.CNN, 0.5), train), "width");
    }

    @Test
    void garbageModelFileIsASpecProblemNamingTheFile() throws Exception {
        Path model = tmp.resolve("garbage.zip");
        Files.write(model, new byte[]{1, 2, 3, 4, 5, 'n', 'o', 't', ' ', 'a', ' ', 'z', 'i', 'p'});
        ExperimentSpec s = SpecLoader.parse(yaml(42, 1, "mlp", "garbage.zip"), "b.yaml", tmp, DEVICES);
        assertEquals(model.toAbsolutePath().normalize(), s.baseline().model());
        // every reason a user's model cannot be used is a problem of the spec's baseline.model field
        SpecException e = assertThrows(SpecException.class, () -> Baselines.obtain(s, arch(s), data(4, 4, 6, (byte) 1)));
        assertEquals(1, e.problems().size(), e.problems().toString());
        String problem = e.problems().get(0);
        assertTrue(problem.startsWith("baseline.model: " + s.baseline().model()), problem);
        assertTrue(problem.contains("not a DL4J model zip (ComputationGraph or MultiLayerNetwork) or a Keras .h5 file"), problem);
    }

    @Test
    void missingModelFileIsASpecProblem() {
        var e = assertThrows(dev.kompakt.experiments.spec.SpecException.class,
                () -> SpecLoader.parse(yaml(42, 1, "mlp", "missing.zip"), "b.yaml", tmp, DEVICES));
        assertEquals(java.util.List.of("baseline.model: file " + tmp.resolve("missing.zip").normalize() + " does not exist"), e.problems());
    }

    @Test
    void savedModelIsLoadedAndItsInputSizeChecked() throws Exception {
        Architecture small = new Architecture(Architecture.Family.MLP, 0.05);
        Path model = tmp.resolve("mlp.zip");
        Files.write(model, ModelBytes.write(NetworkFactory.build(small, 4, 4, 2, 1, 1e-3, null)));
        ExperimentSpec s = SpecLoader.parse(yaml(42, 1, "mlp", "mlp.zip"), "b.yaml", tmp, DEVICES);

        Baselines.Baseline b = Baselines.obtain(s, arch(s), data(4, 4, 6, (byte) 1));
        assertEquals(model.toAbsolutePath().normalize().toString(), b.source());
        assertEquals("file", b.key());
        assertEquals(16, b.network().layerInputSize("fc1"));

        SpecException e = assertThrows(SpecException.class, () -> Baselines.obtain(s, arch(s), data(3, 3, 6, (byte) 1)));
        assertTrue(e.getMessage().contains(model.toAbsolutePath().normalize().toString()), e.getMessage());
        assertEquals(java.util.List.of("baseline.model: vertex 'fc1' takes 16 inputs, but the data has 9 (1x3x3)"), e.problems());
    }
}
