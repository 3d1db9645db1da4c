package dev.kompakt.evaluator.hardware;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Op kinds of {@link dev.kompakt.evaluator.cost.LayerCost#kind()} and the op classes a profile's efficiency
 * factors, fusion rules and supported-op list refer to (hardware-profiles.md 6.1).
 */
public final class OpKinds {
    public static final String CONV = "conv";
    public static final String DEPTHWISE = "depthwise";
    public static final String DENSE = "dense";
    public static final String POOL = "pool";
    public static final String ACTIVATION = "activation";
    public static final String BATCHNORM = "batchnorm";
    public static final String ADD = "add";
    public static final String CONCAT = "concat";
    public static final String UPSAMPLE = "upsample";
    public static final String MUL = "mul";
    public static final String PAD = "pad";
    /** A slice of the channels (ShuffleNet's channel split): reads and writes the slice. */
    public static final String SLICE = "slice";
    /** A channel shuffle (reshape, transpose, reshape): reads and writes every element once. */
    public static final String SHUFFLE = "shuffle";
    /** A reshape or flatten: free at inference (a view of the same data). */
    public static final String RESHAPE = "reshape";
    /** A layer that passes its input through at inference (dropout). */
    public static final String IDENTITY = "identity";

    /** Op classes: each has its own efficiency factor and can be listed as supported. */
    public static final String ELEMENTWISE = "elementwise";
    public static final String DATA = "data";
    public static final String OTHER = "other";
    public static final List<String> CLASSES = List.of(CONV, DEPTHWISE, DENSE, POOL, ELEMENTWISE, DATA, OTHER);

    /** Kinds that may be fused into the preceding conv/depthwise/dense kernel ({@code fusedOps}). */
    public static final List<String> FUSABLE = List.of(ACTIVATION, ADD, POOL);

    private static final Set<String> KERNEL_HEADS = Set.of(CONV, DEPTHWISE, DENSE);
    private static final Set<String> NO_OPS = Set.of(RESHAPE, IDENTITY);

    private OpKinds() {
    }

    /** The op class of a layer kind; unknown kinds (other DL4J layers) are {@code other}. */
    public static String opClass(String kind) {
        String k = kind == null ? "" : kind.toLowerCase(Locale.ROOT);
        return switch (k) {
            case CONV, DEPTHWISE, DENSE, POOL -> k;
            case ACTIVATION, BATCHNORM, ADD, MUL, "elementwise" -> ELEMENTWISE;
            case CONCAT, UPSAMPLE, PAD, SLICE, SHUFFLE, RESHAPE, IDENTITY, "data" -> DATA;
            default -> OTHER;
        };
    }

    /**
     * Whether a layer of this kind does no work at inference ({@code reshape}, {@code identity}): a deployed runtime
     * drops it or turns it into a view, so it runs no kernel and moves no bytes.
     */
    public static boolean isNoOp(String kind) {
        return kind != null && NO_OPS.contains(kind.toLowerCase(Locale.ROOT));
    }

    /** Whether a layer of this kind can start a kernel that later element-wise ops and pooling fuse into. */
    static boolean isKernelHead(String kind) {
        return KERNEL_HEADS.contains(opClass(kind));
    }

    /** The fusion-rule name of a kind: batch norm folds like an activation; null when the kind never fuses. */
    static String fusionName(String kind) {
        String k = kind == null ? "" : kind.toLowerCase(Locale.ROOT);
        return switch (k) {
            case ACTIVATION, BATCHNORM -> ACTIVATION;
            case ADD -> ADD;
            case POOL -> POOL;
            default -> null;
        };
    }
}
