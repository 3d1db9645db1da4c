/**
 * Pareto dominance and multi-objective indicators: Deb's constrained dominance, fast non-dominated sorting with its
 * front indices (k-d tree, staircase), exact hypervolume and its history over a run, normalisation, and the Pareto front
 * of a study's trials. {@code Dominance}, {@code NonDominatedSorting} and {@code Hypervolume} work on plain
 * minimisation vectors; the rest read the core types of {@code dev.kompakt.search} ({@code Trial}, {@code Objective},
 * {@code Constraint}). Nothing here knows of samplers, stoppers or journals.
 */
package dev.kompakt.search.pareto;
