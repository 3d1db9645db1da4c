package dev.kompakt.evaluator;

import dev.kompakt.evaluator.data.ImageDataset;
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
    private final ImageDataset trainRaw;
    private final DataSet train;
    private final DataSet test;
    private final double baselineAccuracy;
    private final long baselineSizeBytes;
    private final List<HardwareProfile> profiles;
    private INDArray teacherProbabilities;
    private INDArray teacherLogits;

    /**
     * @param teacher the baseline graph, taking flat inputs of the data's shape (see {@link Networks#inputType})
     */
    public EvaluationContext(ComputationGraph teacher, ImageDataset train, ImageDataset test,
                             double baselineAccuracy, long baselineSizeBytes, List<HardwareProfile> profiles) {
        this.teacher = teacher;
        this.inputType = Networks.inputType(teacher, train.rows(), train.cols(), 1);
        this.trainRaw = train;
        this.train = Tensors.toDataSet(train);
        this.test = Tensors.toDataSet(test);
        this.baselineAccuracy = baselineAccuracy;
        this.baselineSizeBytes = baselineSizeBytes;
        this.profiles = List.copyOf(profiles);
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

    /** Up to 256 training inputs for INT8 activation calibration. */
    public INDArray calibration() {
        long n = Math.min(256, train.numExamples());
        return train.getFeatures().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n), org.nd4j.linalg.indexing.NDArrayIndex.all());
    }

    public DataSet train() {
        return train;
    }

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
