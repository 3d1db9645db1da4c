package dev.kompakt.experiments;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.ConfigurationSource;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.xml.XmlConfiguration;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.message.SimpleMessage;
import org.junit.jupiter.api.Test;

import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** The CLI's log4j2.xml: the warning Spark logs for each task of a job Kompakt cancelled is dropped, others are kept. */
class LoggingConfigTest {
    private static final String TASK_SET_MANAGER = "org.apache.spark.scheduler.TaskSetManager";

    @Test
    void killedTasksOfCancelledTrialsAreNotWarnedAboutButOtherLostTasksAre() throws Exception {
        LoggerContext context = new LoggerContext("logging-config-test");
        try (InputStream in = LoggingConfigTest.class.getClassLoader().getResourceAsStream("log4j2.xml")) {
            assertNotNull(in, "log4j2.xml on the class path");
            XmlConfiguration config = new XmlConfiguration(context, new ConfigurationSource(in));
            config.initialize();
            LoggerConfig logger = config.getLoggerConfig(TASK_SET_MANAGER);
            assertEquals(TASK_SET_MANAGER, logger.getName(), "a logger of its own");
            assertEquals(Level.WARN, logger.getLevel());
            // as Spark 4 words them (seen in an early-stopping run's console)
            String killed = "Lost task 0.0 in stage 6.0 (TID 6) (localhost executor driver): TaskKilled (Stage cancelled: "
                    + "[SPARK_JOB_CANCELLED] Job 6 cancelled part of cancelled job group kompakt-runs/x-trial-6 SQLSTATE: XXKDA)";
            String failed = "Lost task 0.0 in stage 3.0 (TID 3) (10.0.0.2 executor 1): java.lang.OutOfMemoryError: Java heap space";
            assertEquals(Filter.Result.DENY, decide(logger, killed));
            assertEquals(Filter.Result.NEUTRAL, decide(logger, failed));
            assertEquals(Filter.Result.NEUTRAL, decide(logger, "Stage 7 contains a task of very large size (1234 KiB)."));
        } finally {
            context.stop();
        }
    }

    private static Filter.Result decide(LoggerConfig logger, String message) {
        return logger.getFilter().filter(Log4jLogEvent.newBuilder().setLoggerName(TASK_SET_MANAGER).setLevel(Level.WARN)
                .setMessage(new SimpleMessage(message)).build());
    }
}
