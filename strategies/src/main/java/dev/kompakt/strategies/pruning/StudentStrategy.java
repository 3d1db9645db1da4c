package dev.kompakt.strategies.pruning;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.CompressionStrategy;
import dev.kompakt.strategies.Option;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A narrower student of the baseline: the baseline's own graph with every channel group narrowed to a width multiplier
 * ({@link GraphChannelPruning}: residual additions, squeeze-excitation products, depthwise convolutions and
 * concatenations respected), starting from the baseline's strongest channels ({@code inherit}, ranked by an
 * {@link ImportanceCriterion}) or from a fresh initialisation ({@code scratch}), then trained for the budget's student
 * epochs. Width 1.0 fine-tunes the baseline itself. Parameters: {@code student.width}, {@code student.init} (active for
 * widths below 1) and {@code student.criterion} (active for {@code inherit}).
 */
public final class StudentStrategy implements CompressionStrategy<StudentStrategy.Range, StudentStrategy.Plan> {
    public static final String WIDTH = "student.width";
    public static final String INIT = "student.init";
    public static final String CRITERION = "student.criterion";
    /** Training samples on which gradient-based criteria (taylor) rank the channels. */
    static final int GRADIENT_SAMPLES = 512;

    /** How a narrower student starts. */
    public enum Init implements Option {
        /** The baseline's strongest channels. */
        INHERIT("inherit"),
        /** A fresh initialisation. */
        SCRATCH("scratch");

        private final String id;

        Init(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /** How an inheriting student ranks the baseline's channels ({@link ImportanceCriterion#named}). */
    public enum Criterion implements Option {
        L1("l1"), L2("l2"), TAYLOR("taylor"), RANDOM("random"),
        /** Network slimming: |gamma| of the batch normalisation after each narrowed layer. */
        BN_SCALE("bn_scale");

        private final String id;

        Criterion(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /** Width multipliers to choose from, e.g. [0.5, 0.75, 1.0], how a narrower student starts, and its criteria. */
    public record Range(List<Double> widths, List<Init> init, List<Criterion> criteria) {
        public Range {
            widths = List.copyOf(widths);
            for (double w : widths) {
                if (!(w > 0 && w <= 1)) {
                    throw new IllegalArgumentException("student width must be in (0, 1] (a student narrows the baseline), got " + w);
                }
            }
            init = init == null || init.isEmpty() ? List.of(Init.INHERIT) : List.copyOf(init);
            criteria = criteria == null || criteria.isEmpty() ? List.of(Criterion.L1) : List.copyOf(criteria);
        }

        public Range(List<Double> widths) {
            this(widths, List.of(), List.of());
        }
    }

    /**
     * @param width     student width relative to the baseline, in (0, 1] to be built; 1.0 fine-tunes the baseline
     * @param init      how a narrower student starts
     * @param criterion how an inheriting student ranks the baseline's channels
     */
    public record Plan(double width, Init init, Criterion criterion) {
        public Plan {
            // (0, 4] as plans of earlier versions had; widths above 1 are refused when built (see configure)
            if (!(width > 0 && width <= 4)) {
                throw new IllegalArgumentException("student width multiplier must be in (0, 4], got " + width);
            }
            init = init == null ? Init.INHERIT : init;
            criterion = criterion == null ? Criterion.L1 : criterion;
        }

        /** Whether the candidate is a narrower network than the baseline (not a property of recipes). */
        @JsonIgnore
        public boolean isStudent() {
            return width != 1.0;
        }
    }

    @Override
    public String prefix() {
        return "student.";
    }

    @Override
    public SearchSpace fragment(Range range) {
        List<Parameter> params = new ArrayList<>();
        params.add(new Parameter.Categorical("width", new ArrayList<>(range.widths())));
        List<Object> narrower = range.widths().stream().filter(w -> w < 1.0).map(w -> (Object) w).toList();
        if (!narrower.isEmpty()) {
            params.add(new Parameter.Categorical("init", new ArrayList<>(Option.choices(range.init())),
                    Optional.of(new Parameter.Condition("width", narrower))));
            if (range.init().contains(Init.INHERIT)) {
                params.add(new Parameter.Categorical("criterion", new ArrayList<>(Option.choices(range.criteria())),
                        Optional.of(new Parameter.Condition("init", List.of(Init.INHERIT.id())))));
            }
        }
        return new SearchSpace(params);
    }

    @Override
    public Plan decode(Assignment a) {
        double width = a.has(WIDTH) ? a.getDouble(WIDTH) : 1.0;
        Init init = a.has(INIT) ? Option.parse(Init.class, a.getString(INIT)) : Init.INHERIT;
        Criterion criterion = a.has(CRITERION) ? Option.parse(Criterion.class, a.getString(CRITERION)) : Criterion.L1;
        return new Plan(width, init, criterion);
    }

    @Override
    public Plan identity() {
        return new Plan(1.0, Init.INHERIT, Criterion.L1);
    }

    @Override
    public void configure(Plan plan, CandidateBuild build) {
        if (!plan.isStudent()) {
            return;
        }
        if (plan.width() > 1.0) {
            throw new IllegalArgumentException("student width " + plan.width() + ": a student narrows the baseline's own"
                    + " topology, so widths must be in (0, 1]");
        }
        ComputationGraph teacher = build.teacher();
        ImportanceCriterion criterion = ImportanceCriterion.named(plan.criterion().id(), build.seed());
        boolean inherit = plan.init() == Init.INHERIT;
        Map<String, INDArray> gradients = inherit && criterion.needsGradient()
                ? build.weightGradients(teacher, first(build.trainingData(), GRADIENT_SAMPLES)) : Map.of();
        ComputationGraph narrow = GraphChannelPruning.prune(teacher, GraphChannelPruning.select(teacher, plan.width(), criterion, gradients));
        build.startStudent(narrow, inherit);
    }

    /** The first {@code n} samples (all when there are fewer). */
    static DataSet first(DataSet data, int n) {
        if (n >= data.numExamples()) {
            return data;
        }
        return new DataSet(data.getFeatures().get(NDArrayIndex.interval(0, n), NDArrayIndex.all()),
                data.getLabels().get(NDArrayIndex.interval(0, n), NDArrayIndex.all()));
    }
}
