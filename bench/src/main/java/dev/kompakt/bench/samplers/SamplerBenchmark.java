package dev.kompakt.bench.samplers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The sampler benchmark command (prints a markdown table; not a unit test). Every selected method runs every
 * selected problem at every budget from seeds 1..S; each run is scored by {@link Score} (hypervolume ratio of all
 * evaluated points, normalised objectives) under the reference points 1.1 and 11 per objective, and the table
 * gives the median and interquartile range over seeds and the mean wall time per run.
 * <p>
 * The closing section checks the done-when rule for the candidate sampler (default "motpe", when it is in the
 * run): at each budget and problem, under the problem's {@link TestProblem#separatingReference()}, the candidate's
 * median ratio must be at least the better jMetal NSGA-II median, and, wherever any method's median is above 0,
 * clearly above random search's, which this command takes to mean above random's upper quartile.
 * <pre>
 * java -cp ... dev.kompakt.bench.samplers.SamplerBenchmark [--problems ZDT1,DTLZ2,...] [--samplers random,nsga2,...]
 *     [--budgets 200,1000] [--seeds 10] [--threads 2] [--candidate motpe] [--out FILE.md]
 * </pre>
 */
public final class SamplerBenchmark {
    static final double[] REFERENCES = {1.1, 11.0};

    private SamplerBenchmark() {
    }

