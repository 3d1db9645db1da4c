/**
 * Early stoppers, which decide from the learning curves the trials reported whether a running trial is worth training
 * on: the median rule, ASHA, Hyperband, multi-objective ASHA, and {@code NeverStop}; {@code Rungs} is the rung arithmetic
 * they share. They use the core types of {@code dev.kompakt.search}, and multi-objective ASHA the sorting and hypervolume
 * of {@code dev.kompakt.search.pareto}; they know nothing of samplers or journals.
 */
package dev.kompakt.search.stopping;
