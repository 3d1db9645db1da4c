package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.DatasetSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The Fashion-MNIST subset bundled in the repository, loaded once per test JVM. */
public final class TestData {
    public static final Path BUNDLED = Path.of("..", "experiments", "data", "fashion-mnist-subset");
    private static DatasetSource.Splits splits;

    private TestData() {
    }

    /**
     * An evaluation context for candidate tests: the CNN baseline (width 1.0, seed 7) trained 2 epochs (batch 32, learning
     * rate 3e-3) on 1,000 stratified training images, measured on 500 test images (which also serve as validation), with
     * the rpi4 profile. Trained anew on each call.
     */
    public static EvaluationContext smallCnnContext() {
        dev.kompakt.evaluator.data.SampleSet train = bundled().train().stratified(1000);
        dev.kompakt.evaluator.data.SampleSet test = bundled().test().stratified(500);
        var arch = new dev.kompakt.evaluator.net.Architecture(dev.kompakt.evaluator.net.Architecture.Family.CNN, 1.0);
        var baseline = dev.kompakt.evaluator.net.NetworkFactory.build(arch, 28, 28, 10, 7, 3e-3, null);
        dev.kompakt.evaluator.net.Training.fit(baseline, dev.kompakt.evaluator.net.Tensors.toDataSet(train), 2, 32,
                dev.kompakt.strategies.pruning.PruningMasks.none(), 7);
        double accuracy = dev.kompakt.evaluator.net.Training.accuracy(baseline, dev.kompakt.evaluator.net.Tensors.toDataSet(test));
        long size = dev.kompakt.evaluator.cost.CostModel.totalStorageBytes(dev.kompakt.evaluator.cost.GraphCostModel.of(baseline,
                dev.kompakt.evaluator.net.NetworkFactory.inputType(arch, 28, 28), java.util.Map.of()));
        return new EvaluationContext(baseline, train, test, accuracy, size,
                java.util.List.of(dev.kompakt.evaluator.hardware.ProfileRegistry.builtIn().get("rpi4")));
    }

    public static synchronized DatasetSource.Splits bundled() {
        if (splits == null) {
            try {
                splits = DatasetSource.load("fashion-mnist-subset", BUNDLED, 10);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return splits;
    }
}
