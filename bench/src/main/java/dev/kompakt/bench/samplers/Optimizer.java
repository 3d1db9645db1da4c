package dev.kompakt.bench.samplers;

import java.util.List;

/** One benchmarked method: runs a problem for a number of evaluations from a seed. */
public interface Optimizer {

    /** Evaluates {@code problem} exactly {@code budget} times and returns every evaluated objective vector. */
    Run run(TestProblem problem, int budget, long seed);

    /** One line for the table's notes. */
    String description();

    /** The objective vectors of all evaluations, in order, and the run's wall time. */
    record Run(List<double[]> evaluated, double seconds) {
        public Run {
            evaluated = List.copyOf(evaluated);
        }
    }
}
