package dev.kompakt.evaluator.net;

/**
 * DL4J's oneDNN layer helpers: convolution, batch normalisation and pooling layers computed by oneDNN primitives
 * instead of DL4J's own im2col + GEMM and element-wise loops. DL4J 1.0.0-M2.1 switches them off by default (system
 * property {@value #PROPERTY}, default {@code true}) and, even when asked, cannot find the native environment it checks
 * (see {@link org.nd4j.nativeblas.Nd4jCpu}). Measured with {@code bin/kompakt bench training} (results/training.md):
 * the same training, 3x the samples per second on the ResNet-style probe and the CNN family, 2x on MobileNet-style
 * graphs; outputs and gradients agree with the built-in path to float rounding ({@code OneDnnHelpersTest}).
 * <p>
 * A layer decides when it is created (when its network is initialised), so {@link #enable()} must run before the first
 * network is built: the command line, the Spark executors' runtime and the test configuration call it first. Users who
 * want DL4J's built-in path back pass {@code -D}{@value #PROPERTY}{@code =true}; that choice is kept.
 */
public final class OneDnnHelpers {
    /** DL4J's switch: {@code true} = no helpers. */
    public static final String PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private OneDnnHelpers() {
    }

    /** Lets layers created from now on use the oneDNN helpers, unless the property was set by the user. */
    public static void enable() {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "false");
        }
    }

    /** Whether layers created now get oneDNN helpers: allowed by the property and supported by the native library. */
    public static boolean active() {
        return "false".equalsIgnoreCase(System.getProperty(PROPERTY)) && org.deeplearning4j.nn.layers.mkldnn.BaseMKLDNNHelper.mklDnnEnabled();
    }

    /**
     * Builds something with the helpers switched {@code on} or off for the layers it creates, whatever the property says
     * (then restores it): for benchmarks and tests that compare the two paths in one JVM. Not thread-safe.
     */
    public static <T> T building(boolean on, java.util.function.Supplier<T> build) {
        String before = System.getProperty(PROPERTY);
        System.setProperty(PROPERTY, on ? "false" : "true");
        try {
            return build.get();
        } finally {
            if (before == null) {
                System.clearProperty(PROPERTY);
            } else {
                System.setProperty(PROPERTY, before);
            }
        }
    }

    /** What {@link #active()} says, in words for benchmark headers and provenance. */
    public static String describe() {
        return active() ? "oneDNN layer helpers on" : "oneDNN layer helpers off (" + PROPERTY + "=" + System.getProperty(PROPERTY, "true (DL4J's default)") + ")";
    }
}
