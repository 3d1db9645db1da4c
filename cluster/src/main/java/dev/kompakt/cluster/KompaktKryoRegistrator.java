package dev.kompakt.cluster;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers what Kompakt sends through Spark's Kryo serializer with {@code spark.kryo.registrationRequired=true}:
 * trials and outcomes travel as JSON {@code byte[]}, the broadcast payload as {@code byte[][]}, and collected
 * results as arrays of those.
 */
public final class KompaktKryoRegistrator implements KryoRegistrator {
    @Override
    public void registerClasses(Kryo kryo) {
        kryo.register(byte[].class);
        kryo.register(byte[][].class);
        kryo.register(Object[].class);
        kryo.register(java.util.ArrayList.class);
    }
}
