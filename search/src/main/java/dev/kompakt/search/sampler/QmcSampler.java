package dev.kompakt.search.sampler;

import dev.kompakt.search.Assignment;
import dev.kompakt.search.Parameter;
import dev.kompakt.search.Seeds;
import org.apache.commons.math3.random.SobolSequenceGenerator;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Quasi-random sampling: trial {@code n} takes point {@code n + 1} of a Sobol sequence (Commons Math's
 * {@link SobolSequenceGenerator}, Joe and Kuo direction numbers) in the unit cube with one coordinate per
 * parameter, shifted modulo 1 by a seeded random vector (a Cranley-Patterson rotation), so every seed gives a
 * different low-discrepancy design while each one keeps the sequence's even coverage. Point 0 of the sequence
 * (the origin) is skipped. Coordinates of inactive conditional parameters are ignored. Stateless: the point
 * depends only on the seed, the space and the trial number.
 */
public final class QmcSampler implements Sampler {
    /** Commons Math's Sobol generator supports up to 1,000 dimensions. */
    public static final int MAX_PARAMETERS = 1000;

    private final long seed;

    public QmcSampler(long seed) {
        this.seed = seed;
    }

    @Override
    public Assignment sample(Context context) {
        List<Parameter> params = context.space().parameters();
        if (params.isEmpty()) {
            return context.space().fromUnit(p -> 0.5);
        }
        if (params.size() > MAX_PARAMETERS) {
            throw new IllegalArgumentException("the Sobol sampler supports at most " + MAX_PARAMETERS + " parameters, the space has "
                    + params.size());
        }
        SobolSequenceGenerator sobol = new SobolSequenceGenerator(params.size());
        double[] point = sobol.skipTo(context.trialNumber() + 1);
        SplittableRandom shift = new SplittableRandom(Seeds.mix(seed ^ 0x50B0_1C0DEL));
        double[] unit = new double[point.length];
        for (int i = 0; i < point.length; i++) {
            double u = point[i] + shift.nextDouble();
            unit[i] = Math.min(u - Math.floor(u), Math.nextDown(1.0));
        }
        return context.space().fromUnit(p -> unit[params.indexOf(p)]);
    }
}
