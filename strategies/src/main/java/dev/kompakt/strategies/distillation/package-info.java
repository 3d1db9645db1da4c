/**
 * Knowledge distillation losses as DL4J loss functions: response-based ({@code DistillationLoss}) and relation-based
 * RKD ({@code RelationalDistillationLoss}), and {@code DistillationStrategy}, which trains a candidate with them (the
 * only class here that uses the root package's strategy interfaces). DL4J would write a loss into
 * a saved model's JSON by class name, but Kompakt never saves a network that carries one (baselines train with plain
 * cross-entropy, students are exported to ONNX); keep it so, or these classes could not move again.
 */
package dev.kompakt.strategies.distillation;
