package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.DataShape;

/**
 * What a reader may need beyond the input path; each format uses only its own options.
 *
 * @param classes      the class count, or 0 to take it from the labels (labels at or above a given count are an error)
 * @param imageShape   {@code folder}: the channels (1 grey, 3 RGB), height and width images are converted to; null elsewhere
 * @param labelColumn  {@code csv}: the name of the label column
 * @param coarseLabels {@code cifar100}: use the 20 coarse labels instead of the 100 fine ones
 */
public record ReadOptions(int classes, DataShape imageShape, String labelColumn, boolean coarseLabels) {
    public ReadOptions {
        if (classes < 0) {
            throw new IllegalArgumentException("class count must not be negative, got " + classes);
        }
        if (labelColumn == null || labelColumn.isBlank()) {
            throw new IllegalArgumentException("label column must be named");
        }
    }

    /** Classes from the labels, no image size, label column {@code label}, CIFAR-100 fine labels. */
    public static ReadOptions defaults() {
        return new ReadOptions(0, null, "label", false);
    }

    public ReadOptions withClasses(int classes) {
        return new ReadOptions(classes, imageShape, labelColumn, coarseLabels);
    }

    public ReadOptions withImageShape(DataShape imageShape) {
        return new ReadOptions(classes, imageShape, labelColumn, coarseLabels);
    }

    public ReadOptions withLabelColumn(String labelColumn) {
        return new ReadOptions(classes, imageShape, labelColumn, coarseLabels);
    }

    public ReadOptions withCoarseLabels(boolean coarseLabels) {
        return new ReadOptions(classes, imageShape, labelColumn, coarseLabels);
    }
}
