package dev.kompakt.evaluator.net;

/**
 * How a Kompakt JVM runs ND4J and DL4J, set once before the first network is built: the command line, the Spark executors'
 * runtime and the tests call {@link #configure()} first. Two settings, each measured with {@code bin/kompakt bench training}
 * (results/training.md):
 * <ul>
 *   <li>DL4J's oneDNN layer helpers on ({@link OneDnnHelpers});</li>
 *   <li>JavaCPP's physical-memory check off ({@value #MAX_PHYSICAL_BYTES} = 0). JavaCPP reads {@code /proc/self/statm} under
 *   one global lock every time a native pointer with a deallocator is created, to call the GC when the process's resident
 *   memory passes its limit; DL4J creates such pointers for every operation's shape information, so two trainings in one
 *   JVM (Spark's local mode) spent their steps queueing for that lock and reading {@code /proc} (perf: 3% of the CPU in
 *   {@code pread} and {@code proc_single_show}, plus the waiting). Kompakt bounds native garbage itself: the trainer asks for
 *   a collection every 10 s ({@link Training#fit}), which is what the check would have done.</li>
 * </ul>
 * A user's own {@code -D} setting of either property is kept.
 */
public final class NativeRuntime {
    /** JavaCPP's limit on the process's resident memory, in bytes (0 = no check). */
    public static final String MAX_PHYSICAL_BYTES = "org.bytedeco.javacpp.maxPhysicalBytes";

    private NativeRuntime() {
    }

    /** Sets both, unless the user set them; must run before ND4J loads (JavaCPP reads its property once). */
    public static void configure() {
        OneDnnHelpers.enable();
        if (System.getProperty(MAX_PHYSICAL_BYTES) == null && System.getProperty(MAX_PHYSICAL_BYTES.toLowerCase(java.util.Locale.ROOT)) == null) {
            System.setProperty(MAX_PHYSICAL_BYTES, "0");
        }
    }

    /** The nd4j-native jar with native libraries on this JVM's class path, if it has one of its own (not in a fat jar). */
    public static java.util.Optional<java.nio.file.Path> nd4jJar() {
        return java.util.Arrays.stream(System.getProperty("java.class.path", "").split(java.io.File.pathSeparator)).map(java.nio.file.Path::of)
                .filter(p -> p.getFileName() != null && p.getFileName().toString().matches("nd4j-native-.*-(linux|macosx|windows)-.*\\.jar"))
                .findFirst();
    }

    /**
     * The nd4j-native build this JVM loaded, in words: its jar's name and whether its native library was built with oneDNN
     * ({@code buildInfo()}), e.g. {@code nd4j-native-1.0.0-M2.1-linux-x86_64-onednn-avx2.jar, built with oneDNN}.
     */
    public static String nd4jBuild() {
        return nd4jJar().map(p -> p.getFileName().toString()).orElse("nd4j-native (not a jar of its own)")
                + (org.nd4j.nativeblas.Nd4jCpu.hasOneDnn() ? ", built with oneDNN" : ", built without oneDNN");
    }

    /** What is in effect, in words, for benchmark headers and executor logs. */
    public static String describe() {
        long max = org.bytedeco.javacpp.Pointer.maxPhysicalBytes();
        return OneDnnHelpers.describe() + "; JavaCPP physical-memory check " + (max == 0 ? "off" : "at " + max + " bytes");
    }
}
