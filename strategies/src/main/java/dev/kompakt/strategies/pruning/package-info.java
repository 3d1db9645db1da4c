/**
 * Pruning: global magnitude pruning with masks and its gradual (AGP) schedule, per-layer sensitivity analysis,
 * dependency-aware structured channel pruning of graphs with its importance criteria and weight inheritance, and
 * sparsity-inducing regularisation (L1, group lasso); and three strategies built on them: {@code StudentStrategy}
 * (narrower students), {@code PruningStrategy} and {@code RegularizationStrategy}. Uses {@code WeightTensors} of {@code dev.kompakt.strategies} and,
 * for the stride of a channel in a C-order tensor, {@code ChannelQuantization.stride} of
 * {@code dev.kompakt.strategies.quantization}; knows nothing of distillation.
 */
package dev.kompakt.strategies.pruning;
