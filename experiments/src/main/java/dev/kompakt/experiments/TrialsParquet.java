package dev.kompakt.experiments;

import dev.kompakt.search.Trial;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's trials as a Spark table (and a Parquet file), for users who analyse searches with Spark: one row per trial,
 * with a fixed schema whatever the run searched, so tables of many runs union:
 * {@code trial int, state string, started string, finished string, seconds double, worker string, error string,
 * params map<string,string>, metrics map<string,double>} (times ISO-8601 UTC; parameters as the journal writes them;
 * metrics under their names, e.g. {@code metrics['latency_ms@rpi4']}).
 */
public final class TrialsParquet {
    public static final StructType SCHEMA = new StructType()
            .add("trial", DataTypes.IntegerType, false)
            .add("state", DataTypes.StringType, false)
            .add("started", DataTypes.StringType, true)
            .add("finished", DataTypes.StringType, true)
            .add("seconds", DataTypes.DoubleType, true)
            .add("worker", DataTypes.StringType, true)
            .add("error", DataTypes.StringType, true)
            .add("params", DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType, true), false)
            .add("metrics", DataTypes.createMapType(DataTypes.StringType, DataTypes.DoubleType, true), false);

    private TrialsParquet() {
    }

    /** The trials as a DataFrame of {@link #SCHEMA} in {@code spark} (e.g. inside a user's own Spark job). */
    public static Dataset<Row> frame(SparkSession spark, List<Trial> trials) {
        List<Row> rows = new ArrayList<>();
        for (Trial t : trials) {
            Map<String, String> params = new LinkedHashMap<>();
            t.assignment().values().forEach((k, v) -> params.put(k, String.valueOf(v)));
            Double seconds = t.started() != null && t.finished() != null
                    ? java.time.Duration.between(t.started(), t.finished()).toMillis() / 1000.0 : null;
            rows.add(RowFactory.create(t.number(), t.state().name(), t.started() == null ? null : t.started().toString(),
                    t.finished() == null ? null : t.finished().toString(), seconds, t.worker(), t.error(), params,
                    new LinkedHashMap<>(t.metrics())));   // java.util.Map: Spark converts it for a map column
        }
        return spark.createDataFrame(rows, SCHEMA);
    }

    /**
     * Writes {@code trials} as Parquet to the directory {@code out} (Spark's layout: part files and _SUCCESS) with a local
     * Spark session of its own, stopped afterwards, which Spark users' jobs read with {@code spark.read().parquet(out)}. An
     * existing {@code out} is replaced only with {@code replace}. Inside a running Spark application use {@link #frame}.
     */
    public static void write(List<Trial> trials, Path out, boolean replace) {
        boolean ours = SparkSession.getActiveSession().isEmpty() && SparkSession.getDefaultSession().isEmpty()
                && org.apache.spark.SparkContext$.MODULE$.getActive().isEmpty();
        if (!ours) {
            throw new IllegalStateException("a Spark context is already running in this JVM: use TrialsParquet.frame(spark, trials) with it");
        }
        SparkSession spark = SparkSession.builder().master("local[1]").appName("kompakt-trials")
                .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate();
        try {
            frame(spark, trials).coalesce(1).write().mode(replace ? SaveMode.Overwrite : SaveMode.ErrorIfExists).parquet(out.toString());
        } finally {
            spark.stop();   // a JVM holds one Spark context: leave none behind
        }
    }
}
