package org.rollbackjobs.spark.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real Spark Connect server (Spark in local mode, Iceberg's Spark runtime, the PostgreSQL driver; every JAR
 * from Maven Central, listed by the {@code spark-test-server} module) in a process of its own: the Spark Connect
 * client and Spark itself cannot share a class path. One server per test JVM ({@link #shared()}), stopped when
 * the JVM exits. It knows no catalog: the engine sends the job's catalog settings with its session, as it does
 * against a real cluster.
 */
public final class SparkConnectTestServer implements AutoCloseable {
  /** Where the class path file is, when the tests run outside the repository's layout. */
  public static final String CLASSPATH_PROPERTY = "rollback.test.spark-server-classpath";
  private static final String CLASSPATH_FILE = "spark-test-server/target/spark-server.classpath";
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  private static SparkConnectTestServer shared;

  private final Process process;
  private final int port;
  private final Path log;
  private final List<Process> cluster;

  private SparkConnectTestServer(Process process, int port, Path log, List<Process> cluster) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.cluster = cluster;
  }

  /** The server of this JVM's tests, started on first use. */
  public static synchronized SparkConnectTestServer shared() {
    if (shared == null || !shared.process.isAlive()) {
      shared = start(Map.of(), Path.of("target", "spark-connect-server.log"));
      SparkConnectTestServer started = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "spark-connect-test-server-stop"));
    }
    return shared;
  }

  /** A server of one's own, with extra Spark settings ({@code spark.*}); close it when done. */
  public static SparkConnectTestServer start(Map<String, String> settings, Path log) {
    return start(settings, log, Map.of(), List.of());
  }

  /**
   * A Spark standalone cluster on this machine, as on a real one: a master, a worker with two cores whose
   * executors are JVMs of their own (started by the worker from {@code SPARK_HOME/jars}: here a folder of links to
   * the Maven artifacts), and a Spark Connect server whose driver runs its queries on the cluster. Files go under
   * {@code dir}; close it when done.
   */
  public static SparkConnectTestServer startStandalone(Path dir) {
    Path home = sparkHome(dir.resolve("spark-home"));
    Map<String, String> env = Map.of("SPARK_HOME", home.toString(), "SPARK_SCALA_VERSION", "2.13");
    int masterPort = freePort();
    List<Process> cluster = new ArrayList<>();
    try {
      cluster.add(launch(List.of("-Xmx256m"), Map.of(), env, "org.apache.spark.deploy.master.Master",
          List.of("--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", "0"),
          dir.resolve("master.log")));
      awaitPort(cluster.get(0), masterPort, dir.resolve("master.log"));
      cluster.add(launch(List.of("-Xmx256m"), Map.of(), env, "org.apache.spark.deploy.worker.Worker",
          List.of("--host", "127.0.0.1", "--cores", "2", "--memory", "2g", "--webui-port", "0",
              "--work-dir", dir.resolve("work").toString(), "spark://127.0.0.1:" + masterPort),
          dir.resolve("worker.log")));
      return start(Map.of("spark.master", "spark://127.0.0.1:" + masterPort, "spark.executor.memory", "1g",
          "spark.executor.cores", "2"), dir.resolve("connect-server.log"), env, cluster);
    } catch (RuntimeException e) {
      cluster.forEach(SparkConnectTestServer::stop);
      throw e;
    }
  }

  private static SparkConnectTestServer start(Map<String, String> settings, Path log, Map<String, String> env,
      List<Process> cluster) {
    int port = freePort();
    Map<String, String> conf = new TreeMap<>();
    conf.put("spark.master", "local[2]");
    conf.put("spark.app.name", "rollback-jobs-test-spark-connect");
    conf.put("spark.connect.grpc.binding.port", Integer.toString(port));
    conf.put("spark.connect.grpc.binding.address", "127.0.0.1");
    conf.put("spark.ui.enabled", "false");
    conf.put("spark.sql.shuffle.partitions", "4");
    conf.put("spark.connect.progress.reportInterval", "200ms"); // the tests' queries take a second or two
    conf.put("spark.driver.host", "127.0.0.1");
    conf.put("spark.driver.bindAddress", "127.0.0.1");
    conf.putAll(settings);
    Process process = launch(List.of("-Xmx1g"), conf, env, "org.apache.spark.sql.connect.service.SparkConnectServer",
        List.of(), log);
    try {
      awaitPort(process, port, log);
    } catch (RuntimeException e) {
      stop(process);
      throw e;
    }
    return new SparkConnectTestServer(process, port, log, cluster);
  }

  private static Process launch(List<String> jvmOptions, Map<String, String> conf, Map<String, String> env,
      String mainClass, List<String> args, Path log) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(JAVA_17_OPENS);
    conf.forEach((key, value) -> command.add("-D" + key + "=" + value));
    command.add("-cp");
    command.add(classpath());
    command.add(mainClass);
    command.addAll(args);
    try {
      Files.createDirectories(log.toAbsolutePath().getParent());
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().putAll(env);
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + mainClass, e);
    }
  }

  /** What a Spark distribution's worker needs to start executors: {@code jars/} and a {@code RELEASE} file. */
  private static Path sparkHome(Path home) {
    try {
      Path jars = Files.createDirectories(home.resolve("jars"));
      Files.writeString(home.resolve("RELEASE"), "Spark 4.0.0 (test cluster: links to Maven artifacts)\n");
      for (String jar : classpath().split(java.io.File.pathSeparator)) {
        Path link = jars.resolve(Path.of(jar).getFileName());
        if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          Files.createSymbolicLink(link, Path.of(jar));
        }
      }
      return home;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot make a Spark home for the test cluster in " + home, e);
    }
  }

  /** {@code sc://127.0.0.1:PORT}. */
  public String remote() {
    return "sc://127.0.0.1:" + port;
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  @Override
  public void close() {
    stop(process);
    for (int i = cluster.size() - 1; i >= 0; i--) {
      stop(cluster.get(i));
    }
  }

  /** Stops a process and the processes it started (a worker's executors). */
  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    process.descendants().forEach(ProcessHandle::destroyForcibly);
  }

  private static void awaitPort(Process process, int port, Path log) {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("a Spark process of the tests exited with " + process.exitValue()
            + "; see " + log.toAbsolutePath());
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        sleep(250);
      }
    }
    throw new IllegalStateException("a Spark process of the tests did not listen on port " + port + " within "
        + START_TIMEOUT.toSeconds() + " s; see " + log.toAbsolutePath());
  }

  private static String classpath() {
    String given = System.getProperty(CLASSPATH_PROPERTY);
    Path file = given != null ? Path.of(given) : findUpwards(Path.of("").toAbsolutePath());
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the Spark test server's class path " + file
          + ": build the spark-test-server module first (mvn -pl spark-test-server generate-resources)", e);
    }
  }

  private static Path findUpwards(Path start) {
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(CLASSPATH_FILE);
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    return start.resolve(CLASSPATH_FILE);
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 0, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** What spark-submit adds on Java 17 (Spark's JavaModuleOptions). */
  private static final List<String> JAVA_17_OPENS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");
}
