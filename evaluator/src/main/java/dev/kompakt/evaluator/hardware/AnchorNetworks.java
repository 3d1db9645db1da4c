package dev.kompakt.evaluator.hardware;

import dev.kompakt.evaluator.cost.LayerCost;
import dev.kompakt.evaluator.cost.SparseStorage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Per-layer costs of the published networks that device anchors were measured on, built by hand from their
 * architecture tables at batch 1, so that a profile's prediction can be compared with the published latency.
 * Every conv carries its activation (ReLU/ReLU6/SiLU) as other ops, as {@code GraphCostModel} does for DL4J layers;
 * batch norm is folded. Branches (residuals, SSD heads, YOLO necks) are listed in execution order, with an
 * {@code add} right after the conv that produces its second operand so it can fuse into it.
 *
 * <p>What is left out (small next to the convolutions, and the same for every candidate): input resizing and
 * normalisation, SSD anchor decoding and non-maximum suppression, YOLO's DFL decoding and NMS, reshapes and
 * YOLO's channel split (views, no copy).
 */
public final class AnchorNetworks {
    private static final Map<String, Network> NETWORKS = new LinkedHashMap<>();

    /** A buildable network: a description (what it is and what is approximate) and its builder by precision. */
    public record Network(String id, String description, Function<Precision, List<LayerCost>> builder) {
    }

    /** Storage and activation precision of every layer. */
    public enum Precision {
        FP32(32, 32), INT8(8, 8);

        final int weightBits;
        final int activationBits;

        Precision(int weightBits, int activationBits) {
            this.weightBits = weightBits;
            this.activationBits = activationBits;
        }

        public static Precision of(String name) {
            return "int8".equals(name) ? INT8 : FP32;
        }
    }

    static {
        add("mobilenet_v1_224", "MobileNetV1 1.0, 224x224, 1001 classes (Howard et al. 2017, Table 1)",
                p -> mobileNetV1(p, 1.0, 224, 1001, 8));
        add("mobilenet_v2_224", "MobileNetV2 1.0, 224x224, 1001 classes (Sandler et al. 2018, Table 2)",
                p -> mobileNetV2(p, 224, 1001));
        add("ssd_mobilenet_v1_0.75_300", "SSD MobileNetV1 0.75 depth, 300x300, COCO: backbone + 4 extra layers + 1x1 box "
                + "predictors (aallan/benchmarking-ml-on-the-edge pipeline.config); no NMS", AnchorNetworks::ssdMobileNetV1);
        add("ssd_mobilenet_v2_300", "SSD MobileNetV2 (float TF model), 300x300, COCO: backbone + 4 depthwise extra layers + 3x3 "
                + "box predictors (aallan/benchmarking-ml-on-the-edge ssd_mobilenet_v2/tf_for_linux_and_macos/pipeline.config: "
                + "use_depthwise: true, kernel_size: 3); no NMS", p -> ssdMobileNetV2(p, true, 3));
        add("ssd_mobilenet_v2_quantized_300", "SSD MobileNetV2 quantized (the TFLite model), 300x300, COCO: backbone + 4 standard "
                + "extra layers + 1x1 box predictors (tensorflow/models research/object_detection/samples/configs/"
                + "ssd_mobilenet_v2_quantized_300x300_coco.config: kernel_size: 1, no use_depthwise, i.e. false); no NMS",
                p -> ssdMobileNetV2(p, false, 1));
        add("yolov8n_640", "YOLOv8n, 640x640, 80 classes (ultralytics yolov8.yaml, scale n: depth 0.33, width 0.25); "
                + "no DFL decode or NMS", p -> yolov8(p, 0.33, 0.25, 1024));
        add("yolov8s_640", "YOLOv8s, 640x640, 80 classes (ultralytics yolov8.yaml, scale s: depth 0.33, width 0.50); "
                + "no DFL decode or NMS", p -> yolov8(p, 0.33, 0.50, 1024));
        add("yolov8m_640", "YOLOv8m, 640x640, 80 classes (ultralytics yolov8.yaml, scale m: depth 0.67, width 0.75, "
                + "max 768 channels); no DFL decode or NMS", p -> yolov8(p, 0.67, 0.75, 768));
        add("mlperf_tiny_ic_resnet8", "MLPerf Tiny image classification: ResNet-8 style (3 stacks of 16/32/64), "
                + "32x32x3, 10 classes (Banbury et al. 2021; mlcommons/tiny reference model)", AnchorNetworks::tinyResNet);
        add("mlperf_tiny_vww_mobilenet_v1_0.25_96", "MLPerf Tiny visual wake words: MobileNetV1 0.25, 96x96x3, 2 classes",
                p -> mobileNetV1(p, 0.25, 96, 2, 1));
        add("mlperf_tiny_kws_dscnn", "MLPerf Tiny keyword spotting: DS-CNN (64 filters, 4 depthwise-separable blocks), "
                + "49x10x1 MFCC, 12 classes", AnchorNetworks::dsCnn);
    }

