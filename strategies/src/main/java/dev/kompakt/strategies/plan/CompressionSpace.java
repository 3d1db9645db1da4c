package dev.kompakt.strategies.plan;

import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;

import java.util.ArrayList;
import java.util.List;

/**
 * The search space of compression candidates: the fragments of the strategies the spec names, each under its prefix,
 * in the order of {@link Strategies#ALL}. A strategy left out contributes nothing and {@link CompressionPlan#from} gives
 * it its identity plan.
 */
public final class CompressionSpace {
    private CompressionSpace() {
    }

    /** The ranges of the strategies, null = left out of the search. */
    public record Ranges(ArchitectureStrategy.Range architecture, StudentStrategy.Range student, PruningStrategy.Range pruning, RegularizationStrategy.Range regularization,
                         QuantizationStrategy.Range quantization, DistillationStrategy.Range distillation) {
        public Ranges {
            if (architecture != null && student != null && !architecture.families().contains(ArchitectureStrategy.Family.BASELINE)) {
                throw new IllegalArgumentException("the student strategy narrows the baseline's graph: with an architecture search it"
                        + " needs the baseline among the families");
            }
        }

        /** Compression of the baseline's graph only (no architecture search). */
        public Ranges(StudentStrategy.Range student, PruningStrategy.Range pruning, RegularizationStrategy.Range regularization,
                      QuantizationStrategy.Range quantization, DistillationStrategy.Range distillation) {
            this(null, student, pruning, regularization, quantization, distillation);
        }

        /** These ranges for a baseline whose weight layers are {@code weightLayers} (mixed precision searches their bits). */
        public Ranges withLayers(List<String> weightLayers) {
            return quantization == null ? this
                    : new Ranges(architecture, student, pruning, regularization, quantization.withLayers(weightLayers), distillation);
        }
    }

    public static SearchSpace of(Ranges r) {
        List<Parameter> all = new ArrayList<>();
        if (r.architecture() != null) {
            all.addAll(Strategies.ARCHITECTURE.space(r.architecture()).parameters());
        }
        if (r.student() != null) {
            SearchSpace student = Strategies.STUDENT.space(r.student());
            // a built family has its own widths: the student's parameters apply to the baseline's graph only
            all.addAll(r.architecture() == null ? student.parameters() : student.parameters().stream()
                    .map(p -> p.activeIf().isPresent() ? p : onlyIf(p, new Parameter.Condition(ArchitectureStrategy.FAMILY,
                            List.of(ArchitectureStrategy.Family.BASELINE.id())))).toList());
        }
        if (r.pruning() != null) {
            all.addAll(Strategies.PRUNING.space(r.pruning()).parameters());
        }
        if (r.regularization() != null) {
            all.addAll(Strategies.REGULARIZATION.space(r.regularization()).parameters());
        }
        if (r.quantization() != null) {
            all.addAll(Strategies.QUANTIZATION.space(r.quantization()).parameters());
        }
        if (r.distillation() != null) {
            all.addAll(Strategies.DISTILLATION.space(r.distillation()).parameters());
        }
        return new SearchSpace(all);
    }

    /** {@code p}, active only when {@code condition} holds. */
    private static Parameter onlyIf(Parameter p, Parameter.Condition condition) {
        var c = java.util.Optional.of(condition);
        if (p instanceof Parameter.FloatParam f) {
            return new Parameter.FloatParam(f.name(), f.low(), f.high(), f.log(), f.step(), c);
        }
        if (p instanceof Parameter.IntParam i) {
            return new Parameter.IntParam(i.name(), i.low(), i.high(), i.log(), i.step(), c);
        }
        Parameter.Categorical cat = (Parameter.Categorical) p;
        return new Parameter.Categorical(cat.name(), cat.choices(), c);
    }
}
