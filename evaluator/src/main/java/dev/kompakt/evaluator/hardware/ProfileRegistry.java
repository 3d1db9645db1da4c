package dev.kompakt.evaluator.hardware;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The simulated device profiles: the built-in ones (classpath {@code profiles/<id>.json}) plus any
 * {@code *.json} in an optional user directory, which override built-ins with the same id.
 */
public final class ProfileRegistry {
    /**
     * The document the built-in profiles' sources cite: "hardware-profiles.md 2.1" is its section 2.1. It ships
     * beside them, at this classpath resource (in the evaluator jar under {@code profiles/}).
     */
    public static final String SOURCES_RESOURCE = "/profiles/hardware-profiles.md";
    /** The same document in the source tree. */
    public static final String SOURCES_PATH = "evaluator/src/main/resources/profiles/hardware-profiles.md";
    /** The tags that start every source in the built-in profiles, as the document's legend defines them. */
    public static final String SOURCE_TAGS = "[C] cited from the named source; [D] derived from cited inputs by the formula given; "
            + "[A] assumed or recalled, to verify; [C*] cited through a third party's transcription of the source; "
            + "[C/D] partly cited, partly derived; [D/A] derived, with at least one assumed input";
    public static final List<String> BUILT_IN = List.of("rpi4", "rpi5", "jetson-orin-nano", "coral-edgetpu", "snapdragon-npu", "stm32h7", "xeon-vnni", "a100", "h100");
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final Map<String, HardwareProfile> profiles;

    private ProfileRegistry(Map<String, HardwareProfile> profiles) {
        this.profiles = Map.copyOf(profiles);
    }

    public static ProfileRegistry builtIn() {
        return load(null);
    }

    public static ProfileRegistry load(Path userDirectory) {
        Map<String, HardwareProfile> all = new TreeMap<>();
        for (String id : BUILT_IN) {
            try (InputStream in = ProfileRegistry.class.getResourceAsStream("/profiles/" + id + ".json")) {
                if (in == null) {
                    throw new IllegalStateException("built-in profile profiles/" + id + ".json missing from the classpath");
                }
                all.put(id, JSON.readValue(in, HardwareProfile.class));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read built-in profile " + id, e);
            }
        }
        if (userDirectory != null && Files.isDirectory(userDirectory)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(userDirectory, "*.json")) {
                for (Path f : files) {
                    try {
                        HardwareProfile p = JSON.readValue(f.toFile(), HardwareProfile.class);
                        all.put(p.id(), p);
                    } catch (IOException | IllegalArgumentException e) {
                        throw new IllegalArgumentException(f + ": not a valid hardware profile: " + e.getMessage(), e);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + userDirectory, e);
            }
        }
        return new ProfileRegistry(all);
    }

    public HardwareProfile get(String id) {
        HardwareProfile p = profiles.get(id);
        if (p == null) {
            throw new IllegalArgumentException("unknown hardware profile '" + id + "' (known: " + String.join(", ", new TreeMap<>(profiles).keySet()) + ")");
        }
        return p;
    }

    public boolean contains(String id) {
        return profiles.containsKey(id);
    }

    public Map<String, HardwareProfile> all() {
        return new TreeMap<>(profiles);
    }
}
