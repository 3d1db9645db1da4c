package dev.kompakt.experiments.spec;

import dev.kompakt.evaluator.CandidateEvaluator;
import dev.kompakt.evaluator.TrainingBudget;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.kompakt.evaluator.Metrics;
import dev.kompakt.evaluator.net.Architecture;
import dev.kompakt.evaluator.net.NetworkFactory;
import dev.kompakt.search.Constraint;
import dev.kompakt.search.Direction;
import dev.kompakt.search.Objective;
import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.strategies.Option;
import dev.kompakt.strategies.distillation.DistillationStrategy;
import dev.kompakt.strategies.architecture.ArchitectureStrategy;
import dev.kompakt.strategies.architecture.Families;
import dev.kompakt.strategies.plan.CompressionSpace;
import dev.kompakt.strategies.pruning.PruningStrategy;
import dev.kompakt.strategies.pruning.RegularizationStrategy;
import dev.kompakt.strategies.pruning.StudentStrategy;
import dev.kompakt.strategies.quantization.QuantizationStrategy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads and validates an experiment spec. Every problem is collected with its field path (for example
 * {@code budget.trials: must be >= 1, got 0}) and all are thrown together in one {@link SpecException};
 * unknown fields are problems too, so typos do not pass silently. Relative paths are resolved against the
 * spec file's directory.
 */
public final class SpecLoader {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /**
     * The longest spec name: it names the run directory, and file systems allow 255 bytes per name; 100 leaves room for
     * the {@code -2}, {@code -3} suffixes and for tools that add their own.
     */
    public static final int MAX_NAME_LENGTH = 100;
    /** Sampler names a spec may use ({@code search.sampler}), and the default. */
    public static final List<String> SAMPLERS = List.of("motpe", "nsga2", "random", "sobol");
    /** MO-TPE: ahead of NSGA-II in {@code bench samplers} at 200 evaluations and on the quickstart (two seeds). */
    public static final String DEFAULT_SAMPLER = "motpe";

    private final List<String> problems = new ArrayList<>();
    /** Each objective's and constraint's field path and metric, checked against the execution settings at the end. */
    private final List<String[]> metricUses = new ArrayList<>();
    private final Path baseDir;
    private final boolean checkFiles;

    private SpecLoader(Path baseDir, boolean checkFiles) {
        this.baseDir = baseDir;
        this.checkFiles = checkFiles;
    }

    /** Loads a spec file; {@code knownDevices} are the hardware profile ids that objectives may name. */
    public static ExperimentSpec load(Path file, Set<String> knownDevices) throws IOException {
        return parse(read(file), file.toString(), file.toAbsolutePath().getParent(), knownDevices, true);
    }

