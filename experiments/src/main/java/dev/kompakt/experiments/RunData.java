package dev.kompakt.experiments;

import dev.kompakt.evaluator.data.DatasetSource;
import dev.kompakt.evaluator.data.ImageDataset;
import dev.kompakt.experiments.spec.ExperimentSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The data a run uses: the splits as read, and the stratified subsets of them the spec asks for.
 *
 * @param splits the train and test splits of the data directory
 * @param train  the training samples candidates are trained on
 * @param test   the test samples candidates are measured on
 */
public record RunData(DatasetSource.Splits splits, ImageDataset train, ImageDataset test) {
    /** The spec's data from {@code dir}; null = the Debian full set when installed, else the bundled subset. */
    public static RunData load(ExperimentSpec spec, Path dir) throws IOException {
        if (dir == null) {
            dir = Files.isDirectory(DatasetSource.DEBIAN_FASHION_MNIST) ? DatasetSource.DEBIAN_FASHION_MNIST : bundledData();
        }
        DatasetSource.Splits splits = DatasetSource.load(spec.data().dataset(), dir, 10);
        return new RunData(splits, splits.train().stratified(spec.data().trainSamples()), splits.test().stratified(spec.data().testSamples()));
    }

    /** The spec's data from the spec's {@code data.path}. */
    public static RunData load(ExperimentSpec spec) throws IOException {
        return load(spec, spec.data().path());
    }

    /** The Fashion-MNIST subset shipped in the repository. */
    public static Path bundledData() throws IOException {
        String home = System.getenv("KOMPAKT_HOME");
        List<Path> candidates = new java.util.ArrayList<>();
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "experiments", "data", "fashion-mnist-subset"));
        }
        candidates.add(Path.of("experiments", "data", "fashion-mnist-subset"));
        candidates.add(Path.of("data", "fashion-mnist-subset"));
        candidates.add(Path.of("..", "experiments", "data", "fashion-mnist-subset"));
        for (Path p : candidates) {
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IOException("no dataset: " + DatasetSource.DEBIAN_FASHION_MNIST + " is not installed (apt-get install dataset-fashion-mnist) "
                + "and the bundled subset was not found in " + candidates + "; set data.path in the spec or KOMPAKT_HOME");
    }
}
