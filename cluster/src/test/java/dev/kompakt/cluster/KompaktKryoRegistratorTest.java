package dev.kompakt.cluster;

import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What Kompakt sends through Spark's Kryo round-trips with registration required; anything else is refused. */
class KompaktKryoRegistratorTest {
    private static final ClassTag<Object> ANY = ClassTag$.MODULE$.apply(Object.class);

    /** A class nobody registered. */
    static final class Unregistered extends HashMap<String, String> {
        private static final long serialVersionUID = 1L;
    }

    private static SerializerInstance kryo(SparkConf conf) {
        return new KryoSerializer(conf).newInstance();
    }

    private static SparkConf strict() {
        return new SparkConf(false)
                .set("spark.kryo.registrationRequired", "true")
                .set("spark.kryo.registrator", KompaktKryoRegistrator.class.getName());
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(SerializerInstance ser, T value) {
        ByteBuffer bytes = ser.serialize(value, ANY);
        return (T) ser.deserialize(bytes, ANY);
    }

    @Test
    void payloadArrayRoundTrips() {
        for (SparkConf conf : new SparkConf[] {strict(), SparkSetup.conf("kryo-test", "local[1]", null)}) {
            assertEquals("true", conf.get("spark.kryo.registrationRequired"));
            byte[][] payload = {"{\"id\":\"run\"}".getBytes(), new byte[0], new byte[] {1, 2, 3, -128, 127}, new byte[70_000]};
            payload[3][69_999] = 42;
            byte[][] back = roundTrip(kryo(conf), payload);
            assertEquals(payload.length, back.length);
            for (int i = 0; i < payload.length; i++) {
                assertArrayEquals(payload[i], back[i], "part " + i);
            }
        }
    }

    @Test
    void listOfByteArraysRoundTrips() {
        ArrayList<byte[]> list = new ArrayList<>(List.of(new byte[] {9, 8, 7}, new byte[] {}, "outcome".getBytes()));
        ArrayList<byte[]> back = roundTrip(kryo(strict()), list);
        assertEquals(ArrayList.class, back.getClass());
        assertEquals(3, back.size());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(list.get(i), back.get(i));
        }
        // single outcome bytes and Object[] of them (what collect returns) too
        assertArrayEquals(new byte[] {5, 6}, roundTrip(kryo(strict()), new byte[] {5, 6}));
        Object[] arr = roundTrip(kryo(strict()), new Object[] {new byte[] {1}, new byte[] {2, 3}});
        assertArrayEquals(new byte[] {2, 3}, (byte[]) arr[1]);
    }

    @Test
    void unregisteredClassIsRefused() {
        Unregistered map = new Unregistered();
        map.put("k", "v");
        Throwable t = assertThrows(Throwable.class, () -> kryo(strict()).serialize(map, ANY));
        String all = chain(t);
        assertTrue(all.contains("Class is not registered"), all);
        assertTrue(all.contains(Unregistered.class.getName()), all);
    }

    private static String chain(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }
}
