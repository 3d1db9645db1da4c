package dev.kompakt.evaluator.data;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Bilinear resizing of images held as flat rows ({@code [n, c*h*w]}, channels-first), with half-pixel centres: ONNX
 * {@code Resize} (mode linear, coordinate_transformation_mode half_pixel), PyTorch's {@code interpolate(...,
 * align_corners=False)} without anti-aliasing. A production pipeline that feeds an architecture candidate resizes its
 * images the same way.
 */
public final class Resize {
    private Resize() {
    }

    /** {@code rows} of {@code channels x height x width} images, resized to {@code toHeight x toWidth}; the same array when equal. */
    public static INDArray bilinear(INDArray rows, int channels, int height, int width, int toHeight, int toWidth) {
        if (toHeight == height && toWidth == width) {
            return rows;
        }
        if (rows.rank() != 2 || rows.size(1) != (long) channels * height * width) {
            throw new IllegalArgumentException("expected rows of " + channels + "x" + height + "x" + width + " = "
                    + (long) channels * height * width + " values, got shape " + java.util.Arrays.toString(rows.shape()));
        }
        int n = (int) rows.size(0);
        float[] in = rows.dup('c').data().asFloat();
        float[] out = new float[n * channels * toHeight * toWidth];
        int[] y0 = new int[toHeight];
        int[] y1 = new int[toHeight];
        float[] fy = new float[toHeight];
        axis(height, toHeight, y0, y1, fy);
        int[] x0 = new int[toWidth];
        int[] x1 = new int[toWidth];
        float[] fx = new float[toWidth];
        axis(width, toWidth, x0, x1, fx);
        int plane = height * width;
        int toPlane = toHeight * toWidth;
        for (int p = 0; p < n * channels; p++) {
            int src = p * plane;
            int dst = p * toPlane;
            for (int y = 0; y < toHeight; y++) {
                int r0 = src + y0[y] * width;
                int r1 = src + y1[y] * width;
                for (int x = 0; x < toWidth; x++) {
                    float top = in[r0 + x0[x]] + (in[r0 + x1[x]] - in[r0 + x0[x]]) * fx[x];
                    float bottom = in[r1 + x0[x]] + (in[r1 + x1[x]] - in[r1 + x0[x]]) * fx[x];
                    out[dst + y * toWidth + x] = top + (bottom - top) * fy[y];
                }
            }
        }
        return Nd4j.create(out, new long[] {n, (long) channels * toHeight * toWidth}, 'c').castTo(DataType.FLOAT);
    }

    /** Source indices and weights along one axis: output i samples the input at (i + 0.5) * from / to - 0.5, clamped. */
    private static void axis(int from, int to, int[] lo, int[] hi, float[] frac) {
        double scale = (double) from / to;
        for (int i = 0; i < to; i++) {
            double src = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), from - 1);
            lo[i] = (int) Math.floor(src);
            hi[i] = Math.min(lo[i] + 1, from - 1);
            frac[i] = (float) (src - lo[i]);
        }
    }
}
