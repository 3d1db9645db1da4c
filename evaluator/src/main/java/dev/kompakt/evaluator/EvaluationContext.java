package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.Resize;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.HardwareProfile;
import dev.kompakt.evaluator.net.Networks;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What every candidate evaluation in one JVM shares: the baseline (teacher) network, the train and test
 * splits as ND4J arrays, the baseline's measured accuracy and size, and the simulated devices. Built once
 * per executor JVM. Thread-safe: the teacher is only read through {@link #teacherCopy()} and the teacher's
 * predictions are computed once under a lock.
 */
public final class EvaluationContext {
    private final ComputationGraph teacher;
    private final InputType inputType;
    private final DataShape shape;
    private final int classes;
    /** The context this one resizes the images of, null for one at the data's own size. */
    private final EvaluationContext parent;
    private final Map<List<Integer>, EvaluationContext> resized = new HashMap<>();
    private final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.CompletableFuture<ComputationGraph>> sharedNetworks =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final DataSet train;
    private final DataSet validation;
    private final DataSet test;
    private final double baselineAccuracy;
    private final long baselineSizeBytes;
    private final List<HardwareProfile> profiles;
    private INDArray teacherProbabilities;
    private INDArray teacherLogits;
    private INDArray calibration;

    /** A context whose validation samples are its test samples (tests, and runs recorded before validation splits). */
    public EvaluationContext(ComputationGraph teacher, SampleSet train, SampleSet test,
                             double baselineAccuracy, long baselineSizeBytes, List<HardwareProfile> profiles) {
        this(teacher, train, test, test, baselineAccuracy, baselineSizeBytes, profiles);
    }

    /**
     * @param teacher          the baseline graph, taking flat inputs of the data's shape (see {@link Networks#inputType})
     * @param validation       held-out training samples: {@code accuracy} is measured on them
     * @param test             samples touched only for {@code test_accuracy}
     * @param baselineAccuracy the baseline's accuracy on {@code validation}
     */
    public EvaluationContext(ComputationGraph teacher, SampleSet train, SampleSet validation, SampleSet test,
                             double baselineAccuracy, long baselineSizeBytes, List<HardwareProfile> profiles) {
        this.teacher = teacher;
        this.inputType = Networks.inputType(teacher, train.shape());
        this.shape = train.shape();
        this.classes = train.classes();
        this.parent = null;
        this.train = Tensors.toDataSet(train);
        this.test = Tensors.toDataSet(test);
        this.validation = validation == test ? this.test : Tensors.toDataSet(validation);
        this.baselineAccuracy = baselineAccuracy;
        this.baselineSizeBytes = baselineSizeBytes;
        this.profiles = List.copyOf(profiles);
    }

    /** {@code parent}'s data with every image resized to {@code height x width} (bilinear), the teacher's outputs shared. */
    private EvaluationContext(EvaluationContext parent, int height, int width) {
        DataShape from = parent.shape;
        this.teacher = parent.teacher;
        this.shape = DataShape.image(from.channels(), height, width);
        this.classes = parent.classes;
        this.parent = parent;
        this.inputType = InputType.convolutionalFlat(height, width, from.channels());
        this.train = resize(parent.train, from, height, width);
        this.test = resize(parent.test, from, height, width);
        this.validation = parent.validation == parent.test ? this.test : resize(parent.validation, from, height, width);
        this.baselineAccuracy = parent.baselineAccuracy;
        this.baselineSizeBytes = parent.baselineSizeBytes;
        this.profiles = parent.profiles;
    }

    private static DataSet resize(DataSet data, DataShape from, int height, int width) {
        return new DataSet(Resize.bilinear(data.getFeatures(), from.channels(), from.height(), from.width(), height, width), data.getLabels());
    }

    /**
     * This context with its images resized to {@code height x width} (an architecture candidate's input resolution; see
     * {@link Resize}), built once per size: accuracy, calibration, export and latency then see the candidate's input. The
     * teacher and its outputs (distillation targets, row for row) stay at the data's own size. Itself at its own size.
     */
    public synchronized EvaluationContext atSize(int height, int width) {
        if (height == shape.height() && width == shape.width()) {
            return this;
        }
        if (shape.tabular()) {
            throw new IllegalArgumentException("table rows of " + shape.features() + " features cannot be resized to " + height + "x" + width);
        }
        if (parent != null) {
            return parent.atSize(height, width);
        }
        return resized.computeIfAbsent(List.of(height, width), k -> new EvaluationContext(this, height, width));
    }

    /** The samples' shape as the teacher takes them (the data's own). */
    public DataShape teacherInputShape() {
        return parent == null ? shape : parent.shape;
    }

    /** The samples' shape as the networks of this context take them. */
    public DataShape shape() {
        return shape;
    }

    /**
     * The input of the exported ONNX models per sample: {@code [c, h, w]} for images (NCHW, as users feed them), the
     * feature count for table rows. The networks themselves take flat rows ({@link #inputType()}).
     */
    public long[] onnxSample() {
        DataShape s = shape;
        return s.tabular() ? new long[] {s.features()} : new long[] {s.channels(), s.height(), s.width()};
    }

    /** The input type the teacher (and every candidate, which keeps its input) receives: flat, of the data's shape. */
    public InputType inputType() {
        return inputType;
    }

    /** A private copy of the teacher, safe to use on the calling thread. */
    public synchronized ComputationGraph teacherCopy() {
        if (parent != null) {
            return parent.teacherCopy();
        }
        return teacher.clone();
    }

    /** The teacher's class probabilities on the training split (computed on first use). */
    public synchronized INDArray teacherProbabilities() {
        if (parent != null) {
            return parent.teacherProbabilities();
        }
        if (teacherProbabilities == null) {
            teacherProbabilities = Training.predict(teacher.clone(), train.getFeatures());
        }
        return teacherProbabilities;
    }

    /** The teacher's logits (pre-softmax outputs) on the training split (computed on first use); RKD's teacher embedding. */
    public synchronized INDArray teacherLogits() {
        if (parent != null) {
            return parent.teacherLogits();
        }
        if (teacherLogits == null) {
            teacherLogits = Training.logits(teacher.clone(), train.getFeatures());
        }
        return teacherLogits;
    }

    /**
     * Inputs for calibrating quantization ranges (weights' and activations' calibration, bias correction, the INT8
     * export): the first 256 training samples and, when the run has a validation split, the first 256 validation
     * samples too; never the test split. Min-max ranges from more and more varied inputs clip fewer unseen inputs: with
     * 256 validation samples alone, the MobileNet-style user model's weakest INT8 trial (a 1,066-parameter network at 62%
     * accuracy) agreed with DL4J on 97.3% of the test inputs, with both on 98.0% (UserModelsTest).
     */
    public synchronized INDArray calibration() {
        if (calibration == null) {
            INDArray first = rows(train, 256);
            calibration = validation == test ? first : Nd4j.concat(0, first, rows(validation, 256));
        }
        return calibration;
    }

    private static INDArray rows(DataSet data, long n) {
        return data.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, Math.min(n, data.numExamples())),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
    }

    public DataSet train() {
        return train;
    }

    /**
     * The network {@code make} returns, made once per context tree (the root's cache; resized contexts share it) under
     * {@code key}: the first caller makes it, later callers wait for it and get the same instance (to read only). A
     * failure is not cached: the next caller tries again.
     */
    public ComputationGraph shared(String key, java.util.function.Supplier<ComputationGraph> make) {
        if (parent != null) {
            return parent.shared(key, make);
        }
        java.util.concurrent.CompletableFuture<ComputationGraph> mine = new java.util.concurrent.CompletableFuture<>();
        java.util.concurrent.CompletableFuture<ComputationGraph> theirs = sharedNetworks.putIfAbsent(key, mine);
        if (theirs != null) {
            try {
                return theirs.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : e;
            }
        }
        try {
            ComputationGraph made = make.get();
            mine.complete(made);
            return made;
        } catch (RuntimeException | Error e) {
            sharedNetworks.remove(key, mine);
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** Held-out training samples, for every choice a search makes ({@code accuracy}). */
    public DataSet validation() {
        return validation;
    }

    /** Test samples, only for reporting {@code test_accuracy}. */
    public DataSet test() {
        return test;
    }

    public int rows() {
        return shape.height();
    }

    public int cols() {
        return shape.width();
    }

    public int classes() {
        return classes;
    }

    public double baselineAccuracy() {
        return baselineAccuracy;
    }

    public long baselineSizeBytes() {
        return baselineSizeBytes;
    }

    public List<HardwareProfile> profiles() {
        return profiles;
    }
}
