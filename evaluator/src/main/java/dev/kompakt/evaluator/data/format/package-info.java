/**
 * Readers of users' data formats, each into a pair of {@link dev.kompakt.evaluator.data.PackedDataset}s (train and
 * test) in a cache directory, streaming the input one record or file at a time: {@code idx} (IDX3/IDX4 unsigned-byte
 * images of any size and channel count), {@code cifar10} and {@code cifar100} (the official binary batches),
 * {@code folder} (one sub-folder of PNG/JPEG images per class, resized) and {@code csv} (numeric features and a label
 * column). {@link dev.kompakt.evaluator.data.format.DatasetFormats} maps the spec names to readers; packed files are
 * named by a hash of the input files and options, so unchanged input is packed once.
 */
package dev.kompakt.evaluator.data.format;
