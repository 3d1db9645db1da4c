package dev.kompakt.evaluator.net;

import dev.kompakt.evaluator.data.SampleSet;
import org.nd4j.linalg.dataset.DataSet;

/** Converts samples to ND4J arrays: features after the samples' normalisation, labels one-hot. */
public final class Tensors {
    private Tensors() {
    }

    /** See {@link SampleSet#toDataSet()}. */
    public static DataSet toDataSet(SampleSet data) {
        return data.toDataSet();
    }
}
