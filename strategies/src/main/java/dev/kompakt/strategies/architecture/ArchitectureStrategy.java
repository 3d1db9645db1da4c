package dev.kompakt.strategies.architecture;

import com.fasterxml.jackson.annotation.JsonIgnore;
import org.deeplearning4j.nn.graph.ComputationGraph;
import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.SearchSpace;
import dev.kompakt.strategies.CandidateBuild;
import dev.kompakt.strategies.CompressionStrategy;
import dev.kompakt.strategies.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The architecture half of the search: which network a candidate is. {@code baseline} keeps the baseline's own graph
 * (the other strategies narrow, prune, quantize and distil it); any other family builds a fresh network of that family
 * ({@link Families}) at the plan's input resolution, trained from scratch for the budget's student epochs (distilled
 * from the baseline when the distillation strategy says so), then compressed like any candidate.
 *
 * <p>Two parametrisations of the same plan:
 * <ul>
 *   <li><b>per stage</b> (the default): {@code arch.s<i>.depth}, {@code arch.s<i>.width} (multiplier of the family's
 *       channels), {@code arch.s<i>.kernel}, and for the inverted-residual and ghost families {@code arch.s<i>.expansion}
 *       and {@code arch.s<i>.se}; plus {@code arch.activation} and {@code arch.resolution} (input height in pixels);</li>
 *   <li><b>compound scaling</b> (Tan and Le 2019): one coefficient {@code arch.phi} scales every stage's base depth by
 *       {@value #ALPHA}^phi, every width by {@value #BETA}^phi and the data's resolution by {@value #GAMMA}^phi (the
 *       constants of EfficientNet-B0's grid search); kernels, expansions and SE stay per stage.</li>
 * </ul>
 * Every parameter but {@code arch.family} is active only for the families it applies to (no expansion ratio for ResNet
 * blocks, nothing for {@code baseline}).
 */
public final class ArchitectureStrategy implements CompressionStrategy<ArchitectureStrategy.Range, ArchitectureStrategy.Plan> {
    public static final String FAMILY = "arch.family";
    public static final String ACTIVATION = "arch.activation";
    public static final String RESOLUTION = "arch.resolution";
    public static final String PHI = "arch.phi";
    public static final String INIT = "arch.init";
    /** Stages of every built-in family. */
    public static final int STAGES = 3;
    /** Compound scaling's depth, width and resolution bases (EfficientNet-B0: alpha 1.2, beta 1.1, gamma 1.15). */
    public static final double ALPHA = 1.2;
    public static final double BETA = 1.1;
    public static final double GAMMA = 1.15;

    /** A network family. */
    public enum Family implements Option {
        /** The baseline's own graph. */
        BASELINE("baseline"),
        /** ResNet basic blocks (He et al. 2016). */
        RESNET("resnet"),
        /** MobileNetV2 inverted residuals with MobileNetV3's squeeze-excitation (Sandler et al. 2018, Howard et al. 2019). */
        MOBILENET("mobilenet"),
        /** GhostNet bottlenecks of ghost modules (Han et al. 2020). */
        GHOSTNET("ghostnet"),
        /** ShuffleNetV2 units: channel split, channel shuffle (Ma et al. 2018). */
        SHUFFLENET("shufflenet");

        private final String id;

        Family(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        /** Whether its blocks have an expansion ratio and optional squeeze-excitation. */
        public boolean expands() {
            return this == MOBILENET || this == GHOSTNET;
        }
    }

    /** The non-linearity of a built network's hidden layers. */
    public enum Act implements Option {
        RELU("relu"),
        /** {@code x * relu6(x + 3) / 6}, MobileNetV3's. */
        HARDSWISH("hardswish");

        private final String id;

        Act(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }
    }

    /** How a built network's weights start. */
    public enum Init implements Option {
        /** Random (seeded by the trial). */
        SCRATCH("scratch"),
        /**
         * The weights of the family's trained supernet, the largest network of the space ({@link WeightInheritance},
         * Once-for-All). Not for ShuffleNet: its channel split and shuffle interleave channels, so the halves of a narrower
         * unit are not halves of the wider one's.
         */
        INHERIT("inherit");

        private final String id;

        Init(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        /** Whether candidates of {@code family} can start from its supernet. */
        public static boolean offeredFor(Family family) {
            return family == Family.RESNET || family == Family.MOBILENET || family == Family.GHOSTNET;
        }
    }

    /**
     * The network a family's candidates inherit from (see {@link Init#INHERIT}): trained once per executor JVM on the
     * budget's training samples for {@code epochs} epochs at its own input resolution, seeded by its description.
     */
    public record Supernet(Plan plan, int epochs) {
        public Supernet {
            if (plan == null || plan.isBaseline() || epochs < 1) {
                throw new IllegalArgumentException("a supernet is a built family's plan trained for >= 1 epoch, got " + plan + ", " + epochs);
            }
        }

        /** A key naming its network and training (for caches and logs). */
        public String describe() {
            return plan.describe() + ", " + epochs + " epoch" + (epochs == 1 ? "" : "s");
        }
    }

    /** Compound scaling: {@code arch.phi} in [minPhi, maxPhi] instead of per-stage depths and widths and a resolution list. */
    public record Compound(double minPhi, double maxPhi) {
        public Compound {
            if (!(minPhi >= -4 && minPhi <= maxPhi && maxPhi <= 4)) {
                throw new IllegalArgumentException("compound scaling needs -4 <= minPhi <= maxPhi <= 4, got [" + minPhi + ", " + maxPhi + "]");
            }
        }
    }

    /**
     * What the spec lets the search choose. Lists of one value fix that value.
     *
     * @param families    families to choose from; {@code baseline} keeps the baseline's graph (the student strategy then applies)
     * @param minDepth    fewest blocks per stage (per-stage mode)
     * @param maxDepth    most blocks per stage (per-stage mode)
     * @param widths      multipliers of each family's stage channels (per-stage mode)
     * @param kernels     depthwise (or, for ResNet, every) convolution kernels: 3, 5 or 7
     * @param expansions  expansion ratios of inverted-residual and ghost blocks
     * @param se          whether a stage's blocks have squeeze-excitation (inverted-residual and ghost blocks)
     * @param activations hidden non-linearities
     * @param resolutions input heights in pixels (the width scaled alike); empty = the data's own (per-stage mode)
     * @param compound    compound scaling instead of depths, widths and resolutions; null = per stage
     * @param inits       how built networks start ({@link Init}); inherit applies to the families {@link Init#offeredFor} says
     * @param supernetEpochs epochs of each supernet's training (when inherit is among the inits)
     */
    public record Range(List<Family> families, int minDepth, int maxDepth, List<Double> widths, List<Integer> kernels,
                        List<Integer> expansions, List<Boolean> se, List<Act> activations, List<Integer> resolutions,
                        Compound compound, List<Init> inits, int supernetEpochs) {
        /** Built networks from scratch only. */
        public Range(List<Family> families, int minDepth, int maxDepth, List<Double> widths, List<Integer> kernels,
                     List<Integer> expansions, List<Boolean> se, List<Act> activations, List<Integer> resolutions, Compound compound) {
            this(families, minDepth, maxDepth, widths, kernels, expansions, se, activations, resolutions, compound, List.of(Init.SCRATCH), 1);
        }

        public Range {
            families = List.copyOf(families);
            inits = inits == null || inits.isEmpty() ? List.of(Init.SCRATCH) : List.copyOf(inits);
            if (inits.contains(Init.INHERIT) && supernetEpochs < 1) {
                throw new IllegalArgumentException("architecture supernetEpochs must be >= 1, got " + supernetEpochs);
            }
            if (families.isEmpty()) {
                throw new IllegalArgumentException("architecture families: name at least one");
            }
            if (!(minDepth >= 1 && minDepth <= maxDepth && maxDepth <= 8)) {
                throw new IllegalArgumentException("architecture depths need 1 <= min <= max <= 8, got [" + minDepth + ", " + maxDepth + "]");
            }
            widths = List.copyOf(widths);
            kernels = List.copyOf(kernels);
            expansions = List.copyOf(expansions);
            se = List.copyOf(se);
            activations = List.copyOf(activations);
            resolutions = List.copyOf(resolutions);
            for (double w : widths) {
                if (!(w > 0 && w <= 4)) {
                    throw new IllegalArgumentException("architecture width multiplier must be in (0, 4], got " + w);
                }
            }
            for (int k : kernels) {
                if (k != 3 && k != 5 && k != 7) {
                    throw new IllegalArgumentException("architecture kernel must be 3, 5 or 7, got " + k);
                }
            }
            for (int e : expansions) {
                if (e < 1 || e > 8) {
                    throw new IllegalArgumentException("architecture expansion ratio must be in [1, 8], got " + e);
                }
            }
            for (int r : resolutions) {
                if (r < Families.MIN_RESOLUTION || r > 1024) {
                    throw new IllegalArgumentException("architecture resolution must be in [" + Families.MIN_RESOLUTION + ", 1024], got " + r);
                }
            }
            if (widths.isEmpty() || kernels.isEmpty() || expansions.isEmpty() || se.isEmpty() || activations.isEmpty()) {
                throw new IllegalArgumentException("architecture widths, kernels, expansions, se and activations need at least one value each");
            }
        }

        /** Whether only the baseline is searched (no family to build). */
        public boolean baselineOnly() {
            return families.stream().allMatch(f -> f == Family.BASELINE);
        }

        /**
         * The largest network of {@code family} with activation {@code act} in this space: every stage at the most blocks,
         * the widest multiplier, the largest kernel and expansion, with squeeze-excitation when the space has it, at the
         * largest resolution (compound scaling: at maxPhi). Every candidate of the family with that activation is a
         * sub-network of it (one supernet per activation: weights trained under ReLU do not carry over to hard-swish).
         */
        public Supernet supernet(Family family, Act act) {
            if (!Init.offeredFor(family)) {
                throw new IllegalArgumentException("architecture init inherit is offered for resnet, mobilenet and ghostnet, not " + family.id());
            }
            int kernel = kernels.stream().max(Integer::compare).orElseThrow();
            int expansion = family.expands() ? expansions.stream().max(Integer::compare).orElseThrow() : 1;
            boolean withSe = family.expands() && se.contains(true);
            List<Stage> stages = new ArrayList<>();
            for (int s = 0; s < STAGES; s++) {
                int depth = compound != null ? Math.max(1, (int) Math.round(Families.baseDepth(s) * Math.pow(ALPHA, compound.maxPhi()))) : maxDepth;
                double width = compound != null ? Math.pow(BETA, compound.maxPhi()) : widths.stream().max(Double::compare).orElseThrow();
                stages.add(new Stage(depth, width, kernel, expansion, withSe));
            }
            int resolution = compound != null || resolutions.isEmpty() ? 0 : resolutions.stream().max(Integer::compare).orElseThrow();
            return new Supernet(new Plan(family, act, stages, resolution, compound != null ? compound.maxPhi() : 0), supernetEpochs);
        }

        /** {@code plan} with its supernet when it inherits (the driver adds it before a trial is sent; see {@link Plan#supernet}). */
        public Plan withSupernet(Plan plan) {
            return plan.init() == Init.INHERIT && plan.supernet() == null ? plan.inheriting(supernet(plan.family(), plan.activation())) : plan;
        }
    }

    /**
     * One stage of a built network.
     *
     * @param depth     blocks; the first has the stage's stride
     * @param width     multiplier of the family's channels for this stage
     * @param kernel    kernel of the depthwise (ResNet: every) convolution
     * @param expansion expansion ratio (inverted-residual and ghost blocks; 1 for ResNet)
     * @param se        squeeze-excitation in every block (inverted-residual and ghost blocks)
     */
    public record Stage(int depth, double width, int kernel, int expansion, boolean se) {
        public Stage {
            if (depth < 1 || !(width > 0) || kernel < 1 || expansion < 1) {
                throw new IllegalArgumentException("stage needs depth >= 1, width > 0, kernel >= 1, expansion >= 1, got " + depth + ", "
                        + width + ", " + kernel + ", " + expansion);
            }
        }
    }

    /**
     * A candidate's architecture.
     *
     * @param family     {@code baseline}: the baseline's graph, the rest of the plan unused
     * @param activation hidden non-linearity
     * @param stages     one per stage ({@value #STAGES}); empty for the baseline
     * @param resolution input height in pixels; 0 = the data's own, scaled by {@link #GAMMA}^phi
     * @param phi        compound-scaling coefficient the stages were derived from (0 when per stage)
     * @param init       how its weights start
     * @param supernet   with {@link Init#INHERIT}: the network it inherits from, which the driver derives from the space
     *                   ({@link Range#withSupernet}); null until then
     */
    public record Plan(Family family, Act activation, List<Stage> stages, int resolution, double phi, Init init, Supernet supernet) {
        public Plan {
            family = family == null ? Family.BASELINE : family;
            activation = activation == null ? Act.RELU : activation;
            stages = stages == null ? List.of() : List.copyOf(stages);
            init = init == null ? Init.SCRATCH : init;
            if (family != Family.BASELINE && stages.size() != STAGES) {
                throw new IllegalArgumentException(family.id() + " needs " + STAGES + " stages, got " + stages.size());
            }
            if (init == Init.INHERIT && !Init.offeredFor(family)) {
                throw new IllegalArgumentException("architecture init inherit is offered for resnet, mobilenet and ghostnet, not " + family.id());
            }
            if (supernet != null && (init != Init.INHERIT || supernet.plan().family() != family)) {
                throw new IllegalArgumentException("a supernet is for a " + family.id() + " plan that inherits, got " + supernet.describe());
            }
        }

        /** A network from random weights. */
        public Plan(Family family, Act activation, List<Stage> stages, int resolution, double phi) {
            this(family, activation, stages, resolution, phi, Init.SCRATCH, null);
        }

        /** This plan, starting from {@code from}'s trained weights. */
        public Plan inheriting(Supernet from) {
            return new Plan(family, activation, stages, resolution, phi, Init.INHERIT, from);
        }

        /** Whether the candidate is the baseline's graph (not a property of recipes). */
        @JsonIgnore
        public boolean isBaseline() {
            return family == Family.BASELINE;
        }

        /** The input size for data of {@code height x width}: {@code [height, width]} the built network takes. */
        public int[] inputSize(int height, int width) {
            if (isBaseline()) {
                return new int[] {height, width};
            }
            int h = resolution > 0 ? resolution : Math.max(Families.MIN_RESOLUTION, (int) Math.round(height * Math.pow(GAMMA, phi)));
            int w = Math.max(1, (int) Math.round(width * (double) h / height));
            return new int[] {h, w};
        }

        /** In words, e.g. {@code mobilenet hardswish 24px: s1 1x16 k3 e4 | s2 2x24 k5 e4 se | s3 2x40 k3 e6 se}. */
        public String describe() {
            if (isBaseline()) {
                return "baseline";
            }
            StringBuilder b = new StringBuilder(family.id()).append(' ').append(activation.id());
            b.append(resolution > 0 ? " " + resolution + "px" : phi != 0 ? String.format(Locale.ROOT, " phi %.2f", phi) : "");
            b.append(':');
            for (int s = 0; s < stages.size(); s++) {
                Stage st = stages.get(s);
                b.append(s == 0 ? " " : " | ").append('s').append(s + 1).append(' ').append(st.depth()).append('x')
                        .append(Families.channels(family, s, st.width())).append(" k").append(st.kernel());
                if (family.expands()) {
                    b.append(" e").append(st.expansion()).append(st.se() ? " se" : "");
                }
            }
            if (init == Init.INHERIT) {
                b.append("; weights from its supernet");
            }
            return b.toString();
        }
    }

    @Override
    public String prefix() {
        return "arch.";
    }

    @Override
    public SearchSpace fragment(Range range) {
        List<Parameter> params = new ArrayList<>();
        params.add(new Parameter.Categorical("family", new ArrayList<>(Option.choices(range.families()))));
        List<Object> built = range.families().stream().filter(f -> f != Family.BASELINE).map(f -> (Object) f.id()).toList();
        if (built.isEmpty()) {
            return new SearchSpace(params);
        }
        List<Object> expanding = range.families().stream().filter(Family::expands).map(f -> (Object) f.id()).toList();
        var isBuilt = Optional.of(new Parameter.Condition("family", built));
        var expands = expanding.isEmpty() ? Optional.<Parameter.Condition>empty() : Optional.of(new Parameter.Condition("family", expanding));
        params.add(new Parameter.Categorical("activation", new ArrayList<>(Option.choices(range.activations())), isBuilt));
        List<Object> inheriting = range.families().stream().filter(Init::offeredFor).map(f -> (Object) f.id()).toList();
        if (range.inits().contains(Init.INHERIT) && !inheriting.isEmpty()) {
            params.add(new Parameter.Categorical("init", new ArrayList<>(Option.choices(range.inits())),
                    Optional.of(new Parameter.Condition("family", inheriting))));
        }
        if (range.compound() != null) {
            params.add(new Parameter.FloatParam("phi", range.compound().minPhi(), range.compound().maxPhi(), false, 0, isBuilt));
        } else if (!range.resolutions().isEmpty()) {
            params.add(new Parameter.Categorical("resolution", new ArrayList<>(range.resolutions()), isBuilt));
        }
        for (int s = 1; s <= STAGES; s++) {
            String st = "s" + s + ".";
            if (range.compound() == null) {
                params.add(new Parameter.IntParam(st + "depth", range.minDepth(), range.maxDepth(), false, 1, isBuilt));
                params.add(new Parameter.Categorical(st + "width", new ArrayList<>(range.widths()), isBuilt));
            }
            params.add(new Parameter.Categorical(st + "kernel", new ArrayList<>(range.kernels()), isBuilt));
            if (expands.isPresent()) {
                params.add(new Parameter.Categorical(st + "expansion", new ArrayList<>(range.expansions()), expands));
                params.add(new Parameter.Categorical(st + "se", new ArrayList<>(range.se()), expands));
            }
        }
        return new SearchSpace(params);
    }

    @Override
    public Plan decode(Assignment a) {
        Family family = a.has(FAMILY) ? Option.parse(Family.class, a.getString(FAMILY)) : Family.BASELINE;
        if (family == Family.BASELINE) {
            return identity();
        }
        Act act = a.has(ACTIVATION) ? Option.parse(Act.class, a.getString(ACTIVATION)) : Act.RELU;
        boolean compound = a.has(PHI);
        double phi = compound ? a.getDouble(PHI) : 0;
        List<Stage> stages = new ArrayList<>();
        for (int s = 1; s <= STAGES; s++) {
            String st = "arch.s" + s + ".";
            int depth = compound ? Math.max(1, (int) Math.round(Families.baseDepth(s - 1) * Math.pow(ALPHA, phi))) : a.getInt(st + "depth");
            double width = compound ? Math.pow(BETA, phi) : a.getDouble(st + "width");
            int kernel = a.getInt(st + "kernel");
            boolean expands = family.expands();
            int expansion = expands && a.has(st + "expansion") ? a.getInt(st + "expansion") : expands ? Families.DEFAULT_EXPANSION : 1;
            boolean se = expands && a.has(st + "se") && a.getBoolean(st + "se");
            stages.add(new Stage(depth, width, kernel, expansion, se));
        }
        int resolution = !compound && a.has(RESOLUTION) ? a.getInt(RESOLUTION) : 0;
        Init init = a.has(INIT) ? Option.parse(Init.class, a.getString(INIT)) : Init.SCRATCH;
        return new Plan(family, act, stages, resolution, phi, init, null);
    }

    @Override
    public Plan identity() {
        return new Plan(Family.BASELINE, Act.RELU, List.of(), 0, 0);
    }

    /**
     * A built family replaces the network to train: fresh weights (seeded by the trial), or its supernet's trained weights
     * ({@link WeightInheritance}), trained as a student. The build's data is already at the plan's resolution
     * ({@link Plan#inputSize}: the evaluator resizes it).
     */
    @Override
    public void configure(Plan plan, CandidateBuild build) {
        if (plan.isBaseline()) {
            return;
        }
        int[] shape = build.inputShape();
        ComputationGraph net = Families.build(plan, shape[0], shape[1], shape[2], build.classes(), build.seed());
        if (plan.init() == Init.SCRATCH) {
            build.startStudent(net, false);
            return;
        }
        Supernet from = plan.supernet();
        if (from == null) {
            throw new IllegalStateException("plan inherits weights but names no supernet: the driver adds it from the space (Range.withSupernet)");
        }
        int[] data = build.dataSize();
        int[] size = from.plan().inputSize(data[0], data[1]);
        ComputationGraph trained = build.sharedNetwork("supernet " + from.describe(), size[0], size[1],
                () -> Families.build(from.plan(), shape[0], size[0], size[1], build.classes(), from.describe().hashCode()), from.epochs());
        WeightInheritance.inherit(trained, net);
        build.startStudent(net, true);
    }
}
