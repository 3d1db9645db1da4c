/**
 * The composition of the strategies: {@link dev.kompakt.strategies.plan.Strategies} (the registry, in build order),
 * {@link dev.kompakt.strategies.plan.CompressionPlan} (one candidate: a typed plan per strategy) and
 * {@link dev.kompakt.strategies.plan.CompressionSpace} (the search space from the strategies' ranges). Uses every
 * strategy package; nothing in them uses this one.
 */
package dev.kompakt.strategies.plan;
