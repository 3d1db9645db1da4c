package dev.kompakt.strategies.distillation;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.CompressionStrategy;
import dev.kompakt.strategies.Option;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Knowledge distillation from the baseline (the teacher) while the candidate trains. {@code response} trains against
 * the teacher's softened outputs (Hinton et al. 2015, {@link DistillationLoss}); {@code feature} first runs FitNets hint
 * training (Romero et al. 2015: a hint stage that regresses a teacher layer's output, as many epochs as the training,
 * pruning masks kept) and then trains with response KD; {@code relation} trains with response KD plus RKD between the
 * student's and the teacher's logits (Park et al. 2019, {@link RelationalDistillationLoss} with the paper's weights 25
 * and 50). With alpha 0 the response term is plain cross-entropy in all three. Parameters: {@code distill.enabled},
 * {@code distill.temperature}, {@code distill.alpha} and {@code distill.kind} (active when enabled; the kind is left out
 * of the space when only {@code response} is listed, as before kinds existed).
 */
public final class DistillationStrategy implements CompressionStrategy<DistillationStrategy.Range, DistillationStrategy.Plan> {
    public static final String ENABLED = "distill.enabled";
    public static final String TEMPERATURE = "distill.temperature";
    public static final String ALPHA = "distill.alpha";
    public static final String KIND = "distill.kind";

    /** Which knowledge is distilled. */
    public enum Kind implements Option {
        RESPONSE("response"), FEATURE("feature"), RELATION("relation");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /** A temperature range, an alpha range and the kinds to choose from. */
    public record Range(double minTemperature, double maxTemperature, double minAlpha, double maxAlpha, List<Kind> kinds) {
        public Range {
            kinds = kinds == null || kinds.isEmpty() ? List.of(Kind.RESPONSE) : List.copyOf(kinds);
        }

        /** Response-based distillation only. */
        public Range(double minTemperature, double maxTemperature, double minAlpha, double maxAlpha) {
            this(minTemperature, maxTemperature, minAlpha, maxAlpha, List.of());
        }
    }

    /**
     * @param enabled     train against the baseline as teacher
     * @param temperature KD softmax temperature, &gt;= 1 (used when enabled)
     * @param alpha       weight of the soft-target term, in [0, 1] (used when enabled)
     * @param kind        which knowledge is distilled
     */
    public record Plan(boolean enabled, double temperature, double alpha, Kind kind) {
        public Plan {
            kind = kind == null ? Kind.RESPONSE : kind;
            if (enabled && !(temperature >= 1)) {
                throw new IllegalArgumentException("distillation temperature must be >= 1, got " + temperature);
            }
            if (enabled && !(alpha >= 0 && alpha <= 1)) {
                throw new IllegalArgumentException("distillation alpha must be in [0, 1], got " + alpha);
            }
        }

        /** Distillation of {@code kind} at a temperature and alpha. */
        public static Plan of(Kind kind, double temperature, double alpha) {
            return new Plan(true, temperature, alpha, kind);
        }

        /** The training loss: null (softmax cross-entropy) when off, else per its kind. */
        public ILossFunction loss() {
            if (!enabled) {
                return null;
            }
            DistillationLoss response = new DistillationLoss(temperature, alpha);
            return kind == Kind.RELATION ? RelationalDistillationLoss.withPaperWeights(response) : response;
        }
    }

    @Override
    public String prefix() {
        return "distill.";
    }

    @Override
    public SearchSpace fragment(Range range) {
        var on = Optional.of(new Parameter.Condition("enabled", List.of(true)));
        List<Parameter> params = new ArrayList<>(List.of(
                new Parameter.Categorical("enabled", List.of(false, true)),
                new Parameter.FloatParam("temperature", range.minTemperature(), range.maxTemperature(), false, 0.0, on),
                new Parameter.FloatParam("alpha", range.minAlpha(), range.maxAlpha(), false, 0.0, on)));
        if (!range.kinds().equals(List.of(Kind.RESPONSE))) {
            params.add(new Parameter.Categorical("kind", new ArrayList<>(Option.choices(range.kinds())), on));
        }
        return new SearchSpace(params);
    }

    /** Off (absent or false) decodes to {@link #identity()}, whatever else the assignment holds. */
    @Override
    public Plan decode(Assignment a) {
        boolean enabled = a.has(ENABLED) && a.getBoolean(ENABLED);
        if (!enabled) {
            return identity();
        }
        double temperature = a.has(TEMPERATURE) ? a.getDouble(TEMPERATURE) : 1.0;
        double alpha = a.has(ALPHA) ? a.getDouble(ALPHA) : 0.5;
        Kind kind = a.has(KIND) ? Option.parse(Kind.class, a.getString(KIND)) : Kind.RESPONSE;
        return new Plan(enabled, temperature, alpha, kind);
    }

    @Override
    public Plan identity() {
        return new Plan(false, 1.0, 0.0, Kind.RESPONSE);
    }

    @Override
    public void configure(Plan plan, CandidateBuild build) {
        if (plan.enabled()) {
            build.trainingLoss(plan.loss());
        }
    }

    @Override
    public void beforeTraining(Plan plan, CandidateBuild build) {
        if (!plan.enabled() || build.epochs() == 0) {
            return;
        }
        INDArray labels = DistillationLoss.encodeTargets(build.trainingData().getLabels(), build.teacherProbabilities(), plan.temperature());
        if (plan.kind() == Kind.RELATION) {
            labels = RelationalDistillationLoss.encodeTargets(labels, build.teacherLogits());
        }
        build.trainingTargets(labels);
        if (plan.kind() == Kind.FEATURE) {
            // FitNets stage 1 on the student's own layers; stage 2 is the (response-KD) training
            build.hintTrain();
        }
    }
}
