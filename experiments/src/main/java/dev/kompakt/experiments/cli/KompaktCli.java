package dev.kompakt.experiments.cli;

import dev.kompakt.evaluator.hardware.HardwareProfile;
import dev.kompakt.evaluator.hardware.ProfileRegistry;
import dev.kompakt.experiments.LiveReport;
import dev.kompakt.experiments.RecordedRun;
import dev.kompakt.experiments.ReportServer;
import dev.kompakt.experiments.RunFiles;
import dev.kompakt.experiments.RunLock;
import dev.kompakt.experiments.SearchRunner;
import dev.kompakt.experiments.Validation;
import dev.kompakt.experiments.report.ProgressNote;
import dev.kompakt.experiments.report.RunSummary;
import dev.kompakt.experiments.spec.ExperimentSpec;
import dev.kompakt.experiments.spec.SpecException;
import dev.kompakt.experiments.spec.SpecLoader;
import dev.kompakt.search.Trial;
import dev.kompakt.search.TrialState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The {@code kompakt} command line. Exit codes: 0 success, 1 failure while running, 2 bad input or a refused run
 * directory (nothing written): a bad spec, a damaged journal, a run another process holds ({@link RunLock}).
 */
@Command(name = "kompakt", mixinStandardHelpOptions = true, versionProvider = KompaktCli.Version.class,
        description = "Finds the best way to shrink a neural network for a target device: a multi-objective search over "
                + "pruning, quantization, distillation and student architectures, evaluated on Spark.",
        subcommands = {KompaktCli.Search.class, KompaktCli.Resume.class, KompaktCli.Report.class, KompaktCli.Serve.class, KompaktCli.Compare.class,
                KompaktCli.Export.class, KompaktCli.Apply.class, KompaktCli.Trials.class, KompaktCli.Validate.class,
                KompaktCli.Profiles.class, KompaktCli.Metrics.class, KompaktCli.Bench.class})
public final class KompaktCli implements Callable<Integer> {
    static final int BAD_INPUT = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec commandSpec;

    private final PrintStream out;

