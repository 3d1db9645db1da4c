/**
 * Training data.
 *
 * <p>The Fashion-MNIST path of today: {@link dev.kompakt.evaluator.data.DatasetSource} finds the four IDX files,
 * {@link dev.kompakt.evaluator.data.IdxReader} reads them into an in-heap
 * {@link dev.kompakt.evaluator.data.SampleSet} of 28x28-style grey images.
 *
 * <p>Data of any shape and class count: a {@link dev.kompakt.evaluator.data.Dataset} gives samples of a
 * {@link dev.kompakt.evaluator.data.DataShape} (channels x height x width, or a tabular row) one at a time, so it need
 * not fit in heap; {@link dev.kompakt.evaluator.data.PackedDataset} is its memory-mapped cache file, into which each
 * reader of {@code dev.kompakt.evaluator.data.format} streams its input.
 * {@link dev.kompakt.evaluator.data.Normalization} holds per-channel mean and std (applied when a batch is built),
 * {@link dev.kompakt.evaluator.data.Splits} the stratified, seeded train/validation split and subsets. Bad data is a
 * {@link dev.kompakt.evaluator.data.DataException} whose message starts with the file at fault.
 */
package dev.kompakt.evaluator.data;
