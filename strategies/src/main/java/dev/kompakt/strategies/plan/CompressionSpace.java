package dev.kompakt.strategies.plan;

import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
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
    public record Ranges(StudentStrategy.Range student, PruningStrategy.Range pruning, RegularizationStrategy.Range regularization,
                         QuantizationStrategy.Range quantization, DistillationStrategy.Range distillation) {
        /** These ranges for a baseline whose weight layers are {@code weightLayers} (mixed precision searches their bits). */
        public Ranges withLayers(List<String> weightLayers) {
            return quantization == null ? this
                    : new Ranges(student, pruning, regularization, quantization.withLayers(weightLayers), distillation);
        }
    }

    public static SearchSpace of(Ranges r) {
        List<Parameter> all = new ArrayList<>();
        if (r.student() != null) {
            all.addAll(Strategies.STUDENT.space(r.student()).parameters());
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
}
