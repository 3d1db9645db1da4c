package dev.kompakt.evaluator.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kompakt.evaluator.data.Resize;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.ByteString;

import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * {@link Resize#bilinear}, which an architecture candidate's data goes through and which recipe.json promises a pipeline
 * can reproduce with ONNX {@code Resize} (mode linear, half-pixel centres): equal to ONNX Runtime's, down and up, for
 * non-square sizes and several channels; exact on hand-worked values.
 */
class ResizeOnnxTest {
    @Test
    void handWorkedValues() {
        // 1x2 -> 1x4: sources at (i + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1)
        INDArray row = Nd4j.createFromArray(new float[][] {{0f, 8f}});
        assertArrayEquals(new float[] {0f, 2f, 6f, 8f}, Resize.bilinear(row, 1, 1, 2, 1, 4).data().asFloat(), 1e-6f);
        // 4x4 -> 2x2: each output samples the centre of a 2x2 block, the mean of its four pixels
        float[] pixels = new float[16];
        for (int i = 0; i < 16; i++) {
            pixels[i] = i;
        }
        INDArray image = Nd4j.createFromArray(new float[][] {pixels});
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, Resize.bilinear(image, 1, 4, 4, 2, 2).data().asFloat(), 1e-6f);
        assertSame(image, Resize.bilinear(image, 1, 4, 4, 4, 4), "the same size is the same array");
    }

    @Test
    void equalsOnnxRuntimesLinearHalfPixelResize() throws Exception {
        int n = 3;
        int c = 2;
        int h = 7;
        int w = 9;
        INDArray x = Nd4j.rand(DataType.FLOAT, n, c * h * w);
        for (int[] to : new int[][] {{5, 4}, {12, 16}, {7, 3}}) {
            float[] ours = Resize.bilinear(x, c, h, w, to[0], to[1]).data().asFloat();
            float[] onnx = onnxResize(x.data().asFloat(), new long[] {n, c, h, w}, new long[] {n, c, to[0], to[1]});
            assertEquals(onnx.length, ours.length);
            assertArrayEquals(onnx, ours, 1e-5f, "resized to " + to[0] + "x" + to[1]);
        }
    }

    /** ONNX Runtime's Resize (mode linear, coordinate_transformation_mode half_pixel) of an NCHW tensor to {@code sizes}. */
    private static float[] onnxResize(float[] values, long[] shape, long[] sizes) throws Exception {
        OnnxGraph g = new OnnxGraph();
        String out = g.labelled("Resize", "resize", List.of("input", "", "", g.int64s("sizes", new long[] {4}, sizes)),
                string("mode", "linear"), string("coordinate_transformation_mode", "half_pixel"));
        byte[] model = g.build("resize", shape, out, sizes, List.of());
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape);
             OrtSession.Result result = session.run(Map.of("input", input))) {
            FloatBuffer b = ((OnnxTensor) result.get(0)).getFloatBuffer();
            float[] y = new float[b.remaining()];
            b.get(y);
            return y;
        }
    }

    private static Onnx.AttributeProto string(String name, String value) {
        return Onnx.AttributeProto.newBuilder().setName(name).setType(Onnx.AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
