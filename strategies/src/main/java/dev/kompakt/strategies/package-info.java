/**
 * What the compression strategies share: {@link dev.kompakt.strategies.CompressionStrategy} (one strategy: its range,
 * its typed plan, its search-space fragment, its phases in building a candidate), {@link dev.kompakt.strategies.Option}
 * (a strategy's named choices), {@link dev.kompakt.strategies.CandidateBuild} (a candidate while it is built, as the
 * strategies see it; the evaluator implements it), {@link dev.kompakt.strategies.WeightTensors} (which tensors of a graph
 * are weights), {@link dev.kompakt.strategies.MultiLayerConversion}, and the DL4J activations
 * {@link dev.kompakt.strategies.HardSwish} and {@link dev.kompakt.strategies.QuantizedActivation}. It uses only the
 * search module and DL4J; the subpackages (one per family of strategies) use it, and {@code plan} composes them. The two
 * activations stay in this package whatever they use (QuantizedActivation the quantization grid): DL4J writes them into
 * a saved model's JSON by fully qualified class name, so moving either would make saved models unreadable.
 */
package dev.kompakt.strategies;
