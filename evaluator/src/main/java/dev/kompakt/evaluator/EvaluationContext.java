package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.DataShape;
import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.HardwareProfile;
import dev.kompakt.evaluator.net.Networks;
import dev.kompakt.evaluator.net.Tensors;
import dev.kompakt.evaluator.net.Training;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * What every candidate evaluation in one JVM shares: the baseline (teacher) network, the train and test
 * splits as ND4J arrays, the baseline's measured accuracy and size, and the simulated devices. Built once
 * per executor JVM. Thread-safe: the teacher is only read through {@link #teacherCopy()} and the teacher's
 * predictions are computed once under a lock.
 */
public final class EvaluationContext {
    private final ComputationGraph teacher;
    private final InputType inputType;
    private final SampleSet trainRaw;
    private final DataSet train;
    private final DataSet validation;
    private final DataSet test;
    private final double baselineAccuracy;
    private final long baselineSizeBytes;
    private final List<HardwareProfile> profiles;
    private INDArray teacherProbabilities;
    private INDArray teacherLogits;

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
        this.trainRaw = train;
        this.train = Tensors.toDataSet(train);
        this.test = Tensors.toDataSet(test);
        this.validation = validation == test ? this.test : Tensors.toDataSet(validation);
        this.baselineAccuracy = baselineAccuracy;
        this.baselineSizeBytes = baselineSizeBytes;
        this.profiles = List.copyOf(profiles);
    }

    /**
     * The input of the exported ONNX models per sample: {@code [c, h, w]} for images (NCHW, as users feed them), the
     * feature count for table rows. The networks themselves take flat rows ({@link #inputType()}).
     */
    public long[] onnxSample() {
        DataShape s = trainRaw.shape();
        return s.tabular() ? new long[] {s.features()} : new long[] {s.channels(), s.height(), s.width()};
    }

    /** The input type the teacher (and every candidate, which keeps its input) receives: flat, of the data's shape. */
    public InputType inputType() {
        return inputType;
    }

    /** A private copy of the teacher, safe to use on the calling thread. */
    public synchronized ComputationGraph teacherCopy() {
        return teacher.clone();
    }

    /** The teacher's class probabilities on the training split (computed on first use). */
    public synchronized INDArray teacherProbabilities() {
        if (teacherProbabilities == null) {
            teacherProbabilities = Training.predict(teacher.clone(), train.getFeatures());
        }
        return teacherProbabilities;
    }

    /** The teacher's logits (pre-softmax outputs) on the training split (computed on first use); RKD's teacher embedding. */
    public synchronized INDArray teacherLogits() {
        if (teacherLogits == null) {
            teacherLogits = Training.logits(teacher.clone(), train.getFeatures());
        }
        return teacherLogits;
    }

    /**
     * Up to 256 inputs for calibrating quantization ranges (weights' and activations' calibration, bias correction, the
     * INT8 export): the validation samples' first, or the training samples' when validation is the test split (runs
     * recorded before validation splits, and tests), so the test split is never read to choose anything.
     */
    public INDArray calibration() {
        DataSet source = validation == test ? train : validation;
        long n = Math.min(256, source.numExamples());
        return source.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n), org.nd4j.linalg.indexing.NDArrayIndex.all());
    }

    public DataSet train() {
        return train;
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
        return trainRaw.rows();
    }

    public int cols() {
        return trainRaw.cols();
    }

    public int classes() {
        return trainRaw.classes();
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
