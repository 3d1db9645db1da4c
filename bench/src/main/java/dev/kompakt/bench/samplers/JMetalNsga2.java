package dev.kompakt.bench.samplers;

import org.uma.jmetal.algorithm.multiobjective.nsgaii.NSGAII;
import org.uma.jmetal.algorithm.multiobjective.nsgaii.NSGAIIBuilder;
import org.uma.jmetal.operator.crossover.impl.SBXCrossover;
import org.uma.jmetal.operator.mutation.impl.PolynomialMutation;
import org.uma.jmetal.solution.doublesolution.DoubleSolution;
import org.uma.jmetal.util.pseudorandom.JMetalRandom;

import java.util.List;

/**
 * jMetal 6.6's NSGA-II (Nebro, Durillo and Vergne, "Redesigning the jMetal multi-objective optimization framework",
 * GECCO 2015 companion; the algorithm of Deb et al., IEEE TEC 6(2), 2002) with jMetal's standard settings: SBX
 * crossover with probability 0.9 and distribution index 20, polynomial mutation with probability 1/n and index 20,
 * binary tournament on rank and crowding distance, offspring population = population, generational (mu + mu)
 * replacement, stopping at {@code budget} evaluations.
 * <p>
 * jMetal draws every random number from the global singleton {@link JMetalRandom}, so a run is reproducible only
 * if nothing else uses it meanwhile: runs take a global lock and therefore execute one at a time, whatever the
 * benchmark's thread count. The wall time is measured inside the lock. If the budget is not a multiple of the
 * population, NSGA-II evaluates a few more points than the budget; only the first {@code budget} are scored.
 */
public final class JMetalNsga2 implements Optimizer {
    private static final Object JMETAL_RANDOM_LOCK = new Object();

    private final int populationSize;

    public JMetalNsga2(int populationSize) {
        this.populationSize = populationSize;
    }

    @Override
    public Run run(TestProblem problem, int budget, long seed) {
        synchronized (JMETAL_RANDOM_LOCK) {
            long start = System.nanoTime();
            JMetalRandom.getInstance().setSeed(seed);
            JMetalProblemAdapter adapter = new JMetalProblemAdapter(problem);
            SBXCrossover crossover = new SBXCrossover(0.9, 20.0);
            PolynomialMutation mutation = new PolynomialMutation(1.0 / adapter.numberOfVariables(), 20.0);
            NSGAII<DoubleSolution> algorithm = new NSGAIIBuilder<>(adapter, crossover, mutation, populationSize)
                    .setOffspringPopulationSize(populationSize)
                    .setMaxEvaluations(budget)
                    .build();
            algorithm.run();
            List<double[]> evaluated = adapter.evaluated();
            if (evaluated.size() < budget) {
                throw new IllegalStateException("jMetal NSGA-II evaluated " + evaluated.size() + " points, budget " + budget);
            }
            return new Run(evaluated.subList(0, budget), (System.nanoTime() - start) / 1e9);
        }
    }

    @Override
    public String description() {
        return "jMetal 6.6 NSGA-II, population " + populationSize + " (offspring " + populationSize
                + "), SBX p=0.9 eta=20, polynomial mutation p=1/n eta=20, binary tournament";
    }
}
