package dev.kompakt.bench.samplers;

import dev.kompakt.search.Nsga2Sampler;
import dev.kompakt.search.RandomSampler;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmarked methods by name, in table order. A Kompakt sampler is one line:
 * {@code methods.put("name", new KompaktOptimizer(seed -> new SomeSampler(seed), "description"));}
 */
public final class SamplerRegistry {
    private SamplerRegistry() {
    }

    public static Map<String, Optimizer> all() {
        Map<String, Optimizer> methods = new LinkedHashMap<>();
        methods.put("random", new KompaktOptimizer(RandomSampler::new, "Kompakt RandomSampler (independent uniform)"));
        methods.put("nsga2", new KompaktOptimizer(seed -> new Nsga2Sampler(seed, 20),
                "Kompakt Nsga2Sampler, population 20 (steady state: one child per trial, parents = best 20 of all completed trials)"));
        methods.put("jmetal-nsga2-100", new JMetalNsga2(100));
        methods.put("jmetal-nsga2-20", new JMetalNsga2(20));
        return methods;
    }
}
