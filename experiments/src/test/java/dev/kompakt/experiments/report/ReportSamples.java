package dev.kompakt.experiments.report;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Objective;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import dev.kompakt.search.pareto.ParetoFront;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Runs to render in the report's tests: a small hand-made one and generated ones of any size. */
final class ReportSamples {
    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    static final List<Objective> OBJECTIVES = List.of(Objective.maximize("accuracy"),
            Objective.minimize("latency_ms@rpi4"), Objective.minimize("energy_mj@rpi4"), Objective.minimize("size_bytes"));
    static final List<Constraint> CONSTRAINTS = List.of(new Constraint("accuracy_drop", 0.05));
    static final Map<String, Double> BASELINE = Map.of("accuracy", 0.915, "size_bytes", 1_200_000.0,
            "latency_ms@rpi4", 25.0, "energy_mj@rpi4", 60.0, "compression_ratio", 1.0, "accuracy_drop", 0.0);
    static final String EVIL = "<script>alert('x')</script> CUDA out of memory & more";

    private ReportSamples() {
    }

    static Map<String, Double> metrics(double acc, double size, double lat, double energy, boolean int8) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", acc);
        m.put("size_bytes", size);
        m.put("latency_ms@rpi4", lat);
        m.put("energy_mj@rpi4", energy);
        m.put("compression_ratio", 1_200_000.0 / size);
        m.put("accuracy_drop", 0.915 - acc);
        m.put("onnx_int8", int8 ? 1.0 : 0.0);
        return m;
    }

    static Trial complete(int n, Map<String, Object> params, Map<String, Double> metrics) {
        return new Trial(n, TrialState.COMPLETE, new Assignment(params), metrics, null, "worker-1", T0, T0.plusSeconds(60 + n));
    }

    /** Seven trials: front 0, 1, 5; 2 infeasible (accuracy_drop 0.055 > 0.05); 3 dominated by 1; 4 failed; 6 running. */
    static RunSummary sample() {
        List<Trial> trials = new ArrayList<>();
        trials.add(complete(0, Map.of("prune.sparsity", 0.2, "prune.schedule", "agp"), metrics(0.91, 1_000_000, 20, 50, false)));
        trials.add(complete(1, Map.of("quant.weight_bits", 8), metrics(0.89, 250_000, 12, 30, true)));
        trials.add(complete(2, Map.of("quant.weight_bits", 2), metrics(0.86, 50_000, 8, 20, true)));
        trials.add(complete(3, Map.of("prune.sparsity", 0.6, "prune.schedule", "oneshot"), metrics(0.88, 300_000, 14, 35, false)));
        trials.add(new Trial(4, TrialState.FAILED, new Assignment(Map.of("distill.enabled", true, "distill.temperature", 4.0,
                "distill.alpha", 0.5)), Map.of(), EVIL, "worker-2", T0, T0.plusSeconds(5)));
        trials.add(complete(5, Map.of("quant.weight_bits", 4, "prune.sparsity", 0.5), metrics(0.87, 120_000, 10, 25, true)));
        trials.add(Trial.running(6, new Assignment(Map.of("prune.sparsity", 0.3)), T0));
        List<Trial> front = ParetoFront.of(trials, OBJECTIVES, CONSTRAINTS);
        return new RunSummary("resnet18-cifar10 <nightly>", OBJECTIVES, CONSTRAINTS, trials, front, BASELINE,
                Map.of("git_commit", "abc123", "seed", "42", "command", "kompakt run --config a&b.yaml"));
    }

    /**
     * {@code n} trials of a plausible compression search: accuracy falls with sparsity (quadratically) and with 4-bit weights,
     * distillation helps a little, its temperature does nothing; size, latency and energy fall with width, sparsity and bits.
     * About 1 in 35 fails with one of three causes (each with its own trace per trial), 1 in 89 is stopped, 1 in 400 interrupted.
     */
    static RunSummary largeRun(int n, long seed) {
        Random rnd = new Random(seed);
        List<Trial> trials = new ArrayList<>(n);
        String[] causes = {"java.lang.IllegalStateException: evaluator crashed <exit 137>",
            "java.lang.ArithmeticException: NaN loss after epoch 2", "org.apache.spark.SparkException: Task failed while writing rows"};
        int[] bitsChoices = {32, 8, 4};
        double[] widths = {0.5, 0.75, 1.0};
        for (int i = 0; i < n; i++) {
            Map<String, Object> p = new LinkedHashMap<>();
            double width = widths[rnd.nextInt(3)];
            p.put("student.width", width);
            if (width < 1) {
                p.put("student.init", "inherit");
                p.put("student.criterion", rnd.nextBoolean() ? "l1" : "taylor");
            }
            double sparsity = Math.round(rnd.nextDouble() * 9000) / 10000.0;
            p.put("prune.sparsity", sparsity);
            p.put("prune.schedule", rnd.nextBoolean() ? "agp" : "oneshot");
            int bits = bitsChoices[rnd.nextInt(3)];
            p.put("quant.weight_bits", bits);
            boolean distill = rnd.nextBoolean();
            p.put("distill.enabled", distill);
            if (distill) {
                p.put("distill.temperature", 1 + rnd.nextDouble() * 9);
                p.put("distill.alpha", rnd.nextDouble());
            }
            double acc = 0.915 - 0.08 * sparsity * sparsity - (bits == 4 ? 0.012 : 0) - (1 - width) * 0.03 + (distill ? 0.004 : 0)
                    - rnd.nextDouble() * 0.01;
            double size = 1_200_000 * width * width * (1 - sparsity * 0.8) * bits / 32.0;
            double lat = 3 + 22 * width * width * (bits == 32 ? 1 : 0.45) * (0.9 + 0.2 * rnd.nextDouble());
            double energy = lat * (2.2 + 0.6 * rnd.nextDouble());
            Instant start = T0.plusSeconds(i * 40L);
            if (i % 35 == 13) {
                String cause = causes[i % 3];
                trials.add(new Trial(i, TrialState.FAILED, new Assignment(p), Map.of(),
                        cause + "\n\tat dev.kompakt.Eval.run(Eval.java:" + (40 + i % 50) + ")\n\tat dev.kompakt.Worker.call(Worker.java:12)",
                        "worker-" + (i % 4), start, start.plusSeconds(3)));
            } else if (i % 89 == 5) {
                trials.add(new Trial(i, TrialState.STOPPED, new Assignment(p), Map.of("accuracy", acc), null,
                        "worker-" + (i % 4), start, start.plusSeconds(20)));
            } else if (i % 400 == 7) {
                trials.add(new Trial(i, TrialState.INTERRUPTED, new Assignment(p), Map.of(), null, null, start, null));
            } else {
                trials.add(new Trial(i, TrialState.COMPLETE, new Assignment(p), metrics(acc, size, lat, energy, bits <= 8), null,
                        "worker-" + (i % 4), start, start.plusSeconds(30 + rnd.nextInt(90))));
            }
        }
        List<Trial> front = ParetoFront.of(trials, OBJECTIVES, CONSTRAINTS);
        Map<String, String> prov = new LinkedHashMap<>();
        prov.put("git_commit", "3f9c2e1d");
        prov.put("model", "resnet18");
        prov.put("dataset", "cifar10 (test split, 10,000 images)");
        prov.put("started", "2025-01-01T00:00:00Z");
        prov.put("sampler", "NSGA-II, seed 42");
        return new RunSummary("resnet18-cifar10 nightly", OBJECTIVES, CONSTRAINTS, trials, front, BASELINE, prov);
    }
}
