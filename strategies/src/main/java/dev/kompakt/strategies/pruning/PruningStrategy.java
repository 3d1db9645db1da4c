package dev.kompakt.strategies.pruning;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.CompressionStrategy;
import dev.kompakt.strategies.Option;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

/**
 * Unstructured magnitude pruning of the candidate's weights to a sparsity: at once before training, the masks kept
 * while training ({@code oneshot}; a network that starts from fresh weights is pruned once after the first half of its
 * training instead, see {@link CandidateBuild#freshStart()}), or on Zhu and Gupta's gradual schedule ({@code agp}, "To prune, or not to prune",
 * 2017), pruning a little more before every quarter epoch. The sparsity is allocated to the layers by one global
 * magnitude threshold ({@code global}; in a network with batch normalisation, whose layers' weight scales are arbitrary,
 * every layer at the same sparsity) or by per-layer sparsities from a sensitivity analysis ({@code sensitivity}: each
 * layer pruned alone at {@link #SENSITIVITY_POINTS}, scored by accuracy without fine-tuning on the first
 * {@value #SENSITIVITY_SAMPLES} validation samples; AGP scales those sparsities by the schedule's current global sparsity
 * over the target). Parameters: {@code prune.sparsity}, {@code prune.schedule}, {@code prune.allocation} (left out of the
 * space when only {@code global} is listed, as before allocation was a choice).
 */
public final class PruningStrategy implements CompressionStrategy<PruningStrategy.Range, PruningStrategy.Plan> {
    public static final String SPARSITY = "prune.sparsity";
    public static final String SCHEDULE = "prune.schedule";
    public static final String ALLOCATION = "prune.allocation";
    /** Pruning rounds per epoch of the AGP schedule. */
    public static final int AGP_STEPS_PER_EPOCH = 4;
    /** Training samples the sensitivity analysis scores on (accuracy, no fine-tuning). */
    public static final int SENSITIVITY_SAMPLES = 512;
    /** Sparsities at which each layer's sensitivity is measured; the last one is raised to the target when above it. */
    private static final double[] SENSITIVITY_POINTS = {0.25, 0.5, 0.75, 0.9, 0.97};
    /** Step of the greedy allocation over the measured curves. */
    private static final double ALLOCATION_STEP = 0.02;

    /** When the weights are pruned. */
    public enum Schedule implements Option {
        /** Prune once before training, then train with the masks. */
        ONESHOT("oneshot"),
        /** Zhu and Gupta's gradual schedule. */
        AGP("agp");

        private final String id;