    /**
     * The text of a spec file, which must be UTF-8: a byte that is not is a {@link SpecException} naming the file, the
     * byte's offset and its line.
     */
    public static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new SpecException(file.toString(), List.of("spec file not found"));
        }
        return utf8(Files.readAllBytes(file), file.toString());
    }

    static String utf8(byte[] bytes, String source) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);   // UTF-8 never decodes to more chars than it has bytes
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int offset = in.position();
            int line = 1;
            for (int i = 0; i < offset; i++) {
                if (bytes[i] == '\n') {
                    line++;
                }
            }
            throw new SpecException(source, List.of(String.format(Locale.ROOT, "not UTF-8: byte %d (0x%02X, line %d) is not valid UTF-8;"
                    + " Kompakt reads specs as UTF-8 (save the file as UTF-8)", offset, bytes[offset] & 0xff, line)));
        }
        out.flip();
        return out.toString();
    }

    /**
     * Loads the copy of a spec kept in a run directory ({@code spec.yaml}), to re-render the run's results. Its
     * relative data.path and baseline.model were relative to the original spec's directory, not the run
     * directory, and re-rendering needs neither, so whether they exist is not checked.
     */
    public static ExperimentSpec loadRunCopy(Path file, Set<String> knownDevices) throws IOException {
        return parse(read(file), file.toString(), file.toAbsolutePath().getParent(), knownDevices, false);
    }

    public static ExperimentSpec parse(String yaml, String source, Path baseDir, Set<String> knownDevices) {
        return parse(yaml, source, baseDir, knownDevices, true);
    }

    private static ExperimentSpec parse(String yaml, String source, Path baseDir, Set<String> knownDevices, boolean checkFiles) {
        JsonNode root;
        try (JsonParser parser = YAML.createParser(yaml)) {
            root = YAML.readTree(parser);
            if (root != null && parser.nextToken() != null) {
                throw new SpecException(source, List.of("a second YAML document (after a '---') starts at line "
                        + parser.currentTokenLocation().getLineNr() + "; a spec is exactly one document (put each spec in its own file)"));
            }
        } catch (JsonProcessingException e) {
            throw new SpecException(source, List.of(yamlProblem(e)));
        } catch (IOException e) {
            throw new SpecException(source, List.of("not valid YAML: " + e.getMessage()));
        }
        if (root == null || !root.isObject()) {
            throw new SpecException(source, List.of("the spec must be a YAML mapping of fields"));
        }
        SpecLoader l = new SpecLoader(baseDir, checkFiles);
        ExperimentSpec spec = l.spec(root, knownDevices);
        if (!l.problems.isEmpty()) {
            throw new SpecException(source, l.problems);
        }
        return spec;
    }

    /**
     * A YAML syntax error with its line; a number YAML writes but a spec does not take ({@code .nan}, {@code .inf}) with
     * the field path of the value.
     */
    private static String yamlProblem(JsonProcessingException e) {
        String path = "";
        if (e.getProcessor() instanceof JsonParser p && p.getParsingContext() != null) {
            path = fieldPath(p.getParsingContext());
        }
        String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
        String message = e.getOriginalMessage();
        java.util.regex.Matcher number = Pattern.compile("Malformed numeric value '([^']*)'").matcher(message == null ? "" : message);
        if (number.find()) {
            String v = number.group(1);
            String lower = v.toLowerCase(Locale.ROOT);
            String what = lower.contains("nan") || lower.contains("inf") ? "must be a finite number, got " + v : "not a number: " + v;
            return (path.isEmpty() ? "" : path + ": ") + what + line;
        }
        // a syntax error: the parser's place is where it noticed, not necessarily the field at fault, so the line says where
        return "not valid YAML: " + message + line;
    }

    /** {@code search.objectives[1].metric} for the parser's place in the document. */
    static String fieldPath(JsonStreamContext context) {
        List<String> parts = new ArrayList<>();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                parts.add(0, "[" + Math.max(0, c.getCurrentIndex()) + "]");
            } else if (c.getCurrentName() != null) {
                parts.add(0, "." + c.getCurrentName());
            }
        }
        String path = String.join("", parts);
        return path.startsWith(".") ? path.substring(1) : path;
    }

    private ExperimentSpec spec(JsonNode root, Set<String> knownDevices) {
        known(root, "", "schemaVersion", "name", "seed", "data", "baseline", "strategies", "budget", "search", "devices", "execution");
        int version = integer(root, "", "schemaVersion", null, 1, Integer.MAX_VALUE);
        if (version != ExperimentSpec.SCHEMA_VERSION && root.has("schemaVersion") && root.get("schemaVersion").isInt()) {
            problem("schemaVersion", "this Kompakt reads schemaVersion " + ExperimentSpec.SCHEMA_VERSION + ", got " + version);
        }
        String name = string(root, "", "name", null);
        if (name != null && name.length() > MAX_NAME_LENGTH) {
            problem("name", "must be at most " + MAX_NAME_LENGTH + " characters (it names the run directory, and file systems allow 255"
                    + " bytes per name, with room for the -2, -3 suffixes), got " + name.length() + " characters: '"
                    + name.substring(0, 20) + "...'");
        } else if (name != null && !NAME.matcher(name).matches()) {
            problem("name", "must be letters, digits, '.', '_' or '-' (it names the run directory), got '" + name + "'");
        }
        long seed = integer(root, "", "seed", 42, Integer.MIN_VALUE, Integer.MAX_VALUE);

        List<String> devices = new ArrayList<>();
        JsonNode devNode = root.path("devices");
        if (!devNode.isMissingNode()) {
            if (!devNode.isArray()) {
                problem("devices", "must be a list of hardware profile ids, e.g. [rpi4]");
            } else {
                for (int i = 0; i < devNode.size(); i++) {
                    String d = devNode.get(i).asText();
                    if (!devNode.get(i).isTextual()) {
                        problem("devices[" + i + "]", "must be a hardware profile id such as rpi4, got " + describe(devNode.get(i)));
                    } else if (!knownDevices.contains(d)) {
                        problem("devices[" + i + "]", "unknown hardware profile '" + d + "' (known: " + String.join(", ", new java.util.TreeSet<>(knownDevices)) + ")");
                    } else if (devices.contains(d)) {
                        problem("devices[" + i + "]", "'" + d + "' is listed twice");
                    } else {
                        devices.add(d);
                    }
                }
            }
        } else {
            devices.add("rpi4");
        }

        ExperimentSpec.Data data = data(object(root, "", "data", true));
        ExperimentSpec.Baseline baseline = baseline(object(root, "", "baseline", true));
        if (data.format().equals("csv") && baseline.model() == null && "cnn".equalsIgnoreCase(baseline.architecture())) {
            problem("baseline.architecture", "cnn needs images, but data.format csv holds table rows; use mlp (or give baseline.model)");
        }
        CompressionSpace.Ranges strategies = strategies(object(root, "", "strategies", true), baseline.architecture(), baseline.model() != null);
        if (strategies.architecture() != null && !strategies.architecture().baselineOnly() && data.format().equals("csv")) {
            problem("strategies.architecture.families", "the built families are convolutional networks for images, but data.format csv holds"
                    + " table rows; keep only baseline");
        }
        ExperimentSpec.Budget budget = budget(object(root, "", "budget", true));
        ArchitectureStrategy.Range arch = strategies.architecture();
        if (arch != null && arch.inits().contains(ArchitectureStrategy.Init.INHERIT) && !supernetEpochsGiven) {
            strategies = new CompressionSpace.Ranges(new ArchitectureStrategy.Range(arch.families(), arch.minDepth(), arch.maxDepth(), arch.widths(),
                    arch.kernels(), arch.expansions(), arch.se(), arch.activations(), arch.resolutions(), arch.compound(), arch.inits(),
                    2 * budget.studentEpochs()), strategies.student(), strategies.pruning(), strategies.regularization(), strategies.quantization(),
                    strategies.distillation());
        }
        ExperimentSpec.Search search = search(object(root, "", "search", true), devices);
        ExperimentSpec.EarlyStopping stopping = search.earlyStopping();
        int longest = Math.max(budget.fineTuneEpochs(), budget.studentEpochs());
        if (stopping.active()) {
            boolean median = stopping.rule().equals("median");
            int first = median ? Math.max(1, stopping.warmupEpochs()) : stopping.minEpochs();
            if (first >= longest) {
                problem("search.earlyStopping." + (median ? "warmupEpochs" : "minEpochs"), "no trial could stop: the first epoch judged is "
                        + first + ", and no trial trains more than " + longest + " epochs (budget.fineTuneEpochs, budget.studentEpochs); a"
                        + " trial is never stopped after its last epoch");
            }
            if (stopping.rule().equals("hyperband") && stopping.maxEpochs() > 0 && stopping.maxEpochs() < stopping.minEpochs()) {
                problem("search.earlyStopping.maxEpochs", "must be at least minEpochs (" + stopping.minEpochs() + "), got " + stopping.maxEpochs());
            }
        }
        ExperimentSpec.Execution execution = execution(object(root, "", "execution", false));
        for (String[] use : metricUses) {
            String why = unreportable(use[1], execution);
            if (why != null) {
                problem(use[0], why);
            }
        }
        return new ExperimentSpec(version, name, seed, data, baseline, strategies, budget, search, List.copyOf(devices), execution);
    }

    /**
     * A data section outside a spec (a recipe's {@code data}, in spec syntax without {@code path}) read from {@code dir}: the
     * same checks as a spec's {@code data}; every problem is a {@link SpecException} on {@code source} with its field path.
     */
    public static ExperimentSpec.Data data(JsonNode section, Path dir, String source) {
        if (section == null || !section.isObject()) {
            throw new SpecException(source, List.of("data: must be a mapping of fields (the spec's data section)"));
        }
        if (section.has("path")) {
            throw new SpecException(source, List.of("data.path: unknown field here (the data directory is given apart)"));
        }
        com.fasterxml.jackson.databind.node.ObjectNode n = section.deepCopy();
        n.put("path", dir.toAbsolutePath().toString());
        SpecLoader l = new SpecLoader(dir.toAbsolutePath(), true);
        ExperimentSpec.Data data = l.data(n);
        if (!l.problems.isEmpty()) {
            throw new SpecException(source, l.problems);
        }
        return data;
    }

    /** The data formats a spec may name ({@code data.format}). */
    public static final List<String> FORMATS = List.of("idx", "cifar10", "cifar100", "folder", "csv");

    private ExperimentSpec.Data data(JsonNode n) {
        String p = "data";
        known(n, p, "dataset", "format", "path", "trainSamples", "testSamples", "validationFraction", "image", "labelColumn", "labels",
                "normalization");
        String format = string(n, p, "format", "idx");
        if (format != null && !FORMATS.contains(format)) {
            problem(p + ".format", "must be idx, cifar10, cifar100, folder or csv, got '" + format + "'");
            format = "idx";
        }
        String dataset = string(n, p, "dataset", "fashion-mnist");
        if (dataset != null && !dataset.equals("fashion-mnist")) {
            problem(p + ".dataset", "names the built-in data, and only 'fashion-mnist' is built in, got '" + dataset
                    + "'; for your own data give data.format and data.path");
        }
        String path = string(n, p, "path", "");
        Path resolved = null;
        if (path != null && !path.isEmpty()) {
            resolved = baseDir.resolve(path).normalize();
            if (checkFiles && !Files.isDirectory(resolved)) {
                problem(p + ".path", "directory " + resolved + " does not exist");
            }
        } else if (format != null && !format.equals("idx")) {
            problem(p + ".path", "required for data.format " + format + ": the directory that holds the data");
        }
        int train = integer(n, p, "trainSamples", 60000, 10, Integer.MAX_VALUE);
        int test = integer(n, p, "testSamples", 10000, 10, Integer.MAX_VALUE);
        double validation = number(n, p, "validationFraction", ExperimentSpec.Data.DEFAULT_VALIDATION_FRACTION, 0.01, 0.5);
        DataShape image = null;
        JsonNode img = object(n, p, "image", false);
        if (n.has("image")) {
            String ip = p + ".image";
            known(img, ip, "height", "width", "channels");
            int h = integer(img, ip, "height", null, 4, 4096);
            int w = integer(img, ip, "width", null, 4, 4096);
            int c = integer(img, ip, "channels", 3, 1, 3);
            if (c == 2) {
                problem(ip + ".channels", "must be 1 (grey) or 3 (RGB), got 2");
            }
            if (h >= 4 && w >= 4 && (c == 1 || c == 3)) {
                image = DataShape.image(c, h, w);
            }
            if (!"folder".equals(format)) {
                problem(ip, "is for data.format folder (images are resized to it); " + format + " data has its own shape");
            }
        } else if ("folder".equals(format) && n.isObject()) {
            problem(p + ".image", "required for data.format folder: the size images are resized to, e.g. { height: 32, width: 32,"
                    + " channels: 3 }");
        }
        String labelColumn = string(n, p, "labelColumn", "label");
        if (n.has("labelColumn") && !"csv".equals(format)) {
            problem(p + ".labelColumn", "is for data.format csv");
        }
        String labels = string(n, p, "labels", "fine");
        if (labels != null && !labels.equals("fine") && !labels.equals("coarse")) {
            problem(p + ".labels", "must be fine or coarse, got '" + labels + "'");
        }
        if (n.has("labels") && !"cifar100".equals(format)) {
            problem(p + ".labels", "is for data.format cifar100 (its 100 fine or 20 coarse classes)");
        }
        String normalization = "none";
        List<Double> mean = List.of();
        List<Double> std = List.of();
        JsonNode norm = n.path("normalization");
        if (norm.isTextual()) {
            normalization = norm.asText();
            if (!normalization.equals("none") && !normalization.equals("fit")) {
                problem(p + ".normalization", "must be none, fit or { mean: [...], std: [...] }, got '" + normalization + "'");
            }
        } else if (norm.isObject()) {
            String np = p + ".normalization";
            known(norm, np, "mean", "std");
            normalization = "fixed";
            mean = numbers(norm, np, "mean");
            std = numbers(norm, np, "std");
            if (mean.size() != std.size()) {
                problem(np, "mean has " + mean.size() + " values and std " + std.size() + "; give one of each per channel");
            }
            for (int i = 0; i < std.size(); i++) {
                if (!(std.get(i) > 0) || Double.isInfinite(std.get(i))) {
                    problem(np + ".std[" + i + "]", "must be finite and > 0, got " + std.get(i));
                }
            }
        } else if (!norm.isMissingNode() && !norm.isNull()) {
            problem(p + ".normalization", "must be none, fit or { mean: [...], std: [...] }, got " + norm);
        }
        return new ExperimentSpec.Data(dataset, resolved, train, test, format, validation, image, labelColumn,
                "coarse".equals(labels), normalization, mean, std);
    }

    private ExperimentSpec.Baseline baseline(JsonNode n) {
        String p = "baseline";
        known(n, p, "architecture", "model", "epochs", "batchSize", "learningRate");
        String arch = string(n, p, "architecture", "cnn");
        if (arch != null && !Set.of("cnn", "mlp").contains(arch.toLowerCase(Locale.ROOT))) {
            problem(p + ".architecture", "must be cnn or mlp, got '" + arch + "'");
        }
        String model = string(n, p, "model", "");
        Path modelPath = null;
        if (model != null && !model.isEmpty()) {
            modelPath = baseDir.resolve(model).normalize();
            if (checkFiles && !Files.isRegularFile(modelPath)) {
                problem(p + ".model", "file " + modelPath + " does not exist");
            }
        }
        int epochs = integer(n, p, "epochs", 4, 1, 1000);
        int batch = integer(n, p, "batchSize", 64, 1, 100000);
        double lr = number(n, p, "learningRate", 2e-3, 1e-7, 10);
        return new ExperimentSpec.Baseline(arch, modelPath, epochs, batch, lr);
    }

    private CompressionSpace.Ranges strategies(JsonNode n, String architecture, boolean userModel) {
        String p = "strategies";
        known(n, p, "architecture", "student", "pruning", "quantization", "distillation");
        List<ArchitectureStrategy.Family> families = new ArrayList<>();  // the families listed, also when the section has problems
        ArchitectureStrategy.Range architectureRange = n.has("architecture") ? architecture(object(n, p, "architecture", false), families) : null;
        boolean builds = families.stream().anyMatch(f -> f != ArchitectureStrategy.Family.BASELINE);
        StudentStrategy.Range student = null;
        PruningStrategy.Range pruning = null;
        RegularizationStrategy.Range regularizationRange = null;
        QuantizationStrategy.Range quant = null;
        DistillationStrategy.Range distill = null;
        JsonNode s = object(n, p, "student", false);
        if (n.has("student")) {
            known(s, p + ".student", "widths", "init", "criteria");
            List<Double> widths = list(s, p + ".student", "widths", JsonNode::isNumber, JsonNode::asDouble, "numbers in (0, 1]");
            for (int i = 0; i < widths.size(); i++) {
                if (!(widths.get(i) > 0 && widths.get(i) <= 1)) {
                    problem(p + ".student.widths[" + i + "]", "must be in (0, 1] (a student narrows the baseline's own layers), got "
                            + widths.get(i));
                }
            }
            List<StudentStrategy.Init> init = options(s, p + ".student", "init", StudentStrategy.Init.class, StudentStrategy.Init.INHERIT);
            List<String> criteria = s.has("criteria") ? list(s, p + ".student", "criteria", JsonNode::isTextual, JsonNode::asText,
                    "'l1', 'l2', 'taylor' or 'random'") : List.of("l1");
            for (int i = 0; i < criteria.size(); i++) {
                if (criteria.get(i).equals("bn_scale")) {
                    // network slimming ranks by the scale of the batch normalisation after each layer; the search's students
                    // are built from the baseline's family, and neither family has batch normalisation
                    problem(p + ".student.criteria[" + i + "]", "bn_scale ranks channels by the scale (gamma) of the batch normalisation"
                            + " after each layer, and the " + (architecture == null ? "cnn" : architecture.toLowerCase(Locale.ROOT))
                            + " family has none; use l1, l2, taylor or random");
                    criteria = List.of("l1");
                } else if (!Set.of("l1", "l2", "taylor", "random").contains(criteria.get(i))) {
                    problem(p + ".student.criteria[" + i + "]", "must be l1, l2, taylor or random, got '" + criteria.get(i) + "'");
                    criteria = List.of("l1");
                }
            }
            List<StudentStrategy.Criterion> criterionOptions = criteria.stream().map(c -> Option.parse(StudentStrategy.Criterion.class, c)).toList();
            student = built(p + ".student", () -> new StudentStrategy.Range(widths, init, criterionOptions));
            if (n.has("architecture") && !families.contains(ArchitectureStrategy.Family.BASELINE)) {
                problem(p + ".student", "narrows the baseline's graph, but strategies.architecture.families has no baseline; add baseline"
                        + " there or drop the student strategy (the built families have widths of their own)");
                student = null;
            }
        }
        JsonNode pr = object(n, p, "pruning", false);
        if (n.has("pruning")) {
            known(pr, p + ".pruning", "minSparsity", "maxSparsity", "schedules", "allocation", "regularization", "minRegularizationStrength",
                    "maxRegularizationStrength");
            double lo = number(pr, p + ".pruning", "minSparsity", 0.0, 0.0, 0.99);
            double hi = number(pr, p + ".pruning", "maxSparsity", 0.9, 0.0, 0.99);
            if (lo > hi) {
                problem(p + ".pruning", "minSparsity " + lo + " is above maxSparsity " + hi);
            }
            List<PruningStrategy.Schedule> schedules = options(pr, p + ".pruning", "schedules", PruningStrategy.Schedule.class,
                    PruningStrategy.Schedule.ONESHOT);
            List<PruningStrategy.Allocation> allocation = options(pr, p + ".pruning", "allocation", PruningStrategy.Allocation.class,
                    PruningStrategy.Allocation.GLOBAL);
            String rp = p + ".pruning";
            List<RegularizationStrategy.Kind> regularization = options(pr, rp, "regularization", RegularizationStrategy.Kind.class,
                    RegularizationStrategy.Kind.NONE);
            double sLo = number(pr, rp, "minRegularizationStrength", RegularizationStrategy.DEFAULT_MIN_STRENGTH, 1e-8, 1e3);
            double sHi = number(pr, rp, "maxRegularizationStrength", RegularizationStrategy.DEFAULT_MAX_STRENGTH, 1e-8, 1e3);
            if (sLo > sHi) {
                problem(rp, "minRegularizationStrength " + sLo + " is above maxRegularizationStrength " + sHi);
            }
            if (regularization.equals(List.of(RegularizationStrategy.Kind.NONE))
                    && (pr.has("minRegularizationStrength") || pr.has("maxRegularizationStrength"))) {
                problem(rp, "a regularization strength is set but regularization lists only none; add l1 or group_lasso to regularization");
            }
            if (!(sLo > 0 && sLo <= sHi)) {
                sLo = RegularizationStrategy.DEFAULT_MIN_STRENGTH;
                sHi = RegularizationStrategy.DEFAULT_MAX_STRENGTH;
            }
            double strengthLo = sLo;
            double strengthHi = sHi;
            pruning = built(p + ".pruning", () -> new PruningStrategy.Range(lo, hi, schedules, allocation));
            regularizationRange = built(rp, () -> new RegularizationStrategy.Range(regularization, strengthLo, strengthHi));
        }
        JsonNode q = object(n, p, "quantization", false);
        if (n.has("quantization")) {
            known(q, p + ".quantization", "weightBits", "qat", "mixedPrecision", "calibrations", "biasCorrection", "activationBits");
            List<Integer> bits = list(q, p + ".quantization", "weightBits", JsonNode::isInt, JsonNode::asInt, "integers: 32 or 2..16");
            for (int i = 0; i < bits.size(); i++) {
                int b = bits.get(i);
                if (b != 32 && (b < 2 || b > 16)) {
                    problem(p + ".quantization.weightBits[" + i + "]", "must be 32 (float) or in [2, 16], got " + b);
                }
            }
            List<Boolean> qat = q.has("qat") ? list(q, p + ".quantization", "qat", JsonNode::isBoolean, JsonNode::asBoolean, "booleans: false, true")
                    : List.of();
            boolean mixed = bool(q, p + ".quantization", "mixedPrecision", false);
            if (mixed && bits.size() < 2) {
                problem(p + ".quantization.mixedPrecision", "needs at least two weightBits to mix, got " + bits);
            }
            if (mixed && builds) {
                problem(p + ".quantization.mixedPrecision", "gives each weight layer of the baseline its own bits, but an architecture"
                        + " search builds networks with other layers; use one weightBits for all (mixedPrecision: false)");
            }
            // one bit width per weight layer of the baseline's family (an unknown architecture is reported above)
            Architecture.Family family = architecture != null && architecture.equalsIgnoreCase("mlp") ? Architecture.Family.MLP
                    : Architecture.Family.CNN;
            String qp = p + ".quantization";
            List<QuantizationStrategy.CalibrationMethod> calibrations = options(q, qp, "calibrations",
                    QuantizationStrategy.CalibrationMethod.class, QuantizationStrategy.CalibrationMethod.MINMAX);
            List<Boolean> biasCorrection = q.has("biasCorrection") ? list(q, qp, "biasCorrection", JsonNode::isBoolean, JsonNode::asBoolean,
                    "booleans: false, true") : List.of();
            List<Integer> activationBits = q.has("activationBits") ? list(q, qp, "activationBits", JsonNode::isInt, JsonNode::asInt,
                    "integers: 32 or 2..8") : List.of(QuantizationStrategy.FLOAT);
            for (int i = 0; i < activationBits.size(); i++) {
                int b = activationBits.get(i);
                if (b != QuantizationStrategy.FLOAT && (b < 2 || b > 8)) {
                    problem(qp + ".activationBits[" + i + "]", "must be 32 (float) or in [2, 8], got " + b);
                    activationBits = List.of(QuantizationStrategy.FLOAT);
                }
            }
            boolean integerWeights = bits.stream().anyMatch(b -> b < 32);
            if (!biasCorrection.isEmpty() && !integerWeights) {
                problem(qp + ".biasCorrection", "corrects quantized weights, but weightBits " + bits + " has none below 32");
            }
            List<Integer> activations = activationBits;
            // the layers of a mixed-precision range are the baseline's, set when it is known (a user's model is not read here)
            quant = built(qp, () -> new QuantizationStrategy.Range(bits, qat, mixed && !userModel ? NetworkFactory.weightLayers(family)
                    : List.of(), calibrations, biasCorrection, activations, mixed));
        }
        JsonNode d = object(n, p, "distillation", false);
        if (n.has("distillation")) {
            String dp = p + ".distillation";
            known(d, dp, "minTemperature", "maxTemperature", "minAlpha", "maxAlpha", "kinds");
            double tLo = number(d, dp, "minTemperature", 1.0, 1.0, 100);
            double tHi = number(d, dp, "maxTemperature", 8.0, 1.0, 100);
            double aLo = number(d, dp, "minAlpha", 0.3, 0.0, 1.0);
            double aHi = number(d, dp, "maxAlpha", 0.9, 0.0, 1.0);
            if (tLo > tHi) {
                problem(dp, "minTemperature " + tLo + " is above maxTemperature " + tHi);
            }
            if (aLo > aHi) {
                problem(dp, "minAlpha " + aLo + " is above maxAlpha " + aHi);
            }
            List<DistillationStrategy.Kind> kinds = options(d, dp, "kinds", DistillationStrategy.Kind.class, DistillationStrategy.Kind.RESPONSE);
            if (builds && kinds.contains(DistillationStrategy.Kind.FEATURE)) {
                problem(dp + ".kinds", "feature distillation regresses a layer of the baseline's graph onto the teacher's; with an"
                        + " architecture search use response or relation");
            }
            distill = built(dp, () -> new DistillationStrategy.Range(tLo, Math.max(tLo, tHi), aLo, Math.max(aLo, aHi), kinds));
        }
        if (!n.has("architecture") && !n.has("student") && !n.has("pruning") && !n.has("quantization") && !n.has("distillation") && n.isObject()) {
            problem(p, "names no strategy; give at least one of architecture, student, pruning, quantization, distillation");
        }
        // a student without the baseline among the families was reported and dropped above
        return new CompressionSpace.Ranges(architectureRange, student, pruning, regularizationRange, quant, distill);
    }

    /** {@code strategies.architecture}: the families and the NAS space (README: "Architecture search"). */
    /** Whether strategies.architecture.supernetEpochs was given (else it is twice budget.studentEpochs). */
    private boolean supernetEpochsGiven;

    private ArchitectureStrategy.Range architecture(JsonNode n, List<ArchitectureStrategy.Family> listed) {
        String p = "strategies.architecture";
        known(n, p, "families", "minDepth", "maxDepth", "widths", "kernels", "expansions", "se", "activations", "resolutions", "compound",
                "init", "supernetEpochs");
        if (!n.has("families")) {
            problem(p + ".families", "required: a non-empty list of " + orList(Option.ids(ArchitectureStrategy.Family.class)));
        }
        List<ArchitectureStrategy.Family> families = options(n, p, "families", ArchitectureStrategy.Family.class, ArchitectureStrategy.Family.BASELINE);
        listed.addAll(families);
        boolean compound = n.has("compound");
        for (String perStage : List.of("minDepth", "maxDepth", "widths", "resolutions")) {
            if (compound && n.has(perStage)) {
                problem(p + "." + perStage, "compound scaling derives depths, widths and the resolution from phi; drop " + perStage
                        + " or compound");
            }
        }
        int minDepth = integer(n, p, "minDepth", 1, 1, 8);
        int maxDepth = integer(n, p, "maxDepth", 3, 1, 8);
        if (minDepth > maxDepth) {
            problem(p, "minDepth " + minDepth + " is above maxDepth " + maxDepth);
        }
        List<Double> widths = n.has("widths") ? list(n, p, "widths", JsonNode::isNumber, JsonNode::asDouble, "numbers in (0, 4]")
                : List.of(0.5, 0.75, 1.0);
        for (int i = 0; i < widths.size(); i++) {
            if (!(widths.get(i) > 0 && widths.get(i) <= 4)) {
                problem(p + ".widths[" + i + "]", "must be in (0, 4] (a multiplier of the family's channels), got " + widths.get(i));
            }
        }
        List<Integer> kernels = n.has("kernels") ? list(n, p, "kernels", JsonNode::isInt, JsonNode::asInt, "3, 5 or 7") : List.of(3, 5, 7);
        for (int i = 0; i < kernels.size(); i++) {
            if (!Set.of(3, 5, 7).contains(kernels.get(i))) {
                problem(p + ".kernels[" + i + "]", "must be 3, 5 or 7, got " + kernels.get(i));
            }
        }
        List<Integer> expansions = n.has("expansions") ? list(n, p, "expansions", JsonNode::isInt, JsonNode::asInt, "integers in [1, 8]")
                : List.of(2, 4, 6);
        for (int i = 0; i < expansions.size(); i++) {
            if (expansions.get(i) < 1 || expansions.get(i) > 8) {
                problem(p + ".expansions[" + i + "]", "must be in [1, 8], got " + expansions.get(i));
            }
        }
        List<Boolean> se = n.has("se") ? list(n, p, "se", JsonNode::isBoolean, JsonNode::asBoolean, "booleans: false, true")
                : List.of(false, true);
        List<ArchitectureStrategy.Act> activations = n.has("activations")
                ? options(n, p, "activations", ArchitectureStrategy.Act.class, ArchitectureStrategy.Act.RELU)
                : List.of(ArchitectureStrategy.Act.RELU, ArchitectureStrategy.Act.HARDSWISH);
        List<Integer> resolutions = n.has("resolutions") ? list(n, p, "resolutions", JsonNode::isInt, JsonNode::asInt,
                "input heights in pixels, " + Families.MIN_RESOLUTION + " to 1024") : List.of();
        for (int i = 0; i < resolutions.size(); i++) {
            if (resolutions.get(i) < Families.MIN_RESOLUTION || resolutions.get(i) > 1024) {
                problem(p + ".resolutions[" + i + "]", "must be in [" + Families.MIN_RESOLUTION + ", 1024] (three stride-2 stages need "
                        + Families.MIN_RESOLUTION + "), got " + resolutions.get(i));
            }
        }
        ArchitectureStrategy.Compound scaling = null;
        if (compound) {
            JsonNode c = object(n, p, "compound", false);
            known(c, p + ".compound", "minPhi", "maxPhi");
            double lo = number(c, p + ".compound", "minPhi", -1.0, -4, 4);
            double hi = number(c, p + ".compound", "maxPhi", 1.0, -4, 4);
            if (lo > hi) {
                problem(p + ".compound", "minPhi " + lo + " is above maxPhi " + hi);
            }
            scaling = built(p + ".compound", () -> new ArchitectureStrategy.Compound(lo, Math.max(lo, hi)));
        }
        ArchitectureStrategy.Compound cs = scaling;
        List<ArchitectureStrategy.Init> inits = n.has("init") ? options(n, p, "init", ArchitectureStrategy.Init.class, ArchitectureStrategy.Init.SCRATCH)
                : List.of(ArchitectureStrategy.Init.SCRATCH);
        boolean inherits = inits.contains(ArchitectureStrategy.Init.INHERIT);
        if (inherits && families.stream().noneMatch(ArchitectureStrategy.Init::offeredFor)) {
            problem(p + ".init", "inherit starts resnet, mobilenet and ghostnet networks from their family's trained supernet; the families "
                    + families.stream().map(ArchitectureStrategy.Family::id).toList() + " have none of them");
        }
        if (n.has("supernetEpochs") && !inherits) {
            problem(p + ".supernetEpochs", "trains the supernets that init inherit starts from; init has no inherit");
        }
        // default: twice the budget's studentEpochs (set when the budget is read)
        supernetEpochsGiven = n.has("supernetEpochs");
        int supernetEpochs = integer(n, p, "supernetEpochs", 1, 1, 1000);
        int dLo = Math.min(minDepth, maxDepth);
        return built(p, () -> new ArchitectureStrategy.Range(families, dLo, maxDepth, widths, kernels, expansions, se, activations,
                resolutions, cs, inits, inherits ? supernetEpochs : 1));
    }

    private ExperimentSpec.Budget budget(JsonNode n) {
        String p = "budget";
        known(n, p, "trials", "fineTuneEpochs", "studentEpochs", "trainSamples", "batchSize", "fineTuneLearningRate", "studentLearningRate",
                "learningRateSchedule", "augmentation", "maxMinutes");
        String schedule = string(n, p, "learningRateSchedule", "constant");
        TrainingBudget.Schedule kind = TrainingBudget.Schedule.CONSTANT;
        List<String> schedules = java.util.Arrays.stream(TrainingBudget.Schedule.values()).map(v -> v.name().toLowerCase(java.util.Locale.ROOT)).toList();
        if (schedule != null && !schedules.contains(schedule)) {
            problem(p + ".learningRateSchedule", "must be one of " + String.join(", ", schedules) + ", got '" + schedule + "'");
        } else if (schedule != null) {
            kind = TrainingBudget.Schedule.valueOf(schedule.toUpperCase(java.util.Locale.ROOT));
        }
        return new ExperimentSpec.Budget(
                integer(n, p, "trials", null, 1, 1_000_000),
                integer(n, p, "fineTuneEpochs", 1, 0, 1000),
                integer(n, p, "studentEpochs", 2, 1, 1000),
                integer(n, p, "trainSamples", 5000, 1, Integer.MAX_VALUE),
                integer(n, p, "batchSize", 64, 1, 100000),
                number(n, p, "fineTuneLearningRate", 5e-4, 1e-8, 10),
                number(n, p, "studentLearningRate", 3e-3, 1e-8, 10),
                number(n, p, "maxMinutes", 0.0, 0.0, 1e6),
                kind, augmentation(n.get("augmentation"), p + ".augmentation"));
    }

    /** {@code budget.augmentation: {flip: true|false, shift: pixels}}; absent = none. */
    private TrainingBudget.Augmentation augmentation(JsonNode n, String p) {
        if (n == null || n.isNull()) {
            return TrainingBudget.Augmentation.NONE;
        }
        if (!n.isObject()) {
            problem(p, "must be a mapping {flip: true|false, shift: pixels}, got " + n.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
            return TrainingBudget.Augmentation.NONE;
        }
        known(n, p, "flip", "shift");
        JsonNode flip = n.get("flip");
        if (flip != null && !flip.isBoolean()) {
            problem(p + ".flip", "must be true or false, got '" + flip.asText() + "'");
        }
        int shift = integer(n, p, "shift", 0, 0, 8);
        return new TrainingBudget.Augmentation(flip != null && flip.asBoolean(), shift);
    }

    private ExperimentSpec.Search search(JsonNode n, List<String> devices) {
        String p = "search";
        known(n, p, "sampler", "populationSize", "startupTrials", "warmStart", "objectives", "constraints", "earlyStopping");
        String sampler = string(n, p, "sampler", DEFAULT_SAMPLER);
        if (sampler != null && !SAMPLERS.contains(sampler)) {
            problem(p + ".sampler", "must be one of " + String.join(", ", SAMPLERS) + ", got '" + sampler + "'");
        }
        int population = integer(n, p, "populationSize", 8, 2, 100000);
        int startup = integer(n, p, "startupTrials", 10, 1, 100000);
        String warm = string(n, p, "warmStart", "");
        Path warmStart = null;
        if (warm != null && !warm.isEmpty()) {
            warmStart = baseDir.resolve(warm).normalize();
            if (checkFiles && !Files.isRegularFile(warmStart.resolve("trials.jsonl"))) {
                problem(p + ".warmStart", "not a run directory: " + warmStart.resolve("trials.jsonl") + " does not exist");
            }
        }
        List<Objective> objectives = new ArrayList<>();
        JsonNode objs = n.path("objectives");
        if (!objs.isArray() || objs.isEmpty()) {
            problem(p + ".objectives", "required: a non-empty list of {metric, direction}");
        } else {
            Set<String> seen = new LinkedHashSet<>();
            for (int i = 0; i < objs.size(); i++) {
                String op = p + ".objectives[" + i + "]";
                JsonNode o = objs.get(i);
                if (!o.isObject()) {
                    problem(op, "must be a map {metric: ..., direction: ...}, got " + describe(o));
                    continue;
                }
                known(o, op, "metric", "direction");
                String metric = metric(o, op, devices);
                String dir = string(o, op, "direction", null);
                Direction direction = null;
                if (dir != null) {
                    try {
                        direction = Direction.valueOf(dir.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        problem(op + ".direction", "must be minimize or maximize, got '" + dir + "'");
                    }
                }
                if (metric != null && !seen.add(metric)) {
                    problem(op + ".metric", "'" + metric + "' is already an objective");
                }
                if (metric != null && direction != null) {
                    objectives.add(new Objective(metric, direction));
                }
            }
        }
        List<Constraint> constraints = new ArrayList<>();
        JsonNode cons = n.path("constraints");
        if (!cons.isMissingNode() && !cons.isArray()) {
            problem(p + ".constraints", "must be a list of {metric, max}");
        } else {
            for (int i = 0; i < cons.size(); i++) {
                String cp = p + ".constraints[" + i + "]";
                JsonNode c = cons.get(i);
                if (!c.isObject()) {
                    problem(cp, "must be a map {metric: ..., max: ...}, got " + describe(c));
                    continue;
                }
                known(c, cp, "metric", "max");
                String metric = metric(c, cp, devices);
                double max = number(c, cp, "max", null, -Double.MAX_VALUE, Double.MAX_VALUE);
                if (metric != null && !Double.isNaN(max)) {
                    constraints.add(new Constraint(metric, max));
                }
            }
        }
        return new ExperimentSpec.Search(sampler, population, startup, warmStart, objectives, constraints,
                earlyStopping(object(n, p, "earlyStopping", false), objectives));
    }

    /**
     * {@code search.earlyStopping}. The rules judge epoch reports, which carry {@link CandidateEvaluator#EPOCH_METRICS}: a
     * rule that would judge a metric measured only when a trial ends (host latency) could never stop anything, so it is
     * refused, naming the metric.
     */
    private ExperimentSpec.EarlyStopping earlyStopping(JsonNode n, List<Objective> objectives) {
        String p = "search.earlyStopping";
        if (n.isMissingNode()) {
            return ExperimentSpec.EarlyStopping.NONE;
        }
        known(n, p, "rule", "minEpochs", "reductionFactor", "metric", "warmupEpochs", "minTrials", "maxEpochs");
        String rule = string(n, p, "rule", null);
        if (rule != null && !ExperimentSpec.EarlyStopping.RULES.contains(rule)) {
            problem(p + ".rule", "must be one of " + String.join(", ", ExperimentSpec.EarlyStopping.RULES) + ", got '" + rule + "'");
            rule = null;
        }
        ExperimentSpec.EarlyStopping d = ExperimentSpec.EarlyStopping.NONE;
        int minEpochs = integer(n, p, "minEpochs", d.minEpochs(), 1, 10000);
        int reduction = integer(n, p, "reductionFactor", d.reductionFactor(), 2, 100);
        String metric = string(n, p, "metric", d.metric());
        int warmup = integer(n, p, "warmupEpochs", d.warmupEpochs(), 0, 10000);
        int minTrials = integer(n, p, "minTrials", d.minTrials(), 1, 100000);
        int maxEpochs = integer(n, p, "maxEpochs", 0, 0, 10000);
        if (rule == null) {
            return d;
        }
        for (String f : List.of("minEpochs", "reductionFactor", "metric", "warmupEpochs", "minTrials", "maxEpochs")) {
            Set<String> usedBy = switch (f) {
                case "minEpochs", "reductionFactor" -> Set.of("asha", "hyperband", "moasha");
                case "metric" -> Set.of("median", "asha", "hyperband");
                case "warmupEpochs", "minTrials" -> Set.of("median");
                default -> Set.of("hyperband");
            };
            if (n.has(f) && !usedBy.contains(rule)) {
                problem(p + "." + f, "is not used by rule " + rule + " (it is for " + String.join(", ", new java.util.TreeSet<>(usedBy)) + ")");
            }
        }
        if (rule.equals("moasha")) {
            for (Objective o : objectives) {
                if (!CandidateEvaluator.reportedEachEpoch(o.metric())) {
                    problem(p + ".rule", notPerEpoch(o.metric(), "objective"));
                }
            }
        } else if (!rule.equals("none") && metric != null) {
            if (objectives.stream().noneMatch(o -> o.metric().equals(metric))) {
                problem(p + ".metric", "'" + metric + "' is not an objective (the rule judges one of search.objectives: "
                        + String.join(", ", objectives.stream().map(Objective::metric).toList()) + ")");
            } else if (!CandidateEvaluator.reportedEachEpoch(metric)) {
                problem(p + ".metric", notPerEpoch(metric, "metric"));
            }
        }
        return new ExperimentSpec.EarlyStopping(rule, minEpochs, reduction, metric, warmup, minTrials, maxEpochs);
    }

    private static String notPerEpoch(String metric, String what) {
        return "the " + what + " '" + metric + "' is measured once, when a trial's training has ended, so no rule can judge it after"
                + " an epoch; epoch reports carry " + String.join(", ", CandidateEvaluator.EPOCH_METRICS);
    }

    private String metric(JsonNode o, String path, List<String> devices) {
        String metric = string(o, path, "metric", null);
        if (metric == null) {
            return null;
        }
        java.util.Optional<Metrics.Metric> known = Metrics.of(metric);
        if (known.isEmpty()) {
            problem(path + ".metric", "unknown metric '" + metric + "' (known: " + String.join(", ", Metrics.all().stream()
                    .map(Metrics.Metric::pattern).toList()) + "; `kompakt metrics` describes each)");
            return null;
        }
        if (known.get().perDevice()) {
            String device = metric.substring(metric.indexOf('@') + 1);
            if (!devices.contains(device)) {
                problem(path + ".metric", "'" + metric + "' names device '" + device + "', which is not in devices " + devices);
                return null;
            }
        }
        metricUses.add(new String[] {path + ".metric", metric});
        return metric;
    }

    /**
     * Why no trial could report {@code metric} under these execution settings, or null when trials report it (see
     * {@code CandidateEvaluator.evaluate}: every metric is reported for every candidate except the ones named here).
     */
    static String unreportable(String metric, ExperimentSpec.Execution execution) {
        if (metric.equals("latency_batch_ms@host") && execution.latencyBatch() <= 0) {
            return "'latency_batch_ms@host' is measured only when execution.latencyBatch (the batch size it times) is > 0, and it is "
                    + execution.latencyBatch() + (execution.latencyBatch() == 0 ? " (the default)" : "")
                    + ": no trial could report it; set execution.latencyBatch, e.g. 32";
        }
        return null;
    }

    /** What a spec holds where a map was expected: {@code the string "accuracy"}, {@code the number 3}, {@code a list}. */
    private static String describe(JsonNode v) {
        if (v.isTextual()) {
            return "the string \"" + v.asText() + "\"";
        }
        if (v.isNumber()) {
            return "the number " + v.asText();
        }
        if (v.isBoolean()) {
            return v.asText();
        }
        if (v.isArray()) {
            return "a list " + v;
        }
        if (v.isNull()) {
            return "nothing (an empty entry)";
        }
        return v.toString();
    }

    private ExperimentSpec.Execution execution(JsonNode n) {
        String p = "execution";
        known(n, p, "maxInFlight", "latencyWarmup", "latencyRepeats", "latencyBatch", "intraOpThreads", "trialTimeout");
        return new ExperimentSpec.Execution(
                integer(n, p, "maxInFlight", 0, 0, 100000),
                integer(n, p, "latencyWarmup", 50, 0, 1_000_000),
                integer(n, p, "latencyRepeats", 200, 1, 1_000_000),
                integer(n, p, "latencyBatch", 0, 0, 100_000),
                integer(n, p, "intraOpThreads", 1, 1, 1024),
                duration(n, p, "trialTimeout"));
    }

    /** A duration: a number of seconds, or a string of a number and a unit s, m or h ({@code 90s}, {@code 30m}, {@code 1.5h}); absent = null. */
    private java.time.Duration duration(JsonNode n, String path, String field) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return null;
        }
        double seconds = Double.NaN;
        if (v.isNumber()) {
            seconds = v.asDouble();
        } else if (v.isTextual()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\s*([0-9]+(?:\\.[0-9]+)?)\\s*([smh])\\s*").matcher(v.asText());
            if (m.matches()) {
                seconds = Double.parseDouble(m.group(1)) * switch (m.group(2)) {
                    case "m" -> 60;
                    case "h" -> 3600;
                    default -> 1;
                };
            }
        }
        if (!(seconds >= 1 && seconds <= 30 * 86400)) {
            problem(at(path, field), "must be a duration of 1 s to 30 days: seconds, or a number with s, m or h (90s, 30m, 1.5h), got "
                    + describe(v));
            return null;
        }
        return java.time.Duration.ofMillis(Math.round(seconds * 1000));
    }

    // ---- field helpers: each records a problem and returns a harmless default instead of throwing ----

    private void problem(String path, String message) {
        problems.add(path + ": " + message);
    }

    private static String at(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    private void known(JsonNode n, String path, String... fields) {
        if (!n.isObject()) {
            return;
        }
        Set<String> allowed = Set.of(fields);
        for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!allowed.contains(f)) {
                problem(at(path, f), "unknown field (allowed here: " + String.join(", ", fields) + ")");
            }
        }
    }

    private JsonNode object(JsonNode parent, String path, String field, boolean required) {
        JsonNode n = parent.path(field);
        if (n.isMissingNode() || n.isNull()) {
            if (required) {
                problem(at(path, field), "required section is missing");
            }
            return MissingNode.getInstance();
        }
        if (!n.isObject()) {
            problem(at(path, field), "must be a mapping of fields");
            return MissingNode.getInstance();
        }
        return n;
    }

    private String string(JsonNode n, String path, String field, String def) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            if (def == null && (n.isObject() || path.isEmpty())) {
                problem(at(path, field), "required field is missing");
            }
            return def;
        }
        if (!v.isTextual()) {
            problem(at(path, field), "must be a string, got " + v);
            return def;
        }
        return v.asText();
    }

    private boolean bool(JsonNode n, String path, String field, boolean def) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            return def;
        }
        if (!v.isBoolean()) {
            problem(at(path, field), "must be true or false, got " + v);
            return def;
        }
        return v.asBoolean();
    }

    private int integer(JsonNode n, String path, String field, Integer def, int min, int max) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            if (def == null) {
                if (n.isObject() || path.isEmpty()) {
                    problem(at(path, field), "required field is missing");
                }
                return min;
            }
            return def;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            problem(at(path, field), "must be an integer, got " + v);
            return def == null ? min : def;
        }
        int x = v.asInt();
        if (x < min || x > max) {
            problem(at(path, field), "must be " + range(min, max) + ", got " + x);
        }
        return x;
    }

    private double number(JsonNode n, String path, String field, Double def, double min, double max) {
        JsonNode v = n.path(field);
        if (v.isMissingNode() || v.isNull()) {
            if (def == null) {
                if (n.isObject()) {
                    problem(at(path, field), "required field is missing");
                }
                return Double.NaN;
            }
            return def;
        }
        if (!v.isNumber()) {
            problem(at(path, field), "must be a number, got " + v);
            return def == null ? Double.NaN : def;
        }
        double x = v.asDouble();
        if (!(x >= min && x <= max)) {
            problem(at(path, field), "must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    /**
     * The names listed in {@code field}, each one of {@code allowed}; {@code fallback} when the field is absent, and
     * after reporting the first name that is not allowed ("must be {@code mustBe}, got '...'").
     */
    private List<String> names(JsonNode n, String path, String field, java.util.Collection<String> allowed, String what, String mustBe,
                               List<String> fallback) {
        if (!n.has(field)) {
            return fallback;
        }
        List<String> names = list(n, path, field, JsonNode::isTextual, JsonNode::asText, what);
        for (int i = 0; i < names.size(); i++) {
            if (!allowed.contains(names.get(i))) {
                problem(at(path, field) + "[" + i + "]", "must be " + mustBe + ", got '" + names.get(i) + "'");
                return fallback;
            }
        }
        return names;
    }

    /** A non-empty list of numbers, one per channel (repeats allowed, unlike {@link #list}). */
    private List<Double> numbers(JsonNode n, String path, String field) {
        JsonNode v = n.path(field);
        List<Double> out = new ArrayList<>();
        if (!v.isArray() || v.isEmpty()) {
            problem(at(path, field), "required: a non-empty list of numbers, one per channel");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isNumber()) {
                problem(at(path, field) + "[" + i + "]", "must be a number, got " + v.get(i));
            } else {
                out.add(v.get(i).asDouble());
            }
        }
        return out;
    }

    /**
     * A strategy's range, or null when its fields are not valid: the problem is then reported under {@code path} unless
     * an earlier check of those fields reported it already.
     */
    private <T> T built(String path, java.util.function.Supplier<T> range) {
        try {
            return range.get();
        } catch (IllegalArgumentException e) {
            if (problems.isEmpty()) {
                problem(path, e.getMessage());
            }
            return null;
        }
    }

    /**
     * The options of {@code type} listed under {@code field} (by their ids), {@code fallback} alone when the field is
     * absent or names an unknown option (which is reported).
     */
    private <E extends Enum<E> & Option> List<E> options(JsonNode n, String path, String field, Class<E> type, E fallback) {
        List<String> ids = Option.ids(type);
        String quoted = orList(ids.stream().map(id -> "'" + id + "'").toList());
        List<String> names = names(n, path, field, ids, quoted, orList(ids), List.of(fallback.id()));
        return names.stream().map(id -> Option.parse(type, id)).toList();
    }

    /** "a, b or c". */
    private static String orList(List<String> items) {
        return items.size() == 1 ? items.get(0)
                : String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.get(items.size() - 1);
    }

    private <T> List<T> list(JsonNode n, String path, String field, java.util.function.Predicate<JsonNode> ok,
                             Function<JsonNode, T> value, String what) {
        JsonNode v = n.path(field);
        List<T> out = new ArrayList<>();
        if (!v.isArray() || v.isEmpty()) {
            problem(at(path, field), "required: a non-empty list of " + what);
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            if (!ok.test(v.get(i))) {
                problem(at(path, field) + "[" + i + "]", "must be one of " + what + ", got " + v.get(i));
            } else if (out.contains(value.apply(v.get(i)))) {
                problem(at(path, field) + "[" + i + "]", v.get(i) + " is listed twice");
            } else {
                out.add(value.apply(v.get(i)));
            }
        }
        return out;
    }

    private static String range(int min, int max) {
        if (max == Integer.MAX_VALUE || max >= 1_000_000) {
            return ">= " + min;
        }
        return "in [" + min + ", " + max + "]";
    }
}
