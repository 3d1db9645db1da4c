package dev.kompakt.bench.samplers;

import dev.kompakt.search.sampler.MotpeSampler;
import dev.kompakt.search.sampler.Nsga2Sampler;
import dev.kompakt.search.sampler.QmcSampler;
import dev.kompakt.search.sampler.RandomSampler;

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
        methods.put("motpe", new KompaktOptimizer(MotpeSampler::new, "Kompakt MotpeSampler, default settings " + MotpeSampler.Settings.defaults()));
        methods.put("sobol", new KompaktOptimizer(QmcSampler::new, "Kompakt QmcSampler (Sobol, seeded random shift)"));
        methods.put("jmetal-nsga2-100", new JMetalNsga2(100));
        methods.put("jmetal-nsga2-20", new JMetalNsga2(20));
        return methods;
    }

    /**
     * An MO-TPE with non-default settings, for tuning runs: {@code motpe:gamma=0.2:cap=1000:candidates=100:mv=false:startup=10:prior=1}
     * (any subset of the keys; the rest keep their defaults).
     */
    public static Optimizer variant(String name) {
        String[] parts = name.split(":");
        if (!parts[0].equals("motpe") || parts.length < 2) {
            throw new IllegalArgumentException("unknown sampler '" + name + "' (variants look like motpe:gamma=0.2:mv=false)");
        }
        MotpeSampler.Settings d = MotpeSampler.Settings.defaults();
        int startup = d.startupTrials();
        int candidates = d.eiCandidates();
        double gamma = d.gamma();
        int cap = d.gammaCap();
        double prior = d.priorWeight();
        boolean mv = d.multivariate();
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("sampler variant '" + name + "': '" + parts[i] + "' is not key=value");
            }
            switch (kv[0]) {
                case "startup" -> startup = Integer.parseInt(kv[1]);
                case "candidates" -> candidates = Integer.parseInt(kv[1]);
                case "gamma" -> gamma = Double.parseDouble(kv[1]);
                case "cap" -> cap = Integer.parseInt(kv[1]);
                case "prior" -> prior = Double.parseDouble(kv[1]);
                case "mv" -> mv = Boolean.parseBoolean(kv[1]);
                default -> throw new IllegalArgumentException("sampler variant '" + name + "': unknown key '" + kv[0]
                        + "' (startup, candidates, gamma, cap, prior, mv)");
            }
        }
        MotpeSampler.Settings settings = new MotpeSampler.Settings(startup, candidates, gamma, cap, prior, mv, d.constantLiar());
        return new KompaktOptimizer(seed -> new MotpeSampler(seed, settings), "Kompakt MotpeSampler " + settings);
    }
}
