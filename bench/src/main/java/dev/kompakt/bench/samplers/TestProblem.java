package dev.kompakt.bench.samplers;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Objective;
import dev.kompakt.search.SearchSpace;

import java.util.ArrayList;
import java.util.List;

/**
 * A multi-objective benchmark problem (all objectives minimised) with a known Pareto front: its Kompakt search
 * space, its objective function, and its true front (for normalisation and the hypervolume ratio).
 */
public interface TestProblem {

    /** Short name used on the command line and in the table, e.g. "ZDT1". */
    String name();

    /** One line on the variables, e.g. "30 floats in [0, 1]". */
    String variables();

    SearchSpace space();

    int objectiveCount();

    /** Objective values of an assignment of {@link #space()}, all to be minimised. */
    double[] evaluate(Assignment assignment);

    TrueFront trueFront();

    /**
     * The reference point (per objective, on normalised objectives) under which methods are told apart at small
     * budgets: 11 on the ZDT problems, where under 1.1 nearly every method scores 0, and 1.1 on DTLZ2.
     */
    double separatingReference();

    /** Objective names reported to the study: "f1", "f2", ... */
    default List<Objective> objectives() {
        List<Objective> objectives = new ArrayList<>();
        for (int i = 1; i <= objectiveCount(); i++) {
            objectives.add(Objective.minimize("f" + i));
        }
        return objectives;
    }
}
