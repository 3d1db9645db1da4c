/**
 * The search engine's core: the search space ({@link dev.kompakt.search.SearchSpace}, {@link dev.kompakt.search.Parameter},
 * {@link dev.kompakt.search.Assignment}), objectives and constraints, trials and their results, seeds, and
 * {@link dev.kompakt.search.Study}, the ask/tell loop. The value types use only the JDK; {@code Study} is the one class
 * that reaches into the subpackages, tying them together: a sampler proposes, an early stopper judges, the journal
 * records, and the Pareto front answers. Nothing in this module uses Spark, Pekko or DL4J.
 */
package dev.kompakt.search;
