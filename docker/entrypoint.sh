#!/usr/bin/env bash
# master | worker MASTER_URL | anything else = kompakt CLI arguments (run as the driver)
set -euo pipefail
FLAGS=(-XX:+IgnoreUnrecognizedVMOptions --add-modules=jdk.incubator.vector
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED
  --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
  --add-opens=java.security.jgss/sun.security.krb5=ALL-UNNAMED -Dio.netty.tryReflectionSetAccessible=true)
CP="$SPARK_HOME/jars/*"
case "${1:-}" in
  master) shift; exec java -Xmx512m -cp "$CP" org.apache.spark.deploy.master.Master --host 0.0.0.0 --port 7077 --webui-port 8080 "$@" ;;
  worker) shift; exec java -Xmx512m -cp "$CP" org.apache.spark.deploy.worker.Worker --webui-port 8081 "$@" ;;
  *) exec java "${FLAGS[@]}" ${KOMPAKT_JAVA_OPTS:--Xmx4g} -cp "$CP" dev.kompakt.experiments.cli.KompaktCli "$@" ;;
esac