        Schedule(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /** How the sparsity is spread over the layers. */
    public enum Allocation implements Option {
        /** One magnitude threshold over all weights. */
        GLOBAL("global"),
        /** Per-layer sparsities from a sensitivity analysis ({@link SensitivityAnalysis}). */
        SENSITIVITY("sensitivity");

        private final String id;

        Allocation(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /** Sparsity in [min, max] and the schedules and allocations to choose from. */
    public record Range(double min, double max, List<Schedule> schedules, List<Allocation> allocations) {
        public Range {
            if (!(min >= 0 && min <= max && max < 1)) {
                throw new IllegalArgumentException("pruning sparsity range must have 0 <= min <= max < 1, got [" + min + ", " + max + "]");
            }
            schedules = schedules == null || schedules.isEmpty() ? List.of(Schedule.ONESHOT) : List.copyOf(schedules);
            allocations = allocations == null || allocations.isEmpty() ? List.of(Allocation.GLOBAL) : List.copyOf(allocations);
        }

        public Range(double min, double max) {
            this(min, max, List.of(), List.of());
        }
    }

    /**
     * @param sparsity   fraction of weights removed, in [0, 1)
     * @param schedule   when they are removed
     * @param allocation how the sparsity is spread over the layers
     */
    public record Plan(double sparsity, Schedule schedule, Allocation allocation) {
        public Plan {
            if (!(sparsity >= 0 && sparsity < 1)) {
                throw new IllegalArgumentException("pruning sparsity must be in [0, 1), got " + sparsity);
            }
            schedule = schedule == null ? Schedule.ONESHOT : schedule;
            allocation = allocation == null ? Allocation.GLOBAL : allocation;
        }
    }

    @Override
    public String prefix() {
        return "prune.";
    }

    @Override
    public SearchSpace fragment(Range range) {
        List<Parameter> params = new ArrayList<>();
        params.add(new Parameter.FloatParam("sparsity", range.min(), range.max(), false, 0.0, Optional.empty()));
        params.add(new Parameter.Categorical("schedule", new ArrayList<>(Option.choices(range.schedules()))));
        if (!range.allocations().equals(List.of(Allocation.GLOBAL))) {
            params.add(new Parameter.Categorical("allocation", new ArrayList<>(Option.choices(range.allocations()))));
        }
        return new SearchSpace(params);
    }

    @Override
    public Plan decode(Assignment a) {
        double sparsity = a.has(SPARSITY) ? a.getDouble(SPARSITY) : 0.0;
        Schedule schedule = a.has(SCHEDULE) ? Option.parse(Schedule.class, a.getString(SCHEDULE)) : Schedule.ONESHOT;
        Allocation allocation = a.has(ALLOCATION) ? Option.parse(Allocation.class, a.getString(ALLOCATION)) : Allocation.GLOBAL;
        return new Plan(sparsity, schedule, allocation);
    }

    @Override
    public Plan identity() {
        return new Plan(0.0, Schedule.ONESHOT, Allocation.GLOBAL);
    }

    @Override
    public void beforeTraining(Plan plan, CandidateBuild build) {
        boolean fresh = plan.schedule() == Schedule.ONESHOT && plan.sparsity() > 0 && build.freshStart() && build.epochs() > 0;
        DoubleFunction<PruningMasks> prune = fresh ? null : pruner(plan, build);
        if (plan.schedule() == Schedule.AGP && plan.sparsity() > 0 && build.epochs() > 0) {
            GradualPruning schedule = new GradualPruning(0.0, plan.sparsity(), AGP_STEPS_PER_EPOCH * build.epochs());
            // the last round's masks reach the target before it trains; after the training, prune to it once more
            build.trainInRounds(AGP_STEPS_PER_EPOCH, t -> build.masks(prune.apply(schedule.sparsityAt(t))),
                    () -> prune.apply(plan.sparsity()));
        } else if (fresh) {
            // fresh weights rank nothing: pruned by magnitude at initialisation, whole layers empty (a GhostNet-style network
            // pruned 75% before training stayed at chance, 0.10, measured; 0.80 unpruned). So a network that starts from
            // scratch trains dense for the first half of its epochs, is pruned once (by its weights then), and trains the
            // second half with the masks
            int mid = build.epochs() + 1;
            build.trainInRounds(2, t -> {
                if (t == mid) {
                    build.masks(pruner(plan, build).apply(plan.sparsity()));
                }
            }, () -> { });
        } else {
            build.masks(prune.apply(plan.sparsity()));
        }
    }

    /**
     * Prunes the build's network to the plan's sparsity now, as the schedule would have by the end of its training: for
     * a preview of the candidate a training that ended here would deliver (the evaluator's per-epoch reports, on a copy).
     * Only gradual ({@code agp}) and mid-training (fresh start) schedules need it; a one-shot plan's masks are final before
     * training, so it does nothing for them, nor for sparsity 0.
     */
    public static void pruneToTarget(Plan plan, CandidateBuild build) {
        boolean fresh = plan.schedule() == Schedule.ONESHOT && plan.sparsity() > 0 && build.freshStart() && build.epochs() > 0;
        if (plan.sparsity() > 0 && (plan.schedule() == Schedule.AGP || fresh)) {
            pruner(plan, build).apply(plan.sparsity());
        }
    }

    /**
     * Prunes the build's network to a global sparsity: with the global allocation by one threshold, with the sensitivity
     * allocation each layer at its share (measured now, on the network as it is).
     */
    private static DoubleFunction<PruningMasks> pruner(Plan plan, CandidateBuild build) {
        ComputationGraph net = build.network();
        if (plan.allocation() == Allocation.SENSITIVITY && plan.sparsity() > 0) {
            DataSet slice = StudentStrategy.first(build.validationData(), SENSITIVITY_SAMPLES);
            Map<String, Double> allocated = sensitivityAllocation(net, plan.sparsity(), n -> build.accuracy(n, slice));
            return s -> MagnitudePruner.pruneLayers(net, scaled(allocated, s / plan.sparsity()));
        }
        // a layer followed by batch normalisation is scale-invariant, so magnitudes compare only within it: one global
        // threshold emptied every depthwise layer of a trained GhostNet-style network at 75% (then at chance, 0.13, measured)
        boolean normalised = net.getConfiguration().getVertices().values().stream().anyMatch(v -> v instanceof LayerVertex lv
                && lv.getLayerConf().getLayer() instanceof BatchNormalization);
        MagnitudePruner pruner = new MagnitudePruner(normalised ? MagnitudePruner.Scope.PER_LAYER : MagnitudePruner.Scope.GLOBAL);
        return s -> pruner.prune(net, s);
    }

    /**
     * Per-tensor sparsities, by tensor id, whose weighted mean is {@code target}: each weight layer of {@code net} is
     * pruned alone at {@link #SENSITIVITY_POINTS} and scored by {@code score} ({@link SensitivityAnalysis#measure}; a
     * candidate scores accuracy on its first {@link #SENSITIVITY_SAMPLES} validation samples), then
     * {@link SensitivityAnalysis#allocate} spends the target where it costs least. {@code net} is left unchanged.
     */
    public static Map<String, Double> sensitivityAllocation(ComputationGraph net, double target, ToDoubleFunction<ComputationGraph> score) {
        double[] points = SENSITIVITY_POINTS.clone();
        points[points.length - 1] = Math.max(points[points.length - 1], target);
        List<SensitivityAnalysis.Curve> curves = SensitivityAnalysis.measure(net, points, score);
        return SensitivityAnalysis.allocate(curves, target, ALLOCATION_STEP);
    }

    /** Every sparsity times {@code factor} (in [0, 1]). */
    private static Map<String, Double> scaled(Map<String, Double> sparsities, double factor) {
        Map<String, Double> out = new LinkedHashMap<>();
        sparsities.forEach((layer, s) -> out.put(layer, s * Math.min(1.0, factor)));
        return out;
    }
}