    private AnchorNetworks() {
    }

    private static void add(String id, String description, Function<Precision, List<LayerCost>> builder) {
        NETWORKS.put(id, new Network(id, description, builder));
    }

    public static Map<String, Network> all() {
        return Collections.unmodifiableMap(NETWORKS);
    }

    public static boolean contains(String id) {
        return NETWORKS.containsKey(id);
    }

    public static List<LayerCost> build(String id, Precision precision) {
        Network n = NETWORKS.get(id);
        if (n == null) {
            throw new IllegalArgumentException("no anchor network '" + id + "' (known: " + String.join(", ", NETWORKS.keySet()) + ")");
        }
        return n.builder().apply(precision);
    }

    /** A feature map: height, width, channels. */
    public record Shape(int h, int w, int c) {
        long elements() {
            return (long) h * w * c;
        }
    }

    /** Appends layer costs while tracking shapes; padding is SAME (output = ceil(input / stride)). */
    static final class Builder {
        private final List<LayerCost> layers = new ArrayList<>();
        private final int weightBits;
        private final int activationBits;

        Builder(Precision p) {
            this.weightBits = p.weightBits;
            this.activationBits = p.activationBits;
        }

        private static int out(int in, int stride) {
            return (in + stride - 1) / stride;
        }

        private long storage(long rows, long cols) {
            // dense weights at the precision, float32 biases, and one float scale per output channel when quantized
            return SparseStorage.smallest(rows, cols, rows * cols, weightBits).bytes() + rows * 4L + (weightBits < 32 ? rows * 4L : 0L);
        }

        private void layer(String name, String kind, long macs, long otherOps, long rows, long cols, long in, long out) {
            long weights = rows * cols;
            layers.add(new LayerCost(layers.size(), name, kind, macs, otherOps, weights, weights, weights == 0 ? 0 : rows,
                    weights == 0 ? 32 : weightBits, weights == 0 ? 0 : storage(rows, cols), in, out, activationBits));
        }

        Shape conv(String name, Shape x, int cout, int kh, int kw, int stride, boolean activation) {
            Shape y = new Shape(out(x.h(), stride), out(x.w(), stride), cout);
            long cols = (long) kh * kw * x.c();
            layer(name, OpKinds.CONV, y.elements() * cols, activation ? y.elements() : 0, cout, cols, x.elements(), y.elements());
            return y;
        }

        Shape conv(String name, Shape x, int cout, int k, int stride) {
            return conv(name, x, cout, k, k, stride, true);
        }

        Shape depthwise(String name, Shape x, int k, int stride) {
            Shape y = new Shape(out(x.h(), stride), out(x.w(), stride), x.c());
            layer(name, OpKinds.DEPTHWISE, y.elements() * k * k, y.elements(), x.c(), (long) k * k, x.elements(), y.elements());
            return y;
        }

