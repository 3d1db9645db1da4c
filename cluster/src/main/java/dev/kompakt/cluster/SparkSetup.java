package dev.kompakt.cluster;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

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

    public static JavaSparkContext start(SparkConf conf) {
        return new JavaSparkContext(conf);
    }
}
