package dev.kompakt.cluster;

import dev.kompakt.evaluator.data.ImageDataset;
import dev.kompakt.evaluator.hardware.HardwareProfile;

import java.util.List;

/**
 * Everything executors need to evaluate trials of one search, broadcast once: the baseline network (DL4J
 * zip bytes), the train and test splits, and the run's fixed facts. Sent as {@code byte[][]} (header JSON,
 * train, test, model) so the large parts are never re-encoded.
 */
public record JobPayload(Header header, ImageDataset train, ImageDataset test, byte[] baselineModel) {

    /** The small, JSON-encoded part of the payload. {@code id} identifies the search run. */
    public record Header(String id, double baselineAccuracy, long baselineSizeBytes,
                         List<HardwareProfile> profiles, int latencyWarmup, int latencyRepeats, int latencyBatch,
                         int intraOpThreads) {
        public Header {
            profiles = List.copyOf(profiles);
        }
    }

    public byte[][] toBytes() {
        return new byte[][] {Wire.toBytes(header), train.toBytes(), test.toBytes(), baselineModel};
    }

    public static JobPayload fromBytes(byte[][] parts) {
        if (parts.length != 4) {
            throw new IllegalArgumentException("job payload has " + parts.length + " parts, expected 4");
        }
        return new JobPayload(Wire.fromBytes(parts[0], Header.class), ImageDataset.fromBytes(parts[1]),
                ImageDataset.fromBytes(parts[2]), parts[3]);
    }
}
