package dev.kompakt.evaluator.net;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An imported (Keras) graph in the form Kompakt computes on, with the same function:
 * <ul>
 *   <li>channels first: every convolution, depthwise/separable convolution, pooling, batch-norm and padding layer in
 *       NCHW, global pooling over dimensions 2 and 3, and every flatten ({@link CnnToFeedForwardPreProcessor}, on a layer
 *       or as a vertex) in NCHW order; the rows of each dense layer that reads a flattened map are reordered from
 *       height-width-channel to channel-height-width order, so it computes the same sums. DL4J keeps convolution weights
 *       in one layout for both formats, so they are unchanged. A flatten that reads the network input directly is removed:
 *       Kompakt feeds flat inputs in channel-row-column order, which the reordered dense layer then takes.</li>
 *   <li>an output layer: a network output that is a plain softmax {@link DenseLayer} (Keras's classifier) becomes an
 *       {@link OutputLayer} with softmax cross-entropy and the same weights, so it can be fine-tuned.</li>
 * </ul>
 * Layers already channels-first are left as they are. Stateless.
 */
public final class ChannelsFirst {
    private ChannelsFirst() {
    }

    public static ComputationGraph of(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration().clone();
        String input = conf.getNetworkInputs().get(0);
        // dense layer -> the flatten it reads (height, width, channels), whose order changes from HWC to CHW
        Map<String, CnnToFeedForwardPreProcessor> reorder = new HashMap<>();
        for (Map.Entry<String, GraphVertex> e : conf.getVertices().entrySet()) {
            String name = e.getKey();
            GraphVertex v = e.getValue();
            List<String> inputs = conf.getVertexInputs().get(name);
            if (v instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                channelsFirst(layer);
                if (lv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor p && p.getFormat() == CNN2DFormat.NHWC) {
                    if (p.getNumChannels() > 1) {
                        reorder.put(name, p);
                    }
                    lv.setPreProcessor(inputs.contains(input) ? null
                            : new CnnToFeedForwardPreProcessor(p.getInputHeight(), p.getInputWidth(), p.getNumChannels(), CNN2DFormat.NCHW));
                }
            } else if (v instanceof PreprocessorVertex pv && pv.getPreProcessor() instanceof CnnToFeedForwardPreProcessor p
                    && p.getFormat() == CNN2DFormat.NHWC) {
                pv.setPreProcessor(new CnnToFeedForwardPreProcessor(p.getInputHeight(), p.getInputWidth(), p.getNumChannels(), CNN2DFormat.NCHW));
                if (p.getNumChannels() > 1) {
                    for (Map.Entry<String, List<String>> c : conf.getVertexInputs().entrySet()) {
                        if (c.getValue().contains(name)) {
                            reorder.put(c.getKey(), p);
                        }
                    }
                }
            }
        }
        for (String out : conf.getNetworkOutputs()) {
            if (conf.getVertices().get(out) instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof DenseLayer d
                    && d.getActivationFn() instanceof ActivationSoftmax) {
                OutputLayer o = new OutputLayer.Builder(new LossMCXENT()).nIn(d.getNIn()).nOut(d.getNOut()).activation(d.getActivationFn())
                        .hasBias(d.hasBias()).build();
                o.setLayerName(d.getLayerName());
                o.setIUpdater(d.getIUpdater());
                o.setWeightInitFn(d.getWeightInitFn());
                lv.getLayerConf().setLayer(o);
                lv.setOutputVertex(true);
            }
        }
        ComputationGraph converted = new ComputationGraph(conf);
        converted.init();
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            org.deeplearning4j.nn.api.Layer target = converted.getLayer(name);
            for (Map.Entry<String, INDArray> p : layer.paramTable().entrySet()) {
                INDArray value = p.getValue();
                if (p.getKey().equals("W") && reorder.containsKey(name)) {
                    value = hwcToChw(value, reorder.get(name));
                }
                target.getParam(p.getKey()).assign(value.reshape(target.getParam(p.getKey()).shape()));
            }
        }
        return converted;
    }

    private static void channelsFirst(Layer layer) {
        if (layer instanceof ConvolutionLayer c) {
            c.setCnn2dDataFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof SubsamplingLayer s) {
            s.setCnn2dDataFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof BatchNormalization bn) {
            bn.setCnn2DFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof ZeroPaddingLayer z) {
            z.setDataFormat(CNN2DFormat.NCHW);
        } else if (layer instanceof GlobalPoolingLayer g && g.getPoolingDimensions() != null
                && java.util.Arrays.equals(g.getPoolingDimensions(), new int[] {1, 2})) {
            g.setPoolingDimensions(new int[] {2, 3});
        }
    }

    /** Dense W [h*w*c, out] with rows in HWC order, as rows in CHW order. */
    static INDArray hwcToChw(INDArray w, CnnToFeedForwardPreProcessor p) {
        int h = (int) p.getInputHeight();
        int wd = (int) p.getInputWidth();
        int c = (int) p.getNumChannels();
        int out = (int) w.size(1);
        float[] src = w.dup('c').data().asFloat();
        float[] dst = new float[src.length];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < wd; x++) {
                for (int ch = 0; ch < c; ch++) {
                    int from = (y * wd + x) * c + ch;
                    int to = (ch * h + y) * wd + x;
                    System.arraycopy(src, from * out, dst, to * out, out);
                }
            }
        }
        return Nd4j.create(dst, w.shape(), 'c').castTo(w.dataType());
    }
}
