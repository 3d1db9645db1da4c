/**
 * Quantization: uniform weight quantization per channel or per tensor ({@code QuantizationScheme},
 * {@code ChannelQuantization}, {@code WeightQuantizer}), the calibrations that choose a range (min-max, percentile, MSE,
 * entropy), bias correction, and activation quantization, which puts {@code QuantizedActivation} (kept in
 * {@code dev.kompakt.strategies}, see there) into a graph; and {@code QuantizationStrategy}, which applies them to a
 * candidate. Uses {@code WeightTensors} and {@code QuantizedActivation} of
 * {@code dev.kompakt.strategies}; knows nothing of pruning or distillation.
 */
package dev.kompakt.strategies.quantization;