    KompaktCli(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command line with the given streams and returns its exit code (for tests). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        dev.kompakt.evaluator.net.NativeRuntime.configure(); // before ND4J loads and any network is built (the driver is an executor in local mode)
        CommandLine cl = new CommandLine(new KompaktCli(out));
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof SpecException || e instanceof FileAlreadyExistsException || e instanceof RunLock.HeldException) {
                err.println("kompakt: " + e.getMessage());
                return BAD_INPUT;
            }
            if (e instanceof dev.kompakt.cluster.SparkSetup.MasterUnreachableException) {
                err.println("kompakt: " + e.getMessage());
                return 1;
            }
            err.println("kompakt: " + e);
            for (Throwable c = e.getCause(); c != null; c = c.getCause()) {
                err.println("  caused by: " + c);
            }
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public Integer call() {
        commandSpec.commandLine().usage(commandSpec.commandLine().getOut());
        return BAD_INPUT;
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
            description = "Run a search: train or load the baseline, evaluate candidates on Spark, write runs/<name>/ "
                    + "(trials.jsonl, pareto.json, pareto.csv, provenance.json, report.html; report.html and pareto.* are rewritten "
                    + "as trials finish).")
    static final class Search implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "experiment spec (YAML), e.g. experiments/quickstart.yaml")
        Path spec;

        @CommandLine.Mixin
        SparkOptions spark;

        @Option(names = "--run-dir", description = "output directory; must not exist (default: <runs-dir>/<spec name>, or -2, -3, ... if taken)")
        Path runDir;

        @Option(names = "--runs-dir", defaultValue = "runs", description = "where run directories go (default: ${DEFAULT-VALUE})")
        Path runsDir;

        @CommandLine.Mixin
        ServeOption serveOption;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec commandSpec;

        @Override
        public Integer call() throws IOException {
            PrintStream out = parent.out;
            // the same checks as `validate`, before anything is written
            Validation.Checked checked = Validation.check(spec, ProfileRegistry.load(profilesOption.profiles).all().keySet());
            try (ReportServer server = serveOption.start()) { // before anything is written: a port in use is exit 2
                SearchRunner.Result r = SearchRunner.run(checked, new SearchRunner.Options(spark.master, runDir, runsDir, spark.jars,
                        profilesOption.profiles, LiveReport.DEFAULT_INTERVAL, server), out);
                printSummary(out, r.summary());
                out.printf("wall time %d s; results in %s (open %s)%n", r.wallTime().toSeconds(), r.runDir(),
                        r.runDir().resolve(RunFiles.REPORT));
                serveOption.linger(server, r.runDir(), out);
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Continue an interrupted search in its run directory: trials in flight when it stopped run again, "
                    + "finished ones are kept, new ones are asked up to the budget.")
    static final class Resume implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", description = "a run directory written by `kompakt search`")
        Path runDir;

        @CommandLine.Mixin
        SparkOptions spark;

        @CommandLine.Mixin
        ServeOption serveOption;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @Override
        public Integer call() throws IOException {
            RecordedRun.requireRunDirectory(runDir); // before the port is taken
            try (ReportServer server = serveOption.start()) {
                SearchRunner.Result r = SearchRunner.resume(runDir, new SearchRunner.Options(spark.master, runDir, null, spark.jars,
                        profilesOption.profiles, LiveReport.DEFAULT_INTERVAL, server), parent.out);
                printSummary(parent.out, r.summary());
                parent.out.printf("wall time %d s; results in %s%n", r.wallTime().toSeconds(), r.runDir());
                serveOption.linger(server, r.runDir(), parent.out);
                return 0;
            }
        }
    }

    @Command(name = "trials", mixinStandardHelpOptions = true,
            description = "Write a run's trials (parameters, metrics, states, times) as a Parquet table for Spark.")
    static final class Trials implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", description = "a run directory written by `kompakt search`")
        Path runDir;

        @Option(names = "--parquet", required = true, paramLabel = "OUT", description = "the Parquet directory to write (Spark's layout)")
        Path out;

        @Option(names = "--force", description = "replace OUT if it exists")
        boolean force;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @Override
        public Integer call() throws IOException {
            RecordedRun run = RecordedRun.load(runDir, ProfileRegistry.load(profilesOption.profiles).all().keySet());
            if (Files.exists(out) && !force) {
                throw new SpecException("--parquet", List.of(out + " exists; choose another directory or pass --force to replace it"));
            }
            dev.kompakt.experiments.TrialsParquet.write(run.trials(), out, force);
            parent.out.printf("wrote %d trials of %s to %s (Parquet: trial, state, started, finished, seconds, worker, error, "
                    + "params map<string,string>, metrics map<string,double>)%n", run.trials().size(), runDir, out);
            return 0;
        }
    }

    @Command(name = "report", mixinStandardHelpOptions = true,
            description = "Re-render pareto.json, pareto.csv and report.html of a run directory from its journal (trials.jsonl).")
    static final class Report implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", description = "a run directory written by `kompakt search`")
        Path runDir;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec commandSpec;

        @Override
        public Integer call() throws IOException {
            // no lock: report reads the journal and replaces the rendered files atomically, so it may run beside a search
            RecordedRun run = RecordedRun.load(runDir, ProfileRegistry.load(profilesOption.profiles).all().keySet());
            RunSummary summary = run.summary();
            java.util.Optional<String> holder = RunLock.holder(runDir);
            RunFiles.writeAll(runDir, summary, holder.isEmpty() ? null
                    : ProgressNote.of(run.trials(), run.spec().budget().trials(), run.spec().budget().maxMinutes()));
            PrintStream out = parent.out;
            run.unreadable().forEach(u -> out.println("warning: " + u + "; the report shows what the journal holds (`kompakt resume` "
                    + "rebuilds the file)"));
            holder.ifPresent(h -> out.println("note: the run is still in progress (" + h + "); this report shows the "
                    + "trials so far"));
            printSummary(out, summary);
            out.println("wrote " + runDir.resolve("report.html"));
            out.flush();
            return 0;
        }
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve a run directory's report.html on http://127.0.0.1:PORT/ (this machine only) until interrupted "
                    + "(Ctrl-C); while the run is in progress the page reloads itself as the search rewrites the report.")
    static final class Serve implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", description = "a run directory written by `kompakt search` (finished or in progress)")
        Path runDir;

        @Option(names = "--port", defaultValue = "0", paramLabel = "PORT", description = "port on 127.0.0.1 (default 0: a free port)")
        int port;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @Override
        public Integer call() throws IOException {
            RecordedRun.requireRunDirectory(runDir);
            try (ReportServer server = startServer("--port", port)) {
                server.show(runDir);
                Path report = runDir.resolve(RunFiles.REPORT);
                parent.out.println("serving " + report + " at " + server.address() + " (Ctrl-C stops)");
                if (!Files.isRegularFile(report)) {
                    parent.out.println("note: " + report + " does not exist yet: the page shows it once it does (`kompakt report "
                            + runDir + "` renders it from the journal)");
                }
                parent.out.flush();
                new java.util.concurrent.CountDownLatch(1).await(); // until interrupted
                return 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 0;
            }
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Compare runs of the same problem (e.g. two samplers): each run's front hypervolume on objectives "
                    + "normalised across all the runs, and how it grew trial by trial.")
    static final class Compare implements Callable<Integer> {
        @Parameters(paramLabel = "RUN_DIR", arity = "1..*", description = "run directories written by `kompakt search`")
        List<Path> runDirs;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @Override
        public Integer call() throws IOException {
            var devices = ProfileRegistry.load(profilesOption.profiles).all().keySet();
            List<RecordedRun> runs = new java.util.ArrayList<>();
            for (Path dir : runDirs) {
                runs.add(RecordedRun.load(dir, devices));
            }
            dev.kompakt.experiments.report.RunComparison.of(runs).print(parent.out);
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Rebuild one trial of a run from its recipe and write model.onnx (INT8 when its weights have at most "
                    + "8 bits) and recipe.json. An output directory that exists and is not empty is refused (exit 2) unless --force.")
    static final class Export implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN_DIR", description = "a run directory written by `kompakt search`")
        Path runDir;

        @Option(names = "--trial", required = true, description = "trial number (see pareto.csv or report.html)")
        int trial;

        @Option(names = "--out", description = "output directory (default: RUN_DIR/export/trial-N)")
        Path out;

        @Option(names = "--force", description = "replace model.onnx and recipe.json in an output directory that is not empty")
        boolean force;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @Override
        public Integer call() throws IOException {
            ProfileRegistry profiles = ProfileRegistry.load(profilesOption.profiles);
            dev.kompakt.experiments.Exporter.Exported e = dev.kompakt.experiments.Exporter.export(runDir, trial, out, force, profiles, parent.out);
            parent.out.printf("wrote %s and %s (accuracy %.4f in the run, %.4f rebuilt; %s)%n", e.model(), e.recipe(), e.journalAccuracy(),
                    e.rebuiltAccuracy(), sizes(e.sizeBytes(), e.onnxBytes()));
            if (Math.abs(e.journalAccuracy() - e.rebuiltAccuracy()) > 1e-9) {
                parent.out.printf("warning: the rebuilt model is not the one the run measured (accuracy %.4f vs %.4f): training is repeatable on "
                        + "the same CPU type and library build, so this machine or its libraries differ from the run's executors (%s)%n",
                        e.rebuiltAccuracy(), e.journalAccuracy(), e.worker());
            }
            return 0;
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Apply an exported recipe.json (its plan, budget and seed) to a model outside its run: read the data as the "
                    + "recipe's run read its own, build the compressed network the way export does, and write model.onnx, model.zip (the "
                    + "compressed DL4J network) and recipe.json with the accuracy measured. On the run's model and data it reproduces the "
                    + "recipe's accuracy exactly; it warns when the two differ.")
    static final class Apply implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RECIPE", description = "a recipe.json written by `kompakt export` (or `kompakt apply`)")
        Path recipe;

        @Option(names = "--model", required = true, description = "the network to compress: a DL4J model zip (ComputationGraph or "
                + "MultiLayerNetwork) or a Keras .h5 file, as a spec's baseline.model")
        Path model;

        @Option(names = "--data", required = true, description = "the data directory, as a spec's data.path")
        Path data;

        @Option(names = "--format", description = "the data's format: idx, cifar10, cifar100, folder or csv (default: the format the "
                + "recipe's run used)")
        String format;

        @Option(names = "--out", required = true, description = "output directory; refused (exit 2) if it exists and is not empty, unless --force")
        Path out;

        @Option(names = "--force", description = "replace model.onnx, model.zip and recipe.json in an output directory that is not empty")
        boolean force;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @Override
        public Integer call() throws IOException {
            PrintStream console = parent.out;
            dev.kompakt.experiments.Exporter.requireOutput(out, force);
            dev.kompakt.experiments.Recipe r = dev.kompakt.experiments.Recipe.read(recipe);
            dev.kompakt.experiments.Applier.Applied a = dev.kompakt.experiments.Applier.apply(r, model, data, format, console);
            dev.kompakt.experiments.Applier.write(a, out);
            var rebuilt = a.rebuild();
            console.printf("wrote %s, %s and %s (%s)%n", out.resolve("model.onnx"), out.resolve("model.zip"), out.resolve("recipe.json"),
                    sizes(rebuilt.sizeBytes(), rebuilt.onnx().length));
            console.printf("accuracy %.4f applied, %.4f recorded in %s%s%n", a.accuracy(), r.recordedAccuracy(), recipe,
                    Double.isNaN(r.runAccuracy()) ? "" : String.format(" (the run measured %.4f)", r.runAccuracy()));
            if (a.accuracy() != r.recordedAccuracy()) {
                console.printf("warning: the applied model's accuracy differs from the recipe's (%.4f vs %.4f): expected when the model or the "
                        + "data are not the run's; on the run's own model and data, this machine or its libraries differ from the ones that "
                        + "wrote the recipe%n", a.accuracy(), r.recordedAccuracy());
            }
            return 0;
        }
    }

    /** Kompakt's size count beside the deployable file's bytes (README: "size_bytes and the ONNX file"). */
    static String sizes(long sizeBytes, long onnxBytes) {
        return String.format("size_bytes %,d: Kompakt's storage count; model.onnx %,d bytes: the deployable file", sizeBytes, onnxBytes);
    }

    @Command(name = "validate", mixinStandardHelpOptions = true,
            description = "Check a spec (and the model it names, against the data) and print every problem with its field path; exit 2 if there are any.")
    static final class Validate implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "experiment spec (YAML)")
        Path spec;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec commandSpec;

        @Override
        public Integer call() throws IOException {
            // exactly what search checks before it writes anything
            ExperimentSpec s = Validation.check(spec, ProfileRegistry.load(profilesOption.profiles).all().keySet()).spec();
            commandSpec.commandLine().getOut().printf("%s: valid (%s, %d trials, sampler %s, objectives %s)%n", spec, s.name(),
                    s.budget().trials(), s.search().sampler(), s.search().objectives().stream().map(o -> o.metric()).toList());
            return 0;
        }
    }

    @Command(name = "profiles", mixinStandardHelpOptions = true, description = "List the simulated hardware profiles and the sources of their numbers.")
    static final class Profiles implements Callable<Integer> {
        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @CommandLine.ParentCommand
        KompaktCli parent;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec commandSpec;

        @Override
        public Integer call() {
            var out = commandSpec.commandLine().getOut();
            out.printf("Sources cite \"hardware-profiles.md N.M\": section N.M of %s (in the evaluator jar: %s).%n"
                    + "Tags: %s.%n", ProfileRegistry.SOURCES_PATH, ProfileRegistry.SOURCES_RESOURCE.substring(1), ProfileRegistry.SOURCE_TAGS);
            for (HardwareProfile p : ProfileRegistry.load(profilesOption.profiles).all().values()) {
                out.printf("%s  %s%n    peak %.1f GFLOPS float x efficiency %.3f; %.1f GOPS int8 x %.3f%s; %.1f GB/s; %.1f us per kernel; "
                                + "energy %s; memory %,d bytes; %d cited anchor(s)%n",
                        p.id(), p.name(), p.peakGflopsFp32(), p.efficiency(), p.peakGopsInt8(), p.int8Efficiency(), p.int8Only() ? " (int8 only)" : "",
                        p.memoryBandwidthGBs(), p.dispatchOverheadUs(), p.energy().model(), p.memoryBytes(), p.anchors().size());
                p.sources().forEach((k, v) -> out.printf("    %s: %s%n", k, v));
            }
            return 0;
        }
    }

    @Command(name = "metrics", mixinStandardHelpOptions = true,
            description = "List the metrics candidates report (any of them can be an objective or a constraint): name, unit, better, meaning.")
    static final class Metrics implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec commandSpec;

        @Override
        public Integer call() {
            var out = commandSpec.commandLine().getOut();
            for (dev.kompakt.evaluator.Metrics.Metric m : dev.kompakt.evaluator.Metrics.all()) {
                out.printf("%-28s %-13s %-8s %s%n", m.pattern(), m.unit().label(),
                        m.better() == dev.kompakt.search.Direction.MAXIMIZE ? "higher" : "lower", m.description());
            }
            out.println("DEVICE is the id of a simulated device listed in the spec's devices (see `kompakt profiles`). Some plans also report "
                    + String.join(", ", new java.util.TreeSet<>(dev.kompakt.evaluator.Metrics.FAMILIES.keySet()))
                    + " (per layer or option; not objectives).");
            return 0;
        }
    }

    @Command(name = "bench", mixinStandardHelpOptions = true,
            description = "Benchmarks that print a table (not tests). onnx: float32 vs INT8 exports in ONNX Runtime at batch 1 "
                    + "and 64; host-latency: the host latency model's predictions against ONNX Runtime measurements; anchors: each simulated "
                    + "device against its cited anchor latencies; strategies: pruning, quantization and distillation on full Fashion-MNIST; "
                    + "large-data: a 4-trial search on a generated image folder larger than the heap (--data DIR, --gigabytes); "
                    + "nas: the joint architecture + compression search against compression only, at equal wall time (--minutes); "
                    + "training: candidate training throughput (samples/s, effective GFLOP/s) per network family (--samples, --batch, --tasks). "
                    + "The search-engine benchmarks (samplers, indicators, journal) are in the bench module: bin/kompakt bench samplers.")
    static final class Bench implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "onnx, host-latency, anchors, strategies, large-data, nas, training, inference, inherit, ask, scheduling or early-stopping")
        String name;

        @Option(names = "--data", description = "IDX data directory (default: the Debian full set if installed, else the bundled subset)")
        Path data;

        @Option(names = "--epochs", defaultValue = "3", description = "training epochs of the benchmarked baselines (default ${DEFAULT-VALUE})")
        int epochs;

        @Option(names = "--repeats", defaultValue = "2000", description = "timed runs per batch-1 cell (default ${DEFAULT-VALUE})")
        int repeats;

        @CommandLine.Mixin
        ProfilesOption profilesOption;

        @Option(names = "--seeds", defaultValue = "3", description = "seeds (strategies; default ${DEFAULT-VALUE})")
        int seeds;

        @Option(names = "--fine-tune-epochs", defaultValue = "3", description = "fine-tuning epochs (strategies; default ${DEFAULT-VALUE})")
        int fineTuneEpochs;

        @Option(names = "--student-epochs", defaultValue = "3", description = "student epochs (strategies; default ${DEFAULT-VALUE})")
        int studentEpochs;

        @Option(names = "--train", defaultValue = "0", description = "stratified training samples, 0 = all (strategies; default ${DEFAULT-VALUE})")
        int trainSamples;

        @Option(names = "--only", description = "run only these comma-separated sections: pruning, quantization, distillation (strategies; default: all)")
        String only;

        @Option(names = "--baselines", description = "directory where trained baselines are saved and reused by later runs with the same "
                + "seed, epochs and training size (strategies; default: train them every run)")
        Path baselines;

        @Option(names = "--gigabytes", defaultValue = "2", description = "size of the generated image folder (large-data; default ${DEFAULT-VALUE})")
        double gigabytes;

        @Option(names = "--minutes", defaultValue = "60", description = "wall time of each of the two searches (nas; default ${DEFAULT-VALUE})")
        double minutes;

        @Option(names = "--seed", defaultValue = "1", description = "the searches' seed (nas, inherit; default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--train-samples", defaultValue = "10000", description = "training samples per candidate (nas, inherit; default ${DEFAULT-VALUE})")
        int candidateSamples;

        @Option(names = "--candidate-epochs", defaultValue = "3", description = "epochs per candidate (nas, inherit; default ${DEFAULT-VALUE})")
        int candidateEpochs;

        @Option(names = "--supernet-epochs", defaultValue = "6", description = "epochs of each supernet (inherit; default ${DEFAULT-VALUE})")
        int supernetEpochs;

        @Option(names = "--trials", defaultValue = "200", description = "trials (scheduling; default ${DEFAULT-VALUE})")
        int trials;

        @Option(names = "--sleep-ms", defaultValue = "1000", description = "what each trial's task sleeps (scheduling; default ${DEFAULT-VALUE})")
        int sleepMs;

        @Option(names = "--queued", defaultValue = "0", description = "trials in flight beyond the cluster's slots (scheduling; default ${DEFAULT-VALUE})")
        int queued;

        @Option(names = "--candidates", defaultValue = "4", description = "random candidates per family (inherit; default ${DEFAULT-VALUE})")
        int candidates;

        @Option(names = "--baseline-epochs", defaultValue = "8", description = "epochs of the CNN baseline (nas; default ${DEFAULT-VALUE})")
        int baselineEpochs;

        @Option(names = "--samples", defaultValue = "1024", description = "samples per timed pass (training, inference; default ${DEFAULT-VALUE})")
        int samples;

        @Option(names = "--accuracy-train", defaultValue = "6000", description = "training samples of the accuracy comparison, 0 = none; "
                + "it trains --epochs epochs with --seeds seeds (training; default ${DEFAULT-VALUE})")
        int accuracyTrain;

        @Option(names = "--batch", defaultValue = "64", description = "minibatch size (training; default ${DEFAULT-VALUE})")
        int batch;

        @Option(names = "--tasks", defaultValue = "0", description = "trainings at once in the second configuration, 0 = one per core "
                + "(training; default ${DEFAULT-VALUE})")
        int tasks;

        @Option(names = "--networks", description = "comma-separated parts of network names to measure, e.g. probe,cnn (training; default: all)")
        String networks;

        @Option(names = "--issue-default", negatable = true, defaultValue = "true", fallbackValue = "true", description = "also measure the "
                + "issue's default (ND4J's avx2 build, DL4J's own layers) in a child JVM (training; default ${DEFAULT-VALUE})")
        boolean issueDefault;

        @Option(names = "--rule", defaultValue = "moasha", description = "search.earlyStopping.rule (early-stopping; default ${DEFAULT-VALUE})")
        String rule;

        @Option(names = "--min-epochs", defaultValue = "1", description = "search.earlyStopping.minEpochs (early-stopping; default ${DEFAULT-VALUE})")
        int minEpochs;

        @Option(names = "--reduction-factor", defaultValue = "3", description = "search.earlyStopping.reductionFactor (early-stopping; default ${DEFAULT-VALUE})")
        int reductionFactor;

        @Option(names = "--runs-dir", description = "where the runs go (nas, early-stopping; default runs/bench-<name>-<time>)")
        Path runsDir;

        @CommandLine.ParentCommand
        KompaktCli parent;

        /** --data, else the full Debian Fashion-MNIST when installed, else the bundled subset. */
        private Path fashionMnistDirectory() throws IOException {
            return data != null ? data : Files.isDirectory(dev.kompakt.evaluator.data.DatasetSource.DEBIAN_FASHION_MNIST)
                    ? dev.kompakt.evaluator.data.DatasetSource.DEBIAN_FASHION_MNIST : dev.kompakt.experiments.RunData.bundledData();
        }

        @Override
        public Integer call() throws Exception {
            if (name.equals("host-latency")) {
                dev.kompakt.experiments.bench.HostLatencyBenchmark.run(40, Math.max(100, repeats / 4), repeats, 7, parent.out);
                return 0;
            }
            if (name.equals("anchors")) {
                dev.kompakt.evaluator.hardware.AnchorBenchmark.printNetworks(parent.out);
                parent.out.println();
                var rows = dev.kompakt.evaluator.hardware.AnchorBenchmark.rows(ProfileRegistry.load(profilesOption.profiles));
                dev.kompakt.evaluator.hardware.AnchorBenchmark.print(parent.out, rows, true);
                parent.out.printf("%n%d of %d anchors within +-30%%; calibration anchors fit a profile's efficiency, check anchors are held out.%n",
                        rows.stream().filter(dev.kompakt.evaluator.hardware.AnchorBenchmark.Row::within).count(),
                        rows.stream().filter(dev.kompakt.evaluator.hardware.AnchorBenchmark.Row::hasPrediction).count());
                return 0;
            }
            if (name.equals("training")) {
                int t = tasks > 0 ? tasks : Runtime.getRuntime().availableProcessors();
                var bench = new dev.kompakt.experiments.bench.TrainingBenchmark.Settings(samples, batch, 3, t, seed, accuracyTrain, epochs, seeds,
                        networks, issueDefault);
                if (dev.kompakt.experiments.bench.TrainingBenchmark.networkNames().stream().noneMatch(bench::includes)) {
                    parent.out.flush();
                    System.err.println("kompakt: --networks " + networks + " matches no network; the networks are: "
                            + String.join(", ", dev.kompakt.experiments.bench.TrainingBenchmark.networkNames()));
                    return BAD_INPUT;
                }
                Path dir = fashionMnistDirectory();
                dev.kompakt.experiments.bench.TrainingBenchmark.run(bench, dev.kompakt.evaluator.data.DatasetSource.load("fashion-mnist", dir, 10),
                        parent.out);
                return 0;
            }
            if (name.equals("nas") && "onnx".equals(only)) {
                dev.kompakt.experiments.bench.NasBenchmark.onnxSpeed(parent.out);   // its last section alone (minutes, no searches)
                return 0;
            }
            if (name.equals("nas")) {
                Path dir = runsDir != null ? runsDir : Path.of("runs", "bench-nas-" + java.time.LocalDateTime.now().withNano(0).toString()
                        .replace(':', '-'));
                dev.kompakt.experiments.bench.NasBenchmark.run(new dev.kompakt.experiments.bench.NasBenchmark.Settings(minutes, seed,
                        candidateSamples, candidateEpochs, baselineEpochs, dir), parent.out);
                return 0;
            }
            if (name.equals("early-stopping")) {
                Path dir = runsDir != null ? runsDir : Path.of("runs", "bench-early-stopping-" + java.time.LocalDateTime.now().withNano(0).toString()
                        .replace(':', '-'));
                List<Long> seedList = new java.util.ArrayList<>();
                for (int i = 0; i < seeds; i++) {
                    seedList.add(seed + i);
                }
                dev.kompakt.experiments.bench.EarlyStoppingBenchmark.run(new dev.kompakt.experiments.bench.EarlyStoppingBenchmark.Settings(seedList,
                        trials, fineTuneEpochs, studentEpochs, rule, minEpochs, reductionFactor, dir, Path.of("experiments", "quickstart.yaml")), parent.out);
                return 0;
            }
            if (name.equals("scheduling")) {
                Path home = Files.createTempDirectory("kompakt-bench-scheduling");
                dev.kompakt.experiments.bench.SchedulingBenchmark.run(trials, sleepMs, 2, 2, queued, home, parent.out);
                return 0;
            }
            if (name.equals("inference")) {
                dev.kompakt.experiments.bench.InferenceBatchBenchmark.run(List.of(28, 64, 96), samples, parent.out);
                return 0;
            }
            if (name.equals("ask")) {
                dev.kompakt.experiments.bench.AskLatencyBenchmark.run(Path.of("experiments", "quickstart.yaml"), List.of(250, 500, 1000, 2000),
                        8, 40, seed, parent.out);
                dev.kompakt.experiments.bench.AskLatencyBenchmark.frontUpdates(Path.of("experiments", "quickstart.yaml"),
                        List.of(250, 1000, 2000, 10000), seed, parent.out);
                return 0;
            }
            if (name.equals("inherit")) {
                Path dir = fashionMnistDirectory();
                dev.kompakt.experiments.bench.InheritBenchmark.run(new dev.kompakt.experiments.bench.InheritBenchmark.Settings(candidateSamples,
                        candidateEpochs, supernetEpochs, candidates, batch, 3e-3, seed), dev.kompakt.evaluator.data.DatasetSource.load("fashion-mnist",
                        dir, 10), parent.out);
                return 0;
            }
            if (name.equals("large-data")) {
                if (data == null) {
                    throw new SpecException("bench", List.of("large-data needs --data DIR: where the image folder is generated (or was)"));
                }
                dev.kompakt.experiments.bench.LargeDataBenchmark.run(data, gigabytes, parent.out);
                return 0;
            }
            Path dir = fashionMnistDirectory();
            var splits = dev.kompakt.evaluator.data.DatasetSource.load("fashion-mnist", dir, 10);
            if (name.equals("onnx")) {
                dev.kompakt.experiments.bench.OnnxBenchmark.run(splits, epochs, Math.max(100, repeats / 4), repeats, parent.out);
                return 0;
            }
            if (name.equals("strategies")) {
                String unknown = only == null ? null : java.util.Arrays.stream(only.split(",")).map(String::trim)
                        .filter(x -> !dev.kompakt.experiments.bench.StrategiesBenchmark.SECTIONS.contains(x)).findFirst().orElse(null);
                if (unknown != null) {
                    throw new SpecException("bench", List.of("--only: unknown section '" + unknown + "' (known: "
                            + String.join(", ", dev.kompakt.experiments.bench.StrategiesBenchmark.SECTIONS) + ")"));
                }
                dev.kompakt.experiments.bench.StrategiesBenchmark.run(splits,
                        new dev.kompakt.experiments.bench.StrategiesBenchmark.Settings(seeds, epochs, fineTuneEpochs, studentEpochs, trainSamples, only,
                                baselines),
                        parent.out);
                return 0;
            }
            if (List.of("samplers", "indicators", "journal").contains(name)) {
                throw new SpecException("bench", List.of("'" + name + "' is a search-engine benchmark in the bench module; run it with "
                        + "bin/kompakt bench " + name));
            }
            throw new SpecException("bench", List.of("unknown benchmark '" + name + "' (known: onnx, host-latency, anchors, strategies, large-data, nas, training, inference, inherit, ask, scheduling, early-stopping; "
                    + "with bin/kompakt also samplers, indicators, journal)"));
        }
    }

    /** --profiles, shared by every command that resolves device names. */
    static final class ProfilesOption {
        @Option(names = "--profiles", description = "directory of extra hardware profile JSON files")
        Path profiles;
    }

    /** --serve [PORT], shared by search and resume. */
    static final class ServeOption {
        @Option(names = "--serve", arity = "0..1", fallbackValue = "0", paramLabel = "PORT",
                description = "also serve the report on http://127.0.0.1:PORT/ (this machine only) while the search runs; the page "
                        + "reloads itself as trials finish (no PORT or 0: a free port)")
        Integer port;

        /** The server, listening, or null without --serve. */
        ReportServer start() throws IOException {
            return port == null ? null : startServer("--serve", port);
        }

        /** After the search: keeps serving a few seconds, so that open pages load the final report. */
        void linger(ReportServer server, Path runDir, PrintStream out) {
            if (server == null) {
                return;
            }
            out.printf("serving the final report at %s for %d s more, so that open pages load it; then open %s, or run "
                    + "`kompakt serve %s`%n", server.address(), ReportServer.FINAL_LINGER.toSeconds(), runDir.resolve(RunFiles.REPORT), runDir);
            out.flush();
            try {
                Thread.sleep(ReportServer.FINAL_LINGER.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A report server on 127.0.0.1:{@code port}; a port out of range or in use is bad input (exit 2, nothing written). */
    static ReportServer startServer(String option, int port) throws IOException {
        if (port < 0 || port > 65535) {
            throw new SpecException(option, List.of("port must be 0 (a free port) to 65535, got " + port));
        }
        try {
            return ReportServer.start(port);
        } catch (java.net.BindException e) {
            throw new SpecException(option, List.of("port " + port + " on 127.0.0.1 cannot be used (" + e.getMessage()
                    + "): pick another, or 0 for a free one"));
        }
    }

    /** Where trials run: shared by search and resume. */
    static final class SparkOptions {
        @Option(names = "--master", description = "Spark master URL (default: local[*], or what spark-submit set), e.g. spark://host:7077")
        String master;

        @Option(names = "--jars", description = "comma-separated jars to ship to executors (for --master URLs of clusters)")
        String jars;
    }

    static void printSummary(PrintStream out, RunSummary run) {
        long complete = run.trials().stream().filter(t -> t.state() == TrialState.COMPLETE).count();
        long failed = run.trials().stream().filter(t -> t.state() == TrialState.FAILED).count();
        long interrupted = run.trials().stream().filter(t -> t.state() == TrialState.INTERRUPTED).count();
        out.printf("%d trials: %d complete, %d failed%s; Pareto front: %d points%n", run.trials().size(), complete, failed,
                interrupted > 0 ? ", " + interrupted + " interrupted (the infrastructure could not run them: `kompakt resume` runs them)" : "",
                run.front().size());
        StringBuilder header = new StringBuilder(String.format("%6s", "trial"));
        run.objectives().forEach(o -> header.append(String.format(" %16s", o.metric())));
        header.append(String.format(" %8s  %s", "ratio", "params"));
        out.println(header);
        Double baseAcc = run.baseline().get("accuracy");
        if (baseAcc != null) {
            StringBuilder row = new StringBuilder(String.format("%6s", "base"));
            run.objectives().forEach(o -> row.append(String.format(" %16.4f", run.baseline().getOrDefault(o.metric(), Double.NaN))));
            out.println(row.append(String.format(" %7.1fx", 1.0)));
        }
        for (Trial t : run.front()) {
            StringBuilder row = new StringBuilder(String.format("%6d", t.number()));
            run.objectives().forEach(o -> row.append(String.format(" %16.4f", t.metric(o.metric()))));
            Double ratio = t.metric("compression_ratio");
            row.append(String.format(" %7.1fx  %s", ratio == null ? Double.NaN : ratio, t.assignment().values()));
            out.println(row);
        }
    }

    /** Version from the build. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return dev.kompakt.experiments.Provenance.versionsLines();
        }
    }
}
