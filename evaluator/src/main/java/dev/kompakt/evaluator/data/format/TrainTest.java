package dev.kompakt.evaluator.data.format;

import dev.kompakt.evaluator.data.PackedDataset;

/** The train and test splits a format reader produced; same shape, same classes. */
public record TrainTest(PackedDataset train, PackedDataset test) {
}
