package dev.kompakt.evaluator.hardware;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Energy per inference on this host: measured with Intel RAPL (the package energy counter in
 * {@code /sys/class/powercap/intel-rapl:0/energy_uj}) when it is readable, else modelled as
 * {@code watts per busy core x threads x latency}, with CodeCarbon's rule of half the TDP when no counter is
 * read (hardware-profiles.md sections 5 and 6.3): the xeon-vnni profile's 350 W TDP [A] x 50 % over its 56 cores
 * = 3.125 W per core. RAPL counts the whole package, so on a busy machine it includes other work.
 */
public final class HostEnergy {
    static final Path RAPL = Path.of("/sys/class/powercap/intel-rapl:0/energy_uj");
    /** Watts of one busy core when no counter can be read: 350 W x 0.5 / 56 cores. */
    public static final double MODEL_WATTS_PER_CORE = 350.0 * 0.5 / 56;

    private HostEnergy() {
    }

    /** The package energy counter in microjoules, when readable. */
    public static OptionalLong readMicrojoules() {
        try {
            return Files.isReadable(RAPL) ? OptionalLong.of(Long.parseLong(Files.readString(RAPL).trim())) : OptionalLong.empty();
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Modelled energy of one inference, in millijoules. */
    public static double modelMillijoules(double latencyMs, int threads) {
        return MODEL_WATTS_PER_CORE * threads * latencyMs;
    }
}
