package org.nd4j.nativeblas;

/**
 * A bridge for DeepLearning4J 1.0.0-M2.1, not ND4J's own class. DL4J decides whether its oneDNN layer helpers
 * (convolution, batch normalisation, pooling) may run by reflectively calling
 * {@code org.nd4j.nativeblas.Nd4jCpu$Environment.getInstance().isUseMKLDNN()}; nd4j-native 1.0.0-M2.1 moved that class
 * to {@code org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu}, so the lookup fails and DL4J silently trains every
 * convolution through im2col + GEMM, whose zero-filling of a permuted 6-d buffer alone took a quarter of a ResNet-style
 * training step (perf, results/training.md). This class answers that lookup with what the native library itself says
 * (its build has oneDNN, {@code HAVE_ONEDNN} in {@code buildInfo()}, and {@code isUseONEDNN()} is on: true on the
 * {@code onednn} builds, false on the others, whose {@code isUseONEDNN()} is true as well). Whether the helpers are created at all
 * is {@link dev.kompakt.evaluator.net.OneDnnHelpers}' business.
 */
public final class Nd4jCpu {
    private Nd4jCpu() {
    }

    /** The one method DL4J calls, answered by the native library's environment. */
    public static final class Environment {
        private static final Environment INSTANCE = new Environment();

        private Environment() {
        }

        public static Environment getInstance() {
            return INSTANCE;
        }

        public boolean isUseMKLDNN() {
            return HAS_ONEDNN && org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu.Environment.getInstance().isUseONEDNN();
        }
    }

    private static final boolean HAS_ONEDNN = readHasOneDnn();

    /** Whether the loaded native library was built with oneDNN (the avx2 build, for one, says {@code isUseONEDNN()} without it). */
    public static boolean hasOneDnn() {
        return HAS_ONEDNN;
    }

    private static boolean readHasOneDnn() {
        org.nd4j.linalg.factory.Nd4j.getExecutioner();   // initialises ND4J, which loads the native library
        String info = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        return info != null && info.contains("HAVE_ONEDNN");
    }
}
