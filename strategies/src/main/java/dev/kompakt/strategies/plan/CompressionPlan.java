package dev.kompakt.strategies.plan;

import dev.kompakt.search.Assignment;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;

/**
 * What to do to the baseline for one candidate: one typed plan per strategy of {@link Strategies#ALL}, decoded from a
 * trial's assignment. A strategy left out of the search has its identity plan. Recipes and the Spark wire carry it as
 * JSON, one object per strategy.
 */
public record CompressionPlan(StudentStrategy.Plan student, PruningStrategy.Plan pruning, RegularizationStrategy.Plan regularization,
                              QuantizationStrategy.Plan quantization, DistillationStrategy.Plan distillation) {
    public CompressionPlan {
        student = student == null ? Strategies.STUDENT.identity() : student;
        pruning = pruning == null ? Strategies.PRUNING.identity() : pruning;
        regularization = regularization == null ? Strategies.REGULARIZATION.identity() : regularization;
        quantization = quantization == null ? Strategies.QUANTIZATION.identity() : quantization;
        distillation = distillation == null ? Strategies.DISTILLATION.identity() : distillation;
    }

    /** The baseline itself, unchanged. */
    public static CompressionPlan identity() {
        return new CompressionPlan(null, null, null, null, null);
    }

    /** Decodes an assignment of the space built by {@link CompressionSpace}; absent parameters take their identity values. */
    public static CompressionPlan from(Assignment a) {
        return new CompressionPlan(Strategies.STUDENT.decode(a), Strategies.PRUNING.decode(a), Strategies.REGULARIZATION.decode(a),
                Strategies.QUANTIZATION.decode(a), Strategies.DISTILLATION.decode(a));
    }

    /** This plan with one strategy's part replaced ({@code part} is a plan record of a strategy of {@link Strategies#ALL}). */
    public CompressionPlan with(Record part) {
        if (part instanceof StudentStrategy.Plan p) {
            return new CompressionPlan(p, pruning, regularization, quantization, distillation);
        } else if (part instanceof PruningStrategy.Plan p) {
            return new CompressionPlan(student, p, regularization, quantization, distillation);
        } else if (part instanceof RegularizationStrategy.Plan p) {
            return new CompressionPlan(student, pruning, p, quantization, distillation);
        } else if (part instanceof QuantizationStrategy.Plan p) {
            return new CompressionPlan(student, pruning, regularization, p, distillation);
        } else if (part instanceof DistillationStrategy.Plan p) {
            return new CompressionPlan(student, pruning, regularization, quantization, p);
        }
        throw new IllegalArgumentException("not a strategy's plan: " + part);
    }
}
