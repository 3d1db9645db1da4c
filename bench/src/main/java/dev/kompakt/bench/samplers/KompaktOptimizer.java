package dev.kompakt.bench.samplers;

import dev.kompakt.search.Study;
import dev.kompakt.search.TrialResult;
import dev.kompakt.search.sampler.Sampler;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * A Kompakt {@link Sampler} driven through a {@link Study} sequentially, one trial in flight: ask, evaluate,
 * tell, {@code budget} times. The wall time includes the study's bookkeeping, as in a real search.
 */
public final class KompaktOptimizer implements Optimizer {
    private final LongFunction<Sampler> samplerForSeed;
    private final String description;

    public KompaktOptimizer(LongFunction<Sampler> samplerForSeed, String description) {
        this.samplerForSeed = samplerForSeed;
        this.description = description;
    }

    @Override
    public Run run(TestProblem problem, int budget, long seed) {
        long start = System.nanoTime();
        Study study = new Study(problem.name(), problem.space(), problem.objectives(), List.of(), samplerForSeed.apply(seed));
        List<double[]> evaluated = new ArrayList<>(budget);
        for (int i = 0; i < budget; i++) {
            Study.TrialRequest request = study.ask();
            double[] f = problem.evaluate(request.assignment());
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (int k = 0; k < f.length; k++) {
                metrics.put("f" + (k + 1), f[k]);
            }
            study.tell(request.number(), TrialResult.complete(metrics, "bench"));
            evaluated.add(f);
        }
        return new Run(evaluated, (System.nanoTime() - start) / 1e9);
    }

    @Override
    public String description() {
        return description;
    }
}