        Shape dense(String name, Shape x, int out) {
            Shape y = new Shape(1, 1, out);
            layer(name, OpKinds.DENSE, x.elements() * out, 0, out, x.elements(), x.elements(), out);
            return y;
        }

        Shape pool(String name, Shape x, int k, int stride) {
            Shape y = new Shape(out(x.h(), stride), out(x.w(), stride), x.c());
            layer(name, OpKinds.POOL, 0, y.elements() * k * k, 0, 0, x.elements(), y.elements());
            return y;
        }

        Shape globalPool(String name, Shape x) {
            Shape y = new Shape(1, 1, x.c());
            layer(name, OpKinds.POOL, 0, x.elements(), 0, 0, x.elements(), y.elements());
            return y;
        }

        /** Residual add: reads both operands. */
        Shape add(String name, Shape x) {
            layer(name, OpKinds.ADD, 0, x.elements(), 0, 0, 2 * x.elements(), x.elements());
            return x;
        }

        Shape concat(String name, Shape... parts) {
            int c = 0;
            for (Shape s : parts) {
                c += s.c();
            }
            Shape y = new Shape(parts[0].h(), parts[0].w(), c);
            layer(name, OpKinds.CONCAT, 0, 0, 0, 0, y.elements(), y.elements());
            return y;
        }

        Shape upsample(String name, Shape x) {
            Shape y = new Shape(x.h() * 2, x.w() * 2, x.c());
            layer(name, OpKinds.UPSAMPLE, 0, 0, 0, 0, x.elements(), y.elements());
            return y;
        }

        List<LayerCost> layers() {
            return List.copyOf(layers);
        }
    }

    private static int scale(int channels, double alpha, int minDepth) {
        return Math.max((int) (channels * alpha), minDepth);
    }

    // ---------------------------------------------------------------- MobileNetV1

