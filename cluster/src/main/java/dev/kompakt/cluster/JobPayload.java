package dev.kompakt.cluster;

import dev.kompakt.evaluator.data.SampleSet;
import dev.kompakt.evaluator.hardware.HardwareProfile;

import java.util.List;

/**
 * Everything executors need to evaluate trials of one search, broadcast once: the baseline network (DL4J
 * zip bytes), the train, validation and test samples, and the run's fixed facts. Sent as {@code byte[][]} (header JSON,
 * train, validation, test, model) so the large parts are never re-encoded.
 */
public record JobPayload(Header header, SampleSet train, SampleSet validation, SampleSet test, byte[] baselineModel) {

    /** The small, JSON-encoded part of the payload. {@code id} identifies the search run. */
    public record Header(String id, double baselineAccuracy, long baselineSizeBytes,
                         List<HardwareProfile> profiles, int latencyWarmup, int latencyRepeats, int latencyBatch,
                         int intraOpThreads) {
        public Header {
            profiles = List.copyOf(profiles);
        }
    }

    public byte[][] toBytes() {
        return new byte[][] {Wire.toBytes(header), train.toBytes(), validation.toBytes(), test.toBytes(), baselineModel};
    }

    public static JobPayload fromBytes(byte[][] parts) {
        if (parts.length != 5) {
            throw new IllegalArgumentException("job payload has " + parts.length + " parts, expected 5");
        }
        return new JobPayload(Wire.fromBytes(parts[0], Header.class), SampleSet.fromBytes(parts[1]), SampleSet.fromBytes(parts[2]),
                SampleSet.fromBytes(parts[3]), parts[4]);
    }
}
