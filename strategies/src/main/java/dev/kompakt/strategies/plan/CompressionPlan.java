package dev.kompakt.strategies.plan;

import dev.kompakt.search.Assignment;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;

/**
 * What to do for one candidate (which network, then how it is compressed): one typed plan per strategy of {@link Strategies#ALL}, decoded from a
 * trial's assignment. A strategy left out of the search has its identity plan. Recipes and the Spark wire carry it as
 * JSON, one object per strategy.
 */
public record CompressionPlan(ArchitectureStrategy.Plan architecture, StudentStrategy.Plan student, PruningStrategy.Plan pruning, RegularizationStrategy.Plan regularization,
                              QuantizationStrategy.Plan quantization, DistillationStrategy.Plan distillation) {
    public CompressionPlan {
        architecture = architecture == null ? Strategies.ARCHITECTURE.identity() : architecture;
        student = student == null ? Strategies.STUDENT.identity() : student;
        pruning = pruning == null ? Strategies.PRUNING.identity() : pruning;
        regularization = regularization == null ? Strategies.REGULARIZATION.identity() : regularization;
        quantization = quantization == null ? Strategies.QUANTIZATION.identity() : quantization;
        distillation = distillation == null ? Strategies.DISTILLATION.identity() : distillation;
        if (!architecture.isBaseline() && student.isStudent()) {
            throw new IllegalArgumentException("a " + architecture.family().id() + " network has its own widths: student width "
                    + student.width() + " narrows the baseline's graph only (architecture family baseline)");
        }
    }

    /** A plan of the baseline's own graph (the architecture's identity). */
    public CompressionPlan(StudentStrategy.Plan student, PruningStrategy.Plan pruning, RegularizationStrategy.Plan regularization,
                           QuantizationStrategy.Plan quantization, DistillationStrategy.Plan distillation) {
        this(null, student, pruning, regularization, quantization, distillation);
    }

    /** The baseline itself, unchanged. */
    public static CompressionPlan identity() {
        return new CompressionPlan(null, null, null, null, null, null);
    }

    /** Decodes an assignment of the space built by {@link CompressionSpace}; absent parameters take their identity values. */
    public static CompressionPlan from(Assignment a) {
        return new CompressionPlan(Strategies.ARCHITECTURE.decode(a), Strategies.STUDENT.decode(a), Strategies.PRUNING.decode(a), Strategies.REGULARIZATION.decode(a),
                Strategies.QUANTIZATION.decode(a), Strategies.DISTILLATION.decode(a));
    }

    /** This plan with one strategy's part replaced ({@code part} is a plan record of a strategy of {@link Strategies#ALL}). */
    public CompressionPlan with(Record part) {
        if (part instanceof ArchitectureStrategy.Plan p) {
            return new CompressionPlan(p, student, pruning, regularization, quantization, distillation);
        } else if (part instanceof StudentStrategy.Plan p) {
            return new CompressionPlan(architecture, p, pruning, regularization, quantization, distillation);
        } else if (part instanceof PruningStrategy.Plan p) {
            return new CompressionPlan(architecture, student, p, regularization, quantization, distillation);
        } else if (part instanceof RegularizationStrategy.Plan p) {
            return new CompressionPlan(architecture, student, pruning, p, quantization, distillation);
        } else if (part instanceof QuantizationStrategy.Plan p) {
            return new CompressionPlan(architecture, student, pruning, regularization, p, distillation);
        } else if (part instanceof DistillationStrategy.Plan p) {
            return new CompressionPlan(architecture, student, pruning, regularization, quantization, p);
        }
        throw new IllegalArgumentException("not a strategy's plan: " + part);
    }
}