    /** Depthwise-separable blocks of MobileNetV1: (pointwise channels, stride). */
    private static final int[][] V1_BLOCKS = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1},
            {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};

    private static Shape mobileNetV1Backbone(Builder b, Shape x, double alpha, int minDepth, int lastBlock, Map<Integer, Shape> endpoints) {
        x = b.conv("conv0", x, scale(32, alpha, minDepth), 3, 2);
        for (int i = 0; i < lastBlock; i++) {
            x = b.depthwise("conv" + (i + 1) + "_dw", x, 3, V1_BLOCKS[i][1]);
            x = b.conv("conv" + (i + 1) + "_pw", x, scale(V1_BLOCKS[i][0], alpha, minDepth), 1, 1);
            endpoints.put(i + 1, x);
        }
        return x;
    }

    static List<LayerCost> mobileNetV1(Precision p, double alpha, int resolution, int classes, int minDepth) {
        Builder b = new Builder(p);
        Shape x = mobileNetV1Backbone(b, new Shape(resolution, resolution, 3), alpha, minDepth, V1_BLOCKS.length, new LinkedHashMap<>());
        x = b.globalPool("avgpool", x);
        b.dense("logits", x, classes);
        return b.layers();
    }

    // ---------------------------------------------------------------- MobileNetV2

    /** Inverted-residual stages of MobileNetV2: expansion t, channels c, repeats n, first stride s. */
    private static final int[][] V2_STAGES = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1},
            {6, 160, 3, 2}, {6, 320, 1, 1}};

    /**
     * The MobileNetV2 body; {@code endpoints} receives "layer_N" (output of TF-slim layer N, where layer_1 is the
     * stem and layer_2 to layer_18 the 17 bottlenecks) and "layer_N/expansion_output".
     */
    private static Shape mobileNetV2Backbone(Builder b, Shape x, Map<String, Shape> endpoints) {
        x = b.conv("layer_1", x, 32, 3, 2);
        int layer = 2;
        for (int[] stage : V2_STAGES) {
            for (int r = 0; r < stage[2]; r++, layer++) {
                int stride = r == 0 ? stage[3] : 1;
                Shape in = x;
                String name = "layer_" + layer;
                if (stage[0] != 1) {
                    x = b.conv(name + "/expand", x, in.c() * stage[0], 1, 1);
                    endpoints.put(name + "/expansion_output", x);
                }
                x = b.depthwise(name + "/depthwise", x, 3, stride);
                x = b.conv(name + "/project", x, stage[1], 1, 1, 1, false);
                if (stride == 1 && in.c() == stage[1]) {
                    x = b.add(name + "/add", x);
                }
                endpoints.put(name, x);
            }
        }
        x = b.conv("layer_19", x, 1280, 1, 1);
        endpoints.put("layer_19", x);
        return x;
    }

    static List<LayerCost> mobileNetV2(Precision p, int resolution, int classes) {
        Builder b = new Builder(p);
        Shape x = mobileNetV2Backbone(b, new Shape(resolution, resolution, 3), new LinkedHashMap<>());
        x = b.globalPool("avgpool", x);
        b.dense("logits", x, classes);
        return b.layers();
    }

    // ---------------------------------------------------------------- SSD

    /** COCO: 90 classes + background. Boxes per location: 3 on the first feature map, 6 on the others. */
    private static final int SSD_CLASSES = 91;
    private static final int[] SSD_EXTRA_DEPTHS = {512, 256, 256, 128};

    private static void boxPredictor(Builder b, String name, Shape f, int boxes, int kernel) {
        b.conv(name + "/box", f, boxes * 4, kernel, kernel, 1, false);
        b.conv(name + "/class", f, boxes * SSD_CLASSES, kernel, kernel, 1, false);
    }

    /** TF object-detection SSD feature maps: 1x1 conv to depth/2, then a stride-2 3x3 (optionally depthwise-separable). */
    private static Shape ssdExtraLayer(Builder b, String name, Shape x, int depth, boolean depthwise) {
        x = b.conv(name + "/1x1", x, depth / 2, 1, 1);
        if (depthwise) {
            x = b.depthwise(name + "/3x3_dw", x, 3, 2);
            return b.conv(name + "/3x3_pw", x, depth, 1, 1);
        }
        return b.conv(name + "/3x3", x, depth, 3, 2);
    }

    static List<LayerCost> ssdMobileNetV1(Precision p) {
        double alpha = 0.75;
        int minDepth = 16;
        Builder b = new Builder(p);
        Map<Integer, Shape> ends = new LinkedHashMap<>();
        Shape x = mobileNetV1Backbone(b, new Shape(300, 300, 3), alpha, minDepth, V1_BLOCKS.length, ends);
        List<Shape> maps = new ArrayList<>(List.of(ends.get(11), x));
        for (int i = 0; i < SSD_EXTRA_DEPTHS.length; i++) {
            x = ssdExtraLayer(b, "extra" + (i + 2), x, scale(SSD_EXTRA_DEPTHS[i], alpha, minDepth), false);
            maps.add(x);
        }
        for (int i = 0; i < maps.size(); i++) {
            boxPredictor(b, "predictor" + i, maps.get(i), i == 0 ? 3 : 6, 1);
        }
        return b.layers();
    }

    /**
     * SSD on MobileNetV2 as the TF object detection API builds it (ssd_mobilenet_v2_feature_extractor.py: feature maps
     * from layer_15/expansion_output and layer_19, then extra layers of depth 512, 256, 256, 128).
     *
     * <p>Two variants exist and the published numbers measured different ones. The float model
     * (samples/configs/ssd_mobilenet_v2_coco.config and the pipeline.config in aallan/benchmarking-ml-on-the-edge
     * ssd_mobilenet_v2/tf_for_linux_and_macos/) sets {@code use_depthwise: true} and box predictor
     * {@code kernel_size: 3}. The quantized model (samples/configs/ssd_mobilenet_v2_quantized_300x300_coco.config,
     * zoo tarball ssd_mobilenet_v2_quantized_300x300_coco_2019_01_03) sets {@code kernel_size: 1} and leaves
     * {@code use_depthwise} at its default, false. The aallan TFLite numbers are of a quantized model: its
     * documentation/Running-the-benchmarks.md says "Models passed to this script must be quantized" of
     * benchmark_tf_lite.py, and its v1 TFLite file (ssd_mobilenet_v1/tflite_for_rpi/mobilenet_v1.tflite) holds
     * {@code weights_quant/FakeQuantWithMinMaxVars} tensors, i.e. a quantization-aware-trained zoo model.
     *
     * @param depthwise    depthwise-separable 3x3 in the extra layers ({@code use_depthwise})
     * @param predictorKernel box predictor kernel ({@code kernel_size})
     */
    static List<LayerCost> ssdMobileNetV2(Precision p, boolean depthwise, int predictorKernel) {
        Builder b = new Builder(p);
        Map<String, Shape> ends = new LinkedHashMap<>();
        Shape x = mobileNetV2Backbone(b, new Shape(300, 300, 3), ends);
        List<Shape> maps = new ArrayList<>(List.of(ends.get("layer_15/expansion_output"), x));
        for (int i = 0; i < SSD_EXTRA_DEPTHS.length; i++) {
            x = ssdExtraLayer(b, "extra" + (i + 2), x, SSD_EXTRA_DEPTHS[i], depthwise);
            maps.add(x);
        }
        for (int i = 0; i < maps.size(); i++) {
            boxPredictor(b, "predictor" + i, maps.get(i), i == 0 ? 3 : 6, predictorKernel);
        }
        return b.layers();
    }

    // ---------------------------------------------------------------- YOLOv8

    private static int width(int channels, double w, int max) {
        // ultralytics make_divisible(min(c, max) * w, 8)
        return (int) Math.ceil(Math.min(channels, max) * w / 8.0) * 8;
    }

    private static int depth(int n, double d) {
        return Math.max((int) Math.round(n * d), 1);
    }

    /** Ultralytics C2f: 1x1 conv to 2c, split, n bottlenecks (two 3x3 convs, optional residual), concat, 1x1 conv. */
    private static Shape c2f(Builder b, String name, Shape x, int cout, int n, boolean shortcut) {
        int c = cout / 2;
        Shape y = b.conv(name + "/cv1", x, 2 * c, 1, 1);
        Shape part = new Shape(y.h(), y.w(), c);
        List<Shape> parts = new ArrayList<>(List.of(part, part));
        for (int i = 0; i < n; i++) {
            Shape in = part;
            part = b.conv(name + "/m" + i + "/cv1", part, c, 3, 1);
            part = b.conv(name + "/m" + i + "/cv2", part, c, 3, 1);
            if (shortcut) {
                part = b.add(name + "/m" + i + "/add", in);
            }
            parts.add(part);
        }
        Shape cat = b.concat(name + "/concat", parts.toArray(new Shape[0]));
        return b.conv(name + "/cv2", cat, cout, 1, 1);
    }

    static List<LayerCost> yolov8(Precision p, double d, double w, int max) {
        Builder b = new Builder(p);
        Shape x = new Shape(640, 640, 3);
        x = b.conv("b0", x, width(64, w, max), 3, 2);
        x = b.conv("b1", x, width(128, w, max), 3, 2);
        x = c2f(b, "b2", x, width(128, w, max), depth(3, d), true);
        x = b.conv("b3", x, width(256, w, max), 3, 2);
        Shape p3 = c2f(b, "b4", x, width(256, w, max), depth(6, d), true);
        x = b.conv("b5", p3, width(512, w, max), 3, 2);
        Shape p4 = c2f(b, "b6", x, width(512, w, max), depth(6, d), true);
        x = b.conv("b7", p4, width(1024, w, max), 3, 2);
        x = c2f(b, "b8", x, width(1024, w, max), depth(3, d), true);
        // SPPF: 1x1 to c/2, three chained 5x5 max pools (stride 1), concat of the four, 1x1
        int c1 = x.c();
        Shape s = b.conv("b9/cv1", x, c1 / 2, 1, 1);
        Shape m1 = b.pool("b9/m1", s, 5, 1);
        Shape m2 = b.pool("b9/m2", m1, 5, 1);
        Shape m3 = b.pool("b9/m3", m2, 5, 1);
        Shape p5 = b.conv("b9/cv2", b.concat("b9/concat", s, m1, m2, m3), width(1024, w, max), 1, 1);
        // head (PAN)
        x = b.concat("h11", b.upsample("h10", p5), p4);
        Shape h12 = c2f(b, "h12", x, width(512, w, max), depth(3, d), false);
        x = b.concat("h14", b.upsample("h13", h12), p3);
        Shape out3 = c2f(b, "h15", x, width(256, w, max), depth(3, d), false);
        x = b.concat("h17", b.conv("h16", out3, width(256, w, max), 3, 2), h12);
        Shape out4 = c2f(b, "h18", x, width(512, w, max), depth(3, d), false);
        x = b.concat("h20", b.conv("h19", out4, width(512, w, max), 3, 2), p5);
        Shape out5 = c2f(b, "h21", x, width(1024, w, max), depth(3, d), false);
        // Detect: per level a box branch (two 3x3 convs to c2, 1x1 to 4*16) and a class branch (two 3x3 to c3, 1x1 to 80)
        int c2 = Math.max(Math.max(16, out3.c() / 4), 64);
        int c3 = Math.max(out3.c(), Math.min(80, 100));
        Shape[] levels = {out3, out4, out5};
        for (int i = 0; i < levels.length; i++) {
            Shape f = levels[i];
            Shape box = b.conv("detect" + i + "/box1", f, c2, 3, 1);
            box = b.conv("detect" + i + "/box2", box, c2, 3, 1);
            b.conv("detect" + i + "/box3", box, 64, 1, 1, 1, false);
            Shape cls = b.conv("detect" + i + "/cls1", f, c3, 3, 1);
            cls = b.conv("detect" + i + "/cls2", cls, c3, 3, 1);
            b.conv("detect" + i + "/cls3", cls, 80, 1, 1, 1, false);
        }
        return b.layers();
    }

    // ---------------------------------------------------------------- MLPerf Tiny

    static List<LayerCost> tinyResNet(Precision p) {
        Builder b = new Builder(p);
        Shape x = b.conv("conv1", new Shape(32, 32, 3), 16, 3, 1);
        int[] filters = {16, 32, 64};
        for (int s = 0; s < filters.length; s++) {
            int stride = s == 0 ? 1 : 2;
            Shape in = x;
            x = b.conv("stack" + (s + 1) + "/a", in, filters[s], 3, stride);
            if (s > 0) {
                b.conv("stack" + (s + 1) + "/shortcut", in, filters[s], 1, 1, stride, false);
            }
            b.conv("stack" + (s + 1) + "/b", x, filters[s], 3, 3, 1, false);
            x = b.add("stack" + (s + 1) + "/add", x);
        }
        x = b.globalPool("avgpool", x);
        b.dense("dense", x, 10);
        return b.layers();
    }

    static List<LayerCost> dsCnn(Precision p) {
        Builder b = new Builder(p);
        Shape x = b.conv("conv1", new Shape(49, 10, 1), 64, 10, 4, 2, true);
        for (int i = 1; i <= 4; i++) {
            x = b.depthwise("block" + i + "/dw", x, 3, 1);
            x = b.conv("block" + i + "/pw", x, 64, 1, 1);
        }
        x = b.globalPool("avgpool", x);
        b.dense("dense", x, 12);
        return b.layers();
    }
}
