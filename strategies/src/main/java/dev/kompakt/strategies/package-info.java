/**
 * What the compression strategies share: {@link dev.kompakt.strategies.CompressionPlan} (one candidate's recipe) and
 * {@link dev.kompakt.strategies.CompressionSpace} (the search space of plans), which name the operators of the
 * subpackages; {@link dev.kompakt.strategies.WeightTensors} (which tensors of a graph are weights);
 * {@link dev.kompakt.strategies.MultiLayerConversion}; and the DL4J activations {@link dev.kompakt.strategies.HardSwish}
 * and {@link dev.kompakt.strategies.QuantizedActivation}. The two activations stay in this package whatever they use
 * (QuantizedActivation the quantization grid): DL4J writes them into a saved model's JSON by fully qualified class
 * name, so moving either would make saved models unreadable.
 */
package dev.kompakt.strategies;
