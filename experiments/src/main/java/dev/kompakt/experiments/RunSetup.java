package dev.kompakt.experiments;

import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.EvaluationContext;
import dev.kompakt.evaluator.TrainingBudget;
import dev.kompakt.evaluator.cost.CostModel;
import dev.kompakt.evaluator.cost.GraphCostModel;
import dev.kompakt.evaluator.hardware.HardwareProfile;
import dev.kompakt.evaluator.hardware.LatencyProbe;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.Networks;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.search.Seeds;
import dev.kompakt.strategies.plan.CompressionPlan;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a run of a spec needs on the driver before trials run, the same for a new run, a resumed one and an export:
 * the data, the baseline network, the simulated devices, and the trial budget and seeds.
 *
 * @param spec     the run's spec
 * @param data     its data
 * @param baseline its baseline (the user's model, or the built-in family trained or read from the cache)
 * @param devices  the spec's simulated devices
 */
public record RunSetup(ExperimentSpec spec, RunData data, Baselines.Baseline baseline, List<HardwareProfile> devices) {
    /**
     * A new run's set-up: {@code userModel} is the user's model, loaded and checked against the data before anything
     * was written ({@link Baselines#load}), or null to obtain the built-in family's baseline (trained or cached; {@code console}
     * is told before it trains).
     */
    static RunSetup fresh(ExperimentSpec spec, RunData data, Baselines.Baseline userModel, ProfileRegistry profiles, PrintStream console)
            throws IOException {
        Baselines.Baseline baseline = userModel != null ? userModel : Baselines.obtain(spec, architecture(spec), data.train(), console);
        return new RunSetup(spec, data, baseline, devices(spec, profiles));
    }

    /**
     * The set-up of a run that was started before (to resume or export it): the data directory and the model path as
     * its provenance recorded them, since a spec copied into a run directory resolves relative paths there. A built-in
     * baseline no longer in the cache is trained again, and {@code console} is told so first.
     */
    static RunSetup recorded(ExperimentSpec spec, Map<String, String> provenance, ProfileRegistry profiles, PrintStream console)
            throws IOException {
        return recorded(spec, provenance, !provenance.containsKey("data.split"), profiles, console);
    }

    /** The set-up of {@code run} ({@link RecordedRun#legacySplit} says how its data are split). */
    static RunSetup recorded(RecordedRun run, ProfileRegistry profiles, PrintStream console) throws IOException {
        return recorded(run.spec(), run.provenance(), run.legacySplit(), profiles, console);
    }

    private static RunSetup recorded(ExperimentSpec spec, Map<String, String> provenance, boolean legacySplit, ProfileRegistry profiles,
                                     PrintStream console) throws IOException {
        RunData data = RunData.load(spec, recordedDataDirectory(spec, provenance), legacySplit);
        Baselines.Baseline baseline = Baselines.obtain(withRecordedBaseline(spec, provenance), architecture(spec), data.train(), console);
        return new RunSetup(spec, data, baseline, devices(spec, profiles));
    }

    /** Baseline metrics through the same evaluator as candidates (identity plan, no training). */
    public Map<String, Double> measureBaseline() {
        return measureBaseline(spec, baseline.network(), data, devices);
    }

    /** Baseline metrics of {@code net} on {@code data} through the same evaluator as candidates (identity plan, no training). */
    public static Map<String, Double> measureBaseline(ExperimentSpec spec, ComputationGraph net, RunData data, List<HardwareProfile> devices) {
        double accuracy = Training.accuracy(net.clone(), Tensors.toDataSet(data.validation()));
        long size = CostModel.totalStorageBytes(GraphCostModel.of(net, Networks.inputType(net, data.train().shape()), Map.of()));
        EvaluationContext context = new EvaluationContext(net, data.train(), data.validation(), data.test(), accuracy, size, devices);
        ExperimentSpec.Execution e = spec.execution();
        Map<String, Double> m = new CandidateEvaluator(context, new LatencyProbe(e.latencyWarmup(), e.latencyRepeats(), e.latencyBatch(),
                e.intraOpThreads())).evaluate(CompressionPlan.identity(), new TrainingBudget(0, 1, 32, 1e-3, 1e-3, 1), spec.seed());
        m.remove("train_seconds");
        return m;
    }

    /** The training budget of every trial. */
    public TrainingBudget budget() {
        return budget(spec);
    }

    public static TrainingBudget budget(ExperimentSpec spec) {
        ExperimentSpec.Budget b = spec.budget();
        return new TrainingBudget(b.fineTuneEpochs(), b.studentEpochs(), b.batchSize(), b.fineTuneLearningRate(), b.studentLearningRate(),
                b.trainSamples(), b.learningRateSchedule(), b.augmentation());
    }

    /**
     * A trial's plan as executors get it: decoded from its assignment, and for a built network that inherits weights,
     * with the supernet the spec's space defines ({@link dev.kompakt.strategies.architecture.ArchitectureStrategy.Range#withSupernet}).
     */
    public static CompressionPlan plan(ExperimentSpec spec, dev.kompakt.search.Assignment assignment) {
        CompressionPlan plan = CompressionPlan.from(assignment);
        var range = spec.strategies().architecture();
        return range == null ? plan : plan.with(range.withSupernet(plan.architecture()));
    }

    /** The seed of trial {@code n}'s training: derived from the study seed, so a trial can be rebuilt exactly. */
    public static long trialSeed(ExperimentSpec spec, int n) {
        return Seeds.mix(spec.seed() + n);
    }

    /**
     * The built-in family the spec names (trained when no model is given; with a model, unused, since the model's own
     * topology is what the search compresses).
     */
    static Architecture architecture(ExperimentSpec spec) {
        return new Architecture(Architecture.family(spec.baseline().architecture()), 1.0);
    }

    static List<HardwareProfile> devices(ExperimentSpec spec, ProfileRegistry profiles) {
        return spec.devices().stream().map(profiles::get).toList();
    }

    /** The data directory a run used (recorded in provenance.json), else the spec's. */
    static Path recordedDataDirectory(ExperimentSpec spec, Map<String, String> provenance) {
        String dir = provenance.get("data.directory");
        return dir != null ? Path.of(dir) : spec.data().path();
    }

    /** The spec with its baseline model path as the run recorded it. */
    static ExperimentSpec withRecordedBaseline(ExperimentSpec spec, Map<String, String> provenance) {
        ExperimentSpec.Baseline b = spec.baseline();
        if (b.model() == null || !provenance.containsKey("baseline.source")) {
            return spec;
        }
        return new ExperimentSpec(spec.schemaVersion(), spec.name(), spec.seed(), spec.data(),
                new ExperimentSpec.Baseline(b.architecture(), Path.of(provenance.get("baseline.source")), b.epochs(), b.batchSize(),
                        b.learningRate()), spec.strategies(), spec.budget(), spec.search(), spec.devices(), spec.execution());
    }
}
