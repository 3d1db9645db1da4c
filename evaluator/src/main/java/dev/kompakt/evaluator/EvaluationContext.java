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
import org.nd4j.linalg.factory.Nd4j;

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
