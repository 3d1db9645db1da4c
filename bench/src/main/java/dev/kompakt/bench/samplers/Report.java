package dev.kompakt.bench.samplers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the sampler benchmark's outcome as markdown. */
final class Report {
    private Report() {
    }

    static String render(SamplerBenchmark.Options options, Map<String, TestProblem> problems, Map<String, Optimizer> samplers,
                         Map<SamplerBenchmark.Cell, SamplerBenchmark.Outcome> outcomes, double totalSeconds) {
        StringBuilder md = new StringBuilder();
        md.append("# Sampler benchmark\n\n");
        md.append(String.format(Locale.ROOT, "%s; Java %s on %s %s, %d cores%s; seeds 1..%d; budgets %s evaluations; %d threads "
                        + "(Kompakt samplers in parallel, jMetal runs one at a time). Total wall time: %.1f min.%n%n",
                SamplerBenchmark.timestamp(), System.getProperty("java.version"), System.getProperty("os.name"),
                System.getProperty("os.arch"), Runtime.getRuntime().availableProcessors(), cpuModel(), options.seeds(),
                String.join(", ", options.budgets().stream().map(String::valueOf).toList()), options.threads(), totalSeconds / 60));
        md.append("Score: hypervolume of the non-dominated set of **all points a run evaluated** (for every method, not only a "
                + "final population), on objectives normalised by the true front's ideal and nadir points, divided by the true "
                + "front's hypervolume under the same reference point: (1.1, ..., 1.1) and (11, ..., 11). Each cell: median over "
                + "seeds and the interquartile range q1-q3 (linear interpolation). Time: mean wall time per run, evaluations "
                + "included (they take microseconds, so this is the method's own cost), after one unscored warm-up run per "
                + "method; runs share the cores, so compare times within one run.\n\n");
        md.append("Methods:\n\n");
        for (String name : options.samplers()) {
            md.append("- `").append(name).append("`: ").append(samplers.get(name).description()).append('\n');
        }
        md.append('\n');
        if (options.samplers().stream().anyMatch(name -> samplers.get(name) instanceof JMetalNsga2)) {
            md.append("jMetal works on reals: on ZDT1-mixed it searches the continuous relaxation (each integer or categorical "
                    + "variable is a real in [0, 1], decoded by rounding to equal-width buckets and by bucket, respectively); the "
                    + "Kompakt samplers see the integer and categorical parameters themselves.\n\n");
        }

        md.append("## Problems\n\n");
        md.append("| problem | variables | true front ideal | true front nadir | true HV, ref 1.1 | true HV, ref 11 | separating ref |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (TestProblem p : problems.values()) {
            TrueFront front = p.trueFront();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.6f | %.4f | %s |%n", p.name(), p.variables(),
                    vector(front.ideal()), vector(front.nadir()), front.hypervolume(1.1), front.hypervolume(11.0),
                    trim(p.separatingReference())));
        }
        md.append('\n');

        for (int budget : options.budgets()) {
            md.append("## ").append(budget).append(" evaluations\n\n");
            md.append("| problem | sampler | ref 1.1 median | ref 1.1 q1-q3 | ref 11 median | ref 11 q1-q3 | ms per run |\n");
            md.append("|---|---|---|---|---|---|---|\n");
            for (String problem : problems.keySet()) {
                for (String sampler : options.samplers()) {
                    SamplerBenchmark.Outcome o = outcomes.get(new SamplerBenchmark.Cell(problem, budget, sampler));
                    md.append(String.format(Locale.ROOT, "| %s | %s | %.4f | %s | %.4f | %s | %.1f |%n", problem, sampler,
                            o.median(0), iqr(o.ratiosAt(0)), o.median(1), iqr(o.ratiosAt(1)),
                            1000 * Arrays.stream(o.seconds()).average().orElse(Double.NaN)));
                }
            }
            md.append('\n');
        }
        md.append(doneWhen(options, problems, outcomes));
        return md.toString();
    }

    /** The done-when rule for the candidate sampler; see {@link SamplerBenchmark}. */
    private static String doneWhen(SamplerBenchmark.Options options, Map<String, TestProblem> problems,
                                   Map<SamplerBenchmark.Cell, SamplerBenchmark.Outcome> outcomes) {
        String candidate = options.candidate();
        StringBuilder md = new StringBuilder("## Done-when check: " + candidate + "\n\n");
        List<String> jmetal = options.samplers().stream().filter(s -> s.startsWith("jmetal-")).toList();
        if (!options.samplers().contains(candidate)) {
            return md.append("`").append(candidate).append("` is not in this run, so the rule is not checked.\n").toString();
        }
        md.append("Rule: under the problem's separating reference (11 on the ZDT problems, 1.1 on DTLZ2), ").append(candidate)
                .append("'s median ratio >= the better jMetal NSGA-II median, and, wherever any method's median is above 0, ")
                .append("above random's upper quartile (\"clearly above random\"). The done-when budget is 200 evaluations.\n\n");
        md.append("| budget | problem | ref | ").append(candidate).append(" median | best jMetal median | random median (q3) | >= jMetal | "
                + "> random q3 | verdict |\n");
        md.append("|---|---|---|---|---|---|---|---|---|\n");
        List<String> failures200 = new ArrayList<>();
        for (int budget : options.budgets()) {
            for (TestProblem p : problems.values()) {
                int ref = p.separatingReference() == SamplerBenchmark.REFERENCES[0] ? 0 : 1;
                double cand = outcomes.get(new SamplerBenchmark.Cell(p.name(), budget, candidate)).median(ref);
                String bestName = null;
                double best = Double.NEGATIVE_INFINITY;
                for (String j : jmetal) {
                    double m = outcomes.get(new SamplerBenchmark.Cell(p.name(), budget, j)).median(ref);
                    if (m > best) {
                        best = m;
                        bestName = j;
                    }
                }
                boolean anyAboveZero = false;
                for (String s : options.samplers()) {
                    anyAboveZero |= outcomes.get(new SamplerBenchmark.Cell(p.name(), budget, s)).median(ref) > 0;
                }
                SamplerBenchmark.Outcome random = options.samplers().contains("random")
                        ? outcomes.get(new SamplerBenchmark.Cell(p.name(), budget, "random")) : null;
                String vsJmetal = bestName == null ? "n/a" : cand >= best ? "yes" : "no";
                String vsRandom;
                if (random == null) {
                    vsRandom = "n/a";
                } else if (!anyAboveZero) {
                    vsRandom = "all 0";
                } else {
                    vsRandom = cand > Quantiles.of(random.ratiosAt(ref), 0.75) ? "yes" : "no";
                }
                String verdict = vsJmetal.equals("no") || vsRandom.equals("no") ? "FAIL"
                        : vsJmetal.equals("n/a") || vsRandom.equals("n/a") ? "n/a" : "PASS";
                if (budget == 200 && !verdict.equals("PASS")) {
                    failures200.add(p.name());
                }
                md.append(String.format(Locale.ROOT, "| %d | %s | %s | %.4f | %s | %s | %s | %s | %s |%n", budget, p.name(),
                        trim(p.separatingReference()), cand,
                        bestName == null ? "n/a" : String.format(Locale.ROOT, "%.4f (%s)", best, bestName),
                        random == null ? "n/a" : String.format(Locale.ROOT, "%.4f (%.4f)", random.median(ref),
                                Quantiles.of(random.ratiosAt(ref), 0.75)),
                        vsJmetal, vsRandom, verdict));
            }
        }
        md.append('\n');
        if (options.budgets().contains(200)) {
            md.append(failures200.isEmpty() ? "Done-when at 200 evaluations: PASS on every problem.\n"
                    : "Done-when at 200 evaluations: not met on " + String.join(", ", failures200) + ".\n");
        }
        return md.toString();
    }

    private static String iqr(double[] values) {
        return String.format(Locale.ROOT, "%.4f-%.4f", Quantiles.of(values, 0.25), Quantiles.of(values, 0.75));
    }

    private static String vector(double[] v) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(trim(v[i]));
        }
        return sb.append(')').toString();
    }

    private static String trim(double x) {
        String s = String.format(Locale.ROOT, "%.6f", x);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return " (" + line.substring(line.indexOf(':') + 1).trim() + ")";
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: no CPU model in the header
        }
        return "";
    }
}
