package dev.kompakt.experiments.spec;

import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.strategies.plan.CompressionSpace;

import java.nio.file.Path;
import java.util.List;

/**
 * A search experiment, as written in a YAML spec (see experiments/quickstart.yaml for every field with its
 * default). Built only by {@link SpecLoader}, which validates every field and reports all problems at once.
 * Algorithm parameters (search, budget) are kept apart from execution parameters (execution).
 */
public record ExperimentSpec(int schemaVersion, String name, long seed, Data data, Baseline baseline, CompressionSpace.Ranges strategies,
                             Budget budget, Search search, List<String> devices, Execution execution) {
    public static final int SCHEMA_VERSION = 1;

    /**
     * The data.
     *
     * @param dataset            names the default IDX data when {@code path} is null: {@code fashion-mnist}, the full Debian
     *                           set when installed, else the bundled subset
     * @param path               the directory (or, for {@code folder}, the root) holding the data in {@code format}
     * @param trainSamples       training samples used (a stratified, seeded subset of the training split less validation)
     * @param testSamples        test samples used (stratified, seeded), and the size of the validation subset
     * @param format             {@code idx}, {@code cifar10}, {@code cifar100}, {@code folder} or {@code csv}
     * @param validationFraction share of the training split held out for model selection, in (0, 0.5]
     * @param image              {@code folder}: the shape images are converted to (channels 1 or 3); null elsewhere
     * @param labelColumn        {@code csv}: the label column
     * @param coarseLabels       {@code cifar100}: the 20 coarse classes instead of the 100 fine ones
     * @param normalization      {@code none}, {@code fit} (per-channel mean and std of the training samples) or
     *                           {@code fixed} with {@code mean} and {@code std}
     */
    public record Data(String dataset, Path path, int trainSamples, int testSamples, String format, double validationFraction,
                       DataShape image, String labelColumn, boolean coarseLabels, String normalization, List<Double> mean,
                       List<Double> std) {
        public static final double DEFAULT_VALIDATION_FRACTION = 0.1;

        public Data {
            mean = mean == null ? List.of() : List.copyOf(mean);
            std = std == null ? List.of() : List.copyOf(std);
        }

        /** Fashion-MNIST-style IDX data, a 10% validation split, no normalisation. */
        public Data(String dataset, Path path, int trainSamples, int testSamples) {
            this(dataset, path, trainSamples, testSamples, "idx", DEFAULT_VALIDATION_FRACTION, null, "label", false, "none", List.of(), List.of());
        }
    }

    /** The network to compress: trained from scratch (architecture, epochs, ...) or loaded from {@code model}. */
    public record Baseline(String architecture, Path model, int epochs, int batchSize, double learningRate) {
    }

    /**
     * How many trials, and how much training each candidate gets (its learning rate constant or annealed, as
     * {@code learningRateSchedule} says; its images augmented as {@code augmentation} says; nulls read as constant, none); {@code maxMinutes} &gt; 0 also stops asking new trials
     * after that many minutes of searching (the trials in flight finish), 0 = no limit.
     */
    public record Budget(int trials, int fineTuneEpochs, int studentEpochs, int trainSamples, int batchSize,
                         double fineTuneLearningRate, double studentLearningRate, double maxMinutes,
                         dev.kompakt.evaluator.TrainingBudget.Schedule learningRateSchedule,
                         dev.kompakt.evaluator.TrainingBudget.Augmentation augmentation) {
        public Budget {
            if (learningRateSchedule == null) {
                learningRateSchedule = dev.kompakt.evaluator.TrainingBudget.Schedule.CONSTANT;
            }
            if (augmentation == null) {
                augmentation = dev.kompakt.evaluator.TrainingBudget.Augmentation.NONE;
            }
        }

        /** A constant learning rate. */
        public Budget(int trials, int fineTuneEpochs, int studentEpochs, int trainSamples, int batchSize, double fineTuneLearningRate,
                      double studentLearningRate, double maxMinutes) {
            this(trials, fineTuneEpochs, studentEpochs, trainSamples, batchSize, fineTuneLearningRate, studentLearningRate, maxMinutes, null, null);
        }

        /** No wall-time limit. */
        public Budget(int trials, int fineTuneEpochs, int studentEpochs, int trainSamples, int batchSize, double fineTuneLearningRate,
                      double studentLearningRate) {
            this(trials, fineTuneEpochs, studentEpochs, trainSamples, batchSize, fineTuneLearningRate, studentLearningRate, 0);
        }
    }

    /**
     * The sampler and what is optimised. {@code populationSize} is NSGA-II's, {@code startupTrials} MO-TPE's
     * random trials before it models; {@code warmStart}, when set, is an earlier run directory whose finished
     * trials inform the sampler (null = none).
     */
    public record Search(String sampler, int populationSize, int startupTrials, java.nio.file.Path warmStart,
                         List<Objective> objectives, List<Constraint> constraints, EarlyStopping earlyStopping) {
        public Search {
            objectives = List.copyOf(objectives);
            constraints = List.copyOf(constraints);
            earlyStopping = earlyStopping == null ? EarlyStopping.NONE : earlyStopping;
        }

        /** No early stopping. */
        public Search(String sampler, int populationSize, int startupTrials, java.nio.file.Path warmStart,
                      List<Objective> objectives, List<Constraint> constraints) {
            this(sampler, populationSize, startupTrials, warmStart, objectives, constraints, EarlyStopping.NONE);
        }
    }

    /**
     * {@code search.earlyStopping}: which rule stops trials after an epoch, judged on the epoch reports of all trials.
     * {@code rule}: none, median, asha, hyperband or moasha. {@code minEpochs}: the first rung (asha, hyperband, moasha);
     * {@code reductionFactor}: 1 in this many goes on at each rung; {@code metric}: the objective the single-objective rules
     * judge (median, asha, hyperband); {@code warmupEpochs} and {@code minTrials}: median's; {@code maxEpochs}: hyperband's
     * largest budget (0 = the budget's larger epoch count).
     */
    public record EarlyStopping(String rule, int minEpochs, int reductionFactor, String metric, int warmupEpochs, int minTrials, int maxEpochs) {
        public static final List<String> RULES = List.of("none", "median", "asha", "hyperband", "moasha");
        public static final EarlyStopping NONE = new EarlyStopping("none", 1, 3, "accuracy", 1, 5, 0);

        /** Whether trials report epochs and may stop early. */
        public boolean active() {
            return !rule.equals("none");
        }
    }

    /**
     * How trials run: how many at once (0 = Spark's default parallelism), and how host latency is measured in
     * ONNX Runtime: warm-up and timed runs at batch 1, a second batch size (0 = none), intra-op threads; and the trial
     * timeout (null = none), after which a trial's job is cancelled and the trial is FAILED with cause timeout.
     */
    public record Execution(int maxInFlight, int latencyWarmup, int latencyRepeats, int latencyBatch, int intraOpThreads,
                            java.time.Duration trialTimeout) {
        /** No trial timeout. */
        public Execution(int maxInFlight, int latencyWarmup, int latencyRepeats, int latencyBatch, int intraOpThreads) {
            this(maxInFlight, latencyWarmup, latencyRepeats, latencyBatch, intraOpThreads, null);
        }
    }
}
