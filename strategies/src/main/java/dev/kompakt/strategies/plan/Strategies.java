package dev.kompakt.strategies.plan;

import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.CompressionStrategy;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;

import java.util.List;
import java.util.function.Function;

/**
 * The registered strategies, in the order a candidate is built and the order of their parameters in the search space:
 * architecture (a built family, or the baseline's graph), student (a narrower baseline), pruning, regularisation, quantization, distillation. Adding a strategy: its class
 * (range, plan, decode, phases), a component of {@link CompressionPlan}, an entry here, a spec section in SpecLoader.
 */
public final class Strategies {
    public static final ArchitectureStrategy ARCHITECTURE = new ArchitectureStrategy();
    public static final StudentStrategy STUDENT = new StudentStrategy();
    public static final PruningStrategy PRUNING = new PruningStrategy();
    public static final RegularizationStrategy REGULARIZATION = new RegularizationStrategy();
    public static final QuantizationStrategy QUANTIZATION = new QuantizationStrategy();
    public static final DistillationStrategy DISTILLATION = new DistillationStrategy();

    /** A strategy with the accessor of its part of a plan. */
    public record Part<P>(CompressionStrategy<?, P> strategy, Function<CompressionPlan, P> of) {
        void configure(CompressionPlan plan, CandidateBuild build) {
            strategy.configure(of.apply(plan), build);
        }

        void beforeTraining(CompressionPlan plan, CandidateBuild build) {
            strategy.beforeTraining(of.apply(plan), build);
        }

        void afterTraining(CompressionPlan plan, CandidateBuild build) {
            strategy.afterTraining(of.apply(plan), build);
        }
    }

    /** Every strategy, in build order. */
    public static final List<Part<?>> ALL = List.of(
            new Part<>(ARCHITECTURE, CompressionPlan::architecture),
            new Part<>(STUDENT, CompressionPlan::student),
            new Part<>(PRUNING, CompressionPlan::pruning),
            new Part<>(REGULARIZATION, CompressionPlan::regularization),
            new Part<>(QUANTIZATION, CompressionPlan::quantization),
            new Part<>(DISTILLATION, CompressionPlan::distillation));

    private Strategies() {
    }

    /** Phase 1 of every strategy: the starting network and the loss. */
    public static void configure(CompressionPlan plan, CandidateBuild build) {
        ALL.forEach(p -> p.configure(plan, build));
    }

    /** Phase 2 of every strategy: what the training loop applies. */
    public static void beforeTraining(CompressionPlan plan, CandidateBuild build) {
        ALL.forEach(p -> p.beforeTraining(plan, build));
    }

    /** Phase 3 of every strategy: post-training operators. */
    public static void afterTraining(CompressionPlan plan, CandidateBuild build) {
        ALL.forEach(p -> p.afterTraining(plan, build));
    }
}