    /** The command's options. */
    record Options(List<String> problems, List<String> samplers, List<Integer> budgets, int seeds, int threads, String candidate,
                   Path out) {

        static Options parse(String[] args, Map<String, Supplier<TestProblem>> knownProblems, Map<String, Optimizer> knownSamplers) {
            List<String> problems = new ArrayList<>(knownProblems.keySet());
            List<String> samplers = new ArrayList<>(knownSamplers.keySet());
            List<Integer> budgets = List.of(200, 1000);
            int seeds = 10;
            int threads = 2;
            String candidate = "motpe";
            Path out = null;
            for (int i = 0; i < args.length; i++) {
                String flag = args[i];
                if (flag.equals("--help") || flag.equals("-h")) {
                    throw new IllegalArgumentException("usage");
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                String value = args[++i];
                switch (flag) {
                    case "--problems" -> problems = pick(value, knownProblems.keySet(), "problem");
                    case "--samplers" -> {
                        for (String name : value.split(",")) {
                            if (name.contains(":") && !knownSamplers.containsKey(name.trim())) {
                                knownSamplers.put(name.trim(), SamplerRegistry.variant(name.trim()));
                            }
                        }
                        samplers = pick(value, knownSamplers.keySet(), "sampler");
                    }
                    case "--budgets" -> budgets = Arrays.stream(value.split(",")).map(String::trim).map(Integer::parseInt).toList();
                    case "--seeds" -> seeds = Integer.parseInt(value);
                    case "--threads" -> threads = Integer.parseInt(value);
                    case "--candidate" -> candidate = value;
                    case "--out" -> out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag);
                }
            }
            if (seeds < 1 || threads < 1 || budgets.isEmpty() || budgets.stream().anyMatch(b -> b < 1)) {
                throw new IllegalArgumentException("need --seeds >= 1, --threads >= 1 and budgets >= 1");
            }
            return new Options(problems, samplers, budgets, seeds, threads, candidate, out);
        }

        private static List<String> pick(String value, java.util.Set<String> known, String what) {
            List<String> picked = new ArrayList<>();
            for (String name : value.split(",")) {
                String match = known.stream().filter(k -> k.equalsIgnoreCase(name.trim())).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("unknown " + what + " '" + name.trim() + "' (known: " + known + ")"));
                picked.add(match);
            }
            return picked;
        }
    }

    /** One cell of the table: a problem, a budget and a method. */
    record Cell(String problem, int budget, String sampler) {
    }

    /** Per seed: the ratio under each reference, and the wall time. */
    record Outcome(double[][] ratios, double[] seconds) {
        double[] ratiosAt(int referenceIndex) {
            return Arrays.stream(ratios).mapToDouble(r -> r[referenceIndex]).toArray();
        }

        double median(int referenceIndex) {
            return Quantiles.median(ratiosAt(referenceIndex));
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, Supplier<TestProblem>> knownProblems = TestProblems.all();
        Map<String, Optimizer> knownSamplers = SamplerRegistry.all();
        Options options;
        try {
            options = Options.parse(args, knownProblems, knownSamplers);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().equals("usage")) {
                System.err.println("sampler benchmark: " + e.getMessage());
            }
            System.err.println("usage: SamplerBenchmark [--problems " + String.join(",", knownProblems.keySet()) + "] [--samplers "
                    + String.join(",", knownSamplers.keySet()) + "] [--budgets 200,1000] [--seeds 10] [--threads 2] "
                    + "[--candidate motpe] [--out FILE.md]");
            System.exit(2);
            return;
        }
        String report = run(options, knownProblems, knownSamplers);
        System.out.print(report);
        if (options.out() != null) {
            Files.writeString(options.out(), report);
        }
    }

    static String run(Options options, Map<String, Supplier<TestProblem>> knownProblems, Map<String, Optimizer> knownSamplers)
            throws Exception {
        long start = System.nanoTime();
        Map<String, TestProblem> problems = new LinkedHashMap<>();
        for (String name : options.problems()) {
            TestProblem problem = knownProblems.get(name).get();
            for (double r : REFERENCES) {
                problem.trueFront().hypervolume(r);
            }
            problems.put(name, problem);
        }
        warmUp(options, problems.values().iterator().next(), knownSamplers);
        Map<Cell, Outcome> outcomes = runAll(options, problems, knownSamplers);
        double totalSeconds = (System.nanoTime() - start) / 1e9;
        return Report.render(options, problems, knownSamplers, outcomes, totalSeconds);
    }

    /** One unscored run per method at the smallest budget, so that the timed runs do not pay for class loading and JIT. */
    private static void warmUp(Options options, TestProblem problem, Map<String, Optimizer> samplers) {
        int budget = options.budgets().stream().min(Integer::compare).orElseThrow();
        for (String name : options.samplers()) {
            samplers.get(name).run(problem, budget, 0L);
        }
    }

    private static Map<Cell, Outcome> runAll(Options options, Map<String, TestProblem> problems, Map<String, Optimizer> samplers)
            throws Exception {
        record Task(Cell cell, int seedIndex) {
        }
        List<Task> tasks = new ArrayList<>();
        Map<Cell, Outcome> outcomes = new ConcurrentHashMap<>();
        for (int budget : options.budgets()) {
            for (String problem : options.problems()) {
                for (String sampler : options.samplers()) {
                    Cell cell = new Cell(problem, budget, sampler);
                    outcomes.put(cell, new Outcome(new double[options.seeds()][], new double[options.seeds()]));
                    for (int s = 0; s < options.seeds(); s++) {
                        tasks.add(new Task(cell, s));
                    }
                }
            }
        }
        // Largest budgets first, so that the slow runs do not finish last on one thread.
        tasks.sort(Comparator.comparingInt((Task t) -> -t.cell().budget()));
        ExecutorService pool = Executors.newFixedThreadPool(options.threads());
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        long[] lastReport = {start};
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Task task : tasks) {
                futures.add(pool.submit(() -> {
                    TestProblem problem = problems.get(task.cell().problem());
                    Optimizer.Run run = samplers.get(task.cell().sampler()).run(problem, task.cell().budget(), task.seedIndex() + 1L);
                    Outcome outcome = outcomes.get(task.cell());
                    outcome.ratios()[task.seedIndex()] = Score.hypervolumeRatios(problem, run.evaluated(), REFERENCES);
                    outcome.seconds()[task.seedIndex()] = run.seconds();
                    int n = done.incrementAndGet();
                    synchronized (lastReport) {
                        long now = System.nanoTime();
                        if (now - lastReport[0] > 15e9 || n == tasks.size()) {
                            lastReport[0] = now;
                            System.err.printf(Locale.ROOT, "sampler benchmark: %d/%d runs, %.0f s%n", n, tasks.size(), (now - start) / 1e9);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return outcomes;
    }

    static String timestamp() {
        return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm"));
    }
}
