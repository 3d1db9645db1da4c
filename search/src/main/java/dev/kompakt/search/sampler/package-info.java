/**
 * Samplers, which propose the next trial's assignment: random, Sobol (QMC), MO-TPE with its Parzen estimator, NSGA-II,
 * and the warm-start wrapper that feeds an earlier run's trials to another sampler. They use the core types of
 * {@code dev.kompakt.search} and the sorting and hypervolume of {@code dev.kompakt.search.pareto}; they see a study
 * only through {@link dev.kompakt.search.sampler.Sampler.Context} and know nothing of early stopping or journals.
 */
package dev.kompakt.search.sampler;
