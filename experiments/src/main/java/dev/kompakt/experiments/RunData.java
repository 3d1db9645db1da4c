package dev.kompakt.experiments;

import dev.kompakt.evaluator.data.DataException;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.Dataset;
import dev.kompakt.evaluator.data.DatasetSource;
import dev.kompakt.evaluator.data.Normalization;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.data.Splits;
import dev.kompakt.evaluator.data.format.DatasetFormats;
import dev.kompakt.evaluator.data.format.ReadOptions;
import dev.kompakt.evaluator.data.format.TrainTest;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The data a run uses: training samples (candidates train on them), validation samples held out of the training split
 * (every choice the search makes reads them: the {@code accuracy} objective, sensitivity analysis, calibration), and test
 * samples (touched only to report {@code test_accuracy}). Read from the spec's {@code data.format} through a packed
 * cache on disk, so the whole dataset never has to fit in memory: only the chosen subsets are held.
 *
 * @param directory     where the data was read from
 * @param train         the training samples, in class round-robin order (any prefix is stratified)
 * @param validation    the validation samples
 * @param test          the test samples
 * @param split         how validation was split off (for provenance), or {@code legacy} for runs recorded before it
 */
public record RunData(Path directory, SampleSet train, SampleSet validation, SampleSet test, String split) {
    /** The value of {@code split} for runs recorded before validation splits existed: validation is the test split. */
    public static final String LEGACY = "legacy";

    /** The spec's data from the spec's {@code data.path}. */
    public static RunData load(ExperimentSpec spec) throws IOException {
        return load(spec, spec.data().path(), false);
    }

    /**
     * The spec's data from {@code dir} (null = the Debian Fashion-MNIST when installed, else the bundled subset, for
     * IDX). {@code legacy}: a run recorded before validation splits (its provenance has no {@code data.split}) resumes
     * and exports on the data it used: the first samples of each class, no validation split.
     *
     * @throws SpecException (exit 2) naming {@code data} and the file when the data cannot be read or does not fit the spec
     */
    public static RunData load(ExperimentSpec spec, Path dir, boolean legacy) throws IOException {
        RunData data = load(spec.data(), spec.seed(), dir, legacy);
        checkAugmentation(spec.budget().augmentation(), data.train().shape());
        return data;
    }

    /**
     * The data section {@code d} of a run whose seed is {@code seed} (it chooses the subsets and the validation split) from
     * {@code dir}, as {@link #load(ExperimentSpec, Path, boolean)}: what a recipe applied outside its run reads.
     */
    public static RunData load(ExperimentSpec.Data d, long seed, Path dir, boolean legacy) throws IOException {
        if (dir == null) {
            if (!d.format().equals("idx")) {
                throw new SpecException("data.path", List.of("required for data.format " + d.format()));
            }
            dir = Files.isDirectory(DatasetSource.DEBIAN_FASHION_MNIST) ? DatasetSource.DEBIAN_FASHION_MNIST : bundledData();
        }
        if (legacy) {
            DatasetSource.Splits splits = DatasetSource.load(d.dataset(), dir, 10);
            SampleSet test = splits.test().stratified(d.testSamples());
            return new RunData(splits.directory(), splits.train().stratified(d.trainSamples()), test, test, LEGACY);
        }
        TrainTest data;
        try {
            ReadOptions options = ReadOptions.defaults().withLabelColumn(d.labelColumn()).withCoarseLabels(d.coarseLabels());
            data = DatasetFormats.read(d.format(), dir, d.image() == null ? options : options.withImageShape(d.image()), cacheDir());
        } catch (DataException | java.nio.file.FileSystemException e) {
            throw new SpecException("data", List.of(e.getMessage()));
        } catch (IOException e) {
            throw new SpecException("data", List.of(dir + ": cannot be read as " + d.format() + " data (" + e.getMessage() + ")"));
        }
        for (Dataset split : List.of(data.train(), data.test())) {
            if (split.size() == 0) {
                throw new SpecException("data", List.of(dir + ": the " + (split == data.train() ? "training" : "test") + " split ("
                        + split.name() + ") holds no samples"));
            }
        }
        Dataset all = data.train();
        Splits.TrainValidation split = Splits.trainValidation(all, d.validationFraction(), seed);
        int[] trainIdx = roundRobin(all, Splits.stratifiedSubset(all, split.train(), d.trainSamples(), seed));
        int[] validationIdx = Splits.stratifiedSubset(all, split.validation(), d.testSamples(), seed);
        int[] testIdx = Splits.stratifiedSubset(data.test(), data.test().allIndices(), d.testSamples(), seed);
        Normalization norm = normalization(d, all.shape(), all, trainIdx);
        return new RunData(dir, SampleSet.of(all, trainIdx, norm), SampleSet.of(all, validationIdx, norm),
                SampleSet.of(data.test(), testIdx, norm), split.description());
    }

    /** Refuses image augmentation the data cannot take: table rows, or shifts of half the image or more. */
    static void checkAugmentation(dev.kompakt.evaluator.TrainingBudget.Augmentation a, DataShape shape) {
        if (!a.active()) {
            return;
        }
        if (shape.tabular()) {
            throw new SpecException("budget.augmentation", List.of("flips and shifts images; the data are table rows of " + shape.channels()
                    + " features"));
        }
        if (2 * a.shift() >= Math.min(shape.height(), shape.width())) {
            throw new SpecException("budget.augmentation.shift", List.of(a.shift() + " pixels is half the " + shape.height() + "x" + shape.width()
                    + " images or more"));
        }
    }

    /** Where packed datasets are cached: {@code data/} under Kompakt's cache ({@link Baselines#cacheDir()}). */
    static Path cacheDir() {
        return Baselines.cacheDir().resolve("data");
    }

    private static Normalization normalization(ExperimentSpec.Data d, DataShape shape, Dataset data, int[] trainIdx) {
        switch (d.normalization()) {
            case "fit":
                return Normalization.fit(data, trainIdx);
            case "fixed":
                if (d.mean().size() != shape.channels()) {
                    throw new SpecException("data.normalization", List.of("gives " + d.mean().size() + " means and stds, but the data has "
                            + shape.channels() + " channel" + (shape.channels() == 1 ? "" : "s") + (shape.tabular() ? " (table columns)" : "")));
                }
                float[] mean = new float[shape.channels()];
                float[] std = new float[shape.channels()];
                for (int c = 0; c < mean.length; c++) {
                    mean[c] = d.mean().get(c).floatValue();
                    std[c] = d.std().get(c).floatValue();
                }
                return new Normalization(mean, std);
            default:
                return Normalization.none(shape.channels());
        }
    }

    /**
     * {@code indices} reordered class by class in turn (the k-th sample of each class before the (k+1)-th of any), so a
     * prefix of the training samples, which is what a budget of fewer samples takes, is stratified too.
     */
    static int[] roundRobin(Dataset data, int[] indices) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < data.classes(); c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i : indices) {
            byClass.get(data.label(i)).add(i);
        }
        int[] out = new int[indices.length];
        int n = 0;
        for (int k = 0; n < out.length; k++) {
            for (List<Integer> members : byClass) {
                if (k < members.size()) {
                    out[n++] = members.get(k);
                }
            }
        }
        return out;
    }

    /** The Fashion-MNIST subset shipped in the repository. */
    public static Path bundledData() throws IOException {
        String home = System.getenv("KOMPAKT_HOME");
        List<Path> candidates = new ArrayList<>();
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
