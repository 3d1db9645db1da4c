package dev.kompakt.cluster;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The Spark configuration every Kompakt search uses: Kryo with registration required, one ND4J/OpenMP thread
 * per task on executors (3x faster than oversubscribing in the stack probe), and the app's jars shipped to
 * executors. Settings already present (e.g. from {@code spark-submit --conf}) are kept.
 */
public final class SparkSetup {
    private SparkSetup() {
    }

    /**
     * @param master  a master URL ({@code local[*]}, {@code spark://host:7077}, ...), or null to keep the one
     *                spark-submit set (defaulting to {@code local[*]})
     * @param appJars comma-separated jars to ship to executors, or null when they are already on the classpath
     */
    public static SparkConf conf(String appName, String master, String appJars) {
        SparkConf conf = new SparkConf().setAppName(appName);
        if (master != null) {
            conf.setMaster(master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
        conf.set("spark.kryo.registrationRequired", "true");
        conf.set("spark.kryo.registrator", KompaktKryoRegistrator.class.getName());
        conf.setIfMissing("spark.executorEnv.OMP_NUM_THREADS", "1");
        conf.setIfMissing("spark.ui.enabled", "false");
        conf.setIfMissing("spark.ui.showConsoleProgress", "false");
        // Trials are independent jobs: let them share executors fairly instead of first-come-first-served.
        conf.setIfMissing("spark.scheduler.mode", "FAIR");
        // A failing candidate is reported as data, not thrown; a task that still fails is an infrastructure fault.
        conf.setIfMissing("spark.task.maxFailures", "2");
        if (appJars != null && !appJars.isBlank()) {
            conf.set("spark.jars", appJars);
        }
        return conf;
    }

    /** A standalone master ({@code spark://...}) that no connection reaches. */
    public static final class MasterUnreachableException extends java.io.IOException {
        public MasterUnreachableException(String message) {
            super(message);
        }
    }

    /**
     * Fails fast when a standalone master URL ({@code spark://host:port[,host2:port2]}) cannot be reached: Spark itself
     * retries registration for about a minute and then prints pages of stack traces. A TCP connection to any of the
     * listed masters within {@code timeout} passes (whether it is a Spark master is Spark's to find out); other masters
     * (local, YARN, Kubernetes) are not checked.
     */
    public static void requireReachable(String masterOption, java.time.Duration timeout) throws MasterUnreachableException {
        String master = masterOption != null ? masterOption : System.getProperty("spark.master"); // spark-submit sets it
        if (master == null || !master.startsWith("spark://")) {
            return;
        }
        List<String> problems = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            String host = colon > 0 ? hostPort.substring(0, colon) : hostPort;
            int port;
            try {
                port = colon > 0 ? Integer.parseInt(hostPort.substring(colon + 1)) : 7077;
            } catch (NumberFormatException e) {
                throw new MasterUnreachableException("--master " + master + ": '" + hostPort + "' is not host:port");
            }
            try (java.net.Socket socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress(host, port), (int) timeout.toMillis());
                return;
            } catch (java.net.UnknownHostException e) {
                problems.add(host + ": unknown host");
            } catch (java.net.SocketTimeoutException e) {
                problems.add(hostPort + ": no answer within " + timeout.toSeconds() + " s");
            } catch (java.io.IOException e) {
                problems.add(hostPort + ": " + (e.getMessage() == null ? "cannot connect" : e.getMessage().toLowerCase(java.util.Locale.ROOT)));
            }
        }
        throw new MasterUnreachableException("cannot reach the Spark master " + master + " (" + String.join("; ", problems)
                + "): is it running, and is --master right? Nothing was written.");
    }

    public static JavaSparkContext start(SparkConf conf) {
        return new JavaSparkContext(conf);
    }
}
