package dev.kompakt.evaluator;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Test-side views of DL4J weight tensors, computed with plain indexing so they do not share code with the
 * strategies under test: conv W is [out, in, kh, kw] (channels along axis 0), dense W is [in, out]
 * (channels along axis 1).
 */
final class Weights {
    private Weights() {
    }

    /** The values of each output channel, channel by channel. */
    static float[][] channels(INDArray w, boolean conv) {
        if (conv) {
            float[] all = w.dup('c').data().asFloat();
            int out = (int) w.size(0);
            int per = all.length / out;
            float[][] ch = new float[out][per];
            for (int c = 0; c < out; c++) {
                System.arraycopy(all, c * per, ch[c], 0, per);
            }
            return ch;
        }
        float[][] m = w.toFloatMatrix();
        int in = m.length;
        int out = m[0].length;
        float[][] ch = new float[out][in];
        for (int r = 0; r < in; r++) {
            for (int c = 0; c < out; c++) {
                ch[c][r] = m[r][c];
            }
        }
        return ch;
    }

    /** All values in C order (a copy). */
    static float[] values(INDArray w) {
        return w.dup('c').data().asFloat();
    }

    static long zeros(float[] v) {
        long z = 0;
        for (float x : v) {
            if (x == 0f) {
                z++;
            }
        }
        return z;
    }
}
