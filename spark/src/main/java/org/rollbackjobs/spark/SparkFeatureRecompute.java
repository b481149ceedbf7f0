package org.rollbackjobs.spark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.spark.connect.proto.Command;
import org.apache.spark.connect.proto.ExecutePlanResponse;
import org.apache.spark.connect.proto.Expression;
import org.apache.spark.connect.proto.Plan;
import org.apache.spark.connect.proto.Relation;
import org.apache.spark.connect.proto.SQL;
import org.apache.spark.connect.proto.WriteOperationV2;
import org.apache.spark.sql.connect.SparkSession;
import org.apache.spark.sql.connect.client.CloseableIterator;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.SparkSqlPipeline;
import org.rollbackjobs.iceberg.features.engine.FeatureCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pending recompute of a feature table on Spark, in the style of Iceberg's pending updates: give the plan
 * (made by {@code RecomputeFeatures.plan()}, as for the embedded engine), then {@link #commit()}.
 *
 * <p>The pipeline's Spark SQL query reads the source pinned to the plan's snapshot ({@code VERSION AS OF}) and
 * its result replaces the feature table's content in one Iceberg commit made by Spark (an overwrite of every
 * row), whose snapshot summary carries the same lineage as the embedded engine's plus
 * {@code rollback.engine=spark}. The session talks to a Spark Connect server: the job's JVM holds no Spark
 * runtime, and the cluster behind the server does the work.
 *
 * <p>Nothing is visible before Spark's commit: a failed or cancelled query leaves the feature table's data as
 * it was. Run again with the same run id (a restart), it first looks for its own commit and makes none twice.
 */
public final class SparkFeatureRecompute {
  private static final Logger LOG = LoggerFactory.getLogger(SparkFeatureRecompute.class);
  private static final int DEFAULT_PORT = 15002;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * @param alreadyCommitted an earlier attempt of the same run had committed (nothing ran on Spark)
   * @param rowsWritten rows of the committed snapshot
   * @param dataFiles data files of the committed snapshot
   */
  public record Result(long snapshotId, boolean alreadyCommitted, long rowsWritten, int dataFiles,
      Duration sparkTime) {}

  private final Catalog catalog;
  private final Map<String, String> catalogProperties;
  private final SparkSettings settings;
  private final Map<String, String> summary = new LinkedHashMap<>();
  private FeaturePipeline pipeline;
  private RecomputePlan plan;
  private SparkProgress.Listener progress = SparkProgress.Listener.NONE;
  private volatile SparkSession session;
  private volatile boolean cancelled;

  private SparkFeatureRecompute(Catalog catalog, Map<String, String> catalogProperties, SparkSettings settings) {
    this.catalog = catalog;
    this.catalogProperties = catalogProperties;
    this.settings = settings;
  }

  /**
   * @param catalog the job's Iceberg catalog (the table is prepared and the commit found through it)
   * @param catalogProperties the Iceberg properties {@code catalog} was built from: sent to Spark to define the
   *     same catalog in the session, unless {@link SparkSettings#catalog()} names one the server has
   */
  public static SparkFeatureRecompute of(Catalog catalog, Map<String, String> catalogProperties,
      SparkSettings settings) {
    return new SparkFeatureRecompute(Objects.requireNonNull(catalog, "catalog"),
        Map.copyOf(Objects.requireNonNull(catalogProperties, "catalogProperties")),
        Objects.requireNonNull(settings, "settings").validated());
  }

  public SparkFeatureRecompute pipeline(FeaturePipeline featurePipeline) {
    this.pipeline = Objects.requireNonNull(featurePipeline, "pipeline");
    return this;
  }

  /** The plan to carry out: source snapshot, target, run id, schema (its partitions and buckets are not used). */
  public SparkFeatureRecompute plan(RecomputePlan recomputePlan) {
    this.plan = Objects.requireNonNull(recomputePlan, "plan");
    return this;
  }

  /** Records a property in the commit's snapshot summary (reason, actor, job execution, manifest, ...). */
  public SparkFeatureRecompute set(String key, String value) {
    if (value != null) {
      summary.put(key, value);
    }
    return this;
  }

  public SparkFeatureRecompute progress(SparkProgress.Listener listener) {
    this.progress = Objects.requireNonNull(listener, "progress");
    return this;
  }

  /** The pipeline's Spark implementation; a {@link BadInputException} naming the pipeline when it has none. */
  public static SparkSqlPipeline sparkImplementation(FeaturePipeline pipeline) {
    if (pipeline instanceof SparkSqlPipeline spark) {
      return spark;
    }
    throw new BadInputException("pipeline " + pipeline.name() + " version " + pipeline.version() + " ("
        + pipeline.origin() + ") cannot run on the Spark engine: it is a Java pipeline without a Spark"
        + " implementation (implement " + SparkSqlPipeline.class.getName() + "); run it with --engine embedded");
  }

  /**
   * The Spark SQL query of {@code plan}, reading the source through {@code sparkCatalog}; checks that the
   * pipeline translates, without contacting Spark.
   */
  public static String query(FeaturePipeline pipeline, RecomputePlan plan, String sparkCatalog) {
    String relation = identifier(sparkCatalog, plan.sourceTable()) + " VERSION AS OF " + plan.sourceSnapshotId();
    return sparkImplementation(pipeline).sparkSql(relation, plan.context());
  }

  /** The Spark catalog the query reads and writes through. */
  public String sparkCatalog() {
    return settings.catalog() != null ? settings.catalog() : catalog.name();
  }

  /** Runs the query on Spark and commits its result; nothing when this run had committed already. */
  public Result commit() {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(plan, "plan");
    long started = System.nanoTime();
    Snapshot earlier = committedByThisRun();
    if (earlier != null) {
      return new Result(earlier.snapshotId(), true, added(earlier, "added-records"),
          (int) added(earlier, "added-data-files"), Duration.ZERO);
    }
    String query = query(pipeline, plan, sparkCatalog()); // refused before anything changes
    FeatureCommit.prepareTarget(catalog, plan);
    Map<String, String> lineage = FeatureCommit.lineage(plan, summary);
    lineage.put(FeatureLineage.ENGINE, FeatureLineage.ENGINE_SPARK);
    String target = identifier(sparkCatalog(), plan.targetTable())
        + (plan.targetBranch() == null ? "" : "." + quote("branch_" + plan.targetBranch()));
    LOG.info("Spark query of {} version {} for {}: {}", plan.pipeline(), plan.pipelineVersion(), target, query);
    runOnSpark(query, target, lineage);
    Snapshot committed = committedByThisRun();
    if (committed == null) {
      throw new IllegalStateException("Spark reported the write into " + plan.targetTable() + " done, but the"
          + " table has no snapshot of run " + plan.runId() + ": check that rollback.features.spark.catalog is the"
          + " job's catalog (" + catalog.name() + ")");
    }
    return new Result(committed.snapshotId(), false, added(committed, "added-records"),
        (int) added(committed, "added-data-files"), Duration.ofNanos(System.nanoTime() - started));
  }

  /** Interrupts the Spark query from another thread; {@link #commit()} then fails and nothing is committed. */
  public void cancel() {
    cancelled = true;
    SparkSession active = session;
    if (active != null) {
      try {
        active.interruptAll();
      } catch (RuntimeException e) {
        LOG.warn("could not interrupt the Spark query: {}", e.toString());
      }
    }
  }

  private void runOnSpark(String query, String target, Map<String, String> lineage) {
    SparkSession spark = connect();
    session = spark;
    try {
      if (cancelled) {
        throw new IllegalStateException("the recompute of " + plan.targetTable() + " was cancelled before Spark"
            + " started");
      }
      WriteOperationV2.Builder write = WriteOperationV2.newBuilder()
          .setInput(Relation.newBuilder().setSql(SQL.newBuilder().setQuery(query)))
          .setTableName(target)
          .setMode(WriteOperationV2.Mode.MODE_OVERWRITE)
          .setOverwriteCondition(Expression.newBuilder()
              .setLiteral(Expression.Literal.newBuilder().setBoolean(true)));
      // Iceberg's Spark writer puts "snapshot-property.K" options into the snapshot summary
      lineage.forEach((key, value) -> write.putOptions("snapshot-property." + key, value));
      Plan command = Plan.newBuilder().setCommand(Command.newBuilder().setWriteOperationV2(write)).build();
      Map<Long, ExecutePlanResponse.ExecutionProgress.StageInfo> stages = new LinkedHashMap<>();
      CloseableIterator<ExecutePlanResponse> responses = spark.client().execute(command);
      try {
        while (responses.hasNext()) {
          ExecutePlanResponse response = responses.next();
          if (response.hasExecutionProgress()) {
            response.getExecutionProgress().getStagesList().forEach(stage -> stages.put(stage.getStageId(), stage));
            progress.progress(progressOf(stages));
          }
        }
      } finally {
        closeQuietly(responses);
      }
    } catch (RuntimeException e) {
      throw new SparkQueryFailedException("the Spark query of " + plan.pipeline() + " version "
          + plan.pipelineVersion() + " into " + plan.targetTable() + (cancelled ? " was cancelled" : " failed")
          + " (" + firstLine(e) + "); the feature table was not changed", e);
    } finally {
      session = null;
      close(spark);
    }
  }

  private SparkSession connect() {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.session.timeZone", "UTC"); // windows and timestamps are UTC, as in the embedded engine
    if (settings.catalog() == null) {
      String prefix = "spark.sql.catalog." + catalog.name();
      conf.put(prefix, "org.apache.iceberg.spark.SparkCatalog");
      sparkCatalogProperties(catalogProperties).forEach((key, value) -> conf.put(prefix + "." + key, value));
    }
    conf.putAll(settings.conf());
    requireReachable();
    try {
      SparkSession spark = SparkSession.builder().remote(settings.remote()).create();
      conf.forEach((key, value) -> spark.conf().set(key, value));
      spark.addTag("rollback-jobs-recompute-" + plan.runId());
      return spark;
    } catch (RuntimeException e) {
      throw new SparkQueryFailedException("cannot open a Spark Connect session at " + settings.remote() + " ("
          + firstLine(e) + "); check rollback.features.spark.remote and that the server is up", e);
    }
  }

  /**
   * A closed port or an unknown host fails here at once: the Spark Connect client retries its first call with
   * backoff for minutes before it gives up.
   */
  private void requireReachable() {
    URI uri = URI.create("http" + settings.remote().substring(2).split(";", 2)[0]);
    int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), port), (int) CONNECT_TIMEOUT.toMillis());
    } catch (IOException | IllegalArgumentException e) {
      throw new SparkQueryFailedException("cannot reach the Spark Connect server at " + settings.remote() + " ("
          + e.getMessage() + " within " + CONNECT_TIMEOUT.toSeconds() + " s); check rollback.features.spark.remote"
          + " and that the server is up; the feature table was not changed", e);
    }
  }

  /** The job's catalog for Spark's Iceberg catalog: our JDBC catalog with checked commits is Iceberg's own there. */
  static Map<String, String> sparkCatalogProperties(Map<String, String> properties) {
    Map<String, String> spark = new HashMap<>(properties);
    String impl = spark.get(CatalogProperties.CATALOG_IMPL);
    if (impl != null && impl.startsWith("org.rollbackjobs.")) {
      spark.remove(CatalogProperties.CATALOG_IMPL);
      spark.put(CatalogUtil.ICEBERG_CATALOG_TYPE, CatalogUtil.ICEBERG_CATALOG_TYPE_JDBC);
    }
    return spark;
  }

  private Snapshot committedByThisRun() {
    TableIdentifier id = TableName.parse(plan.targetTable());
    if (!catalog.tableExists(id)) {
      return null;
    }
    Table table = catalog.loadTable(id);
    return FeatureCommit.findRun(table, plan.runId(), plan.targetBranch());
  }

  private static SparkProgress progressOf(Map<Long, ExecutePlanResponse.ExecutionProgress.StageInfo> stages) {
    int done = 0;
    long tasks = 0;
    long tasksDone = 0;
    long bytes = 0;
    for (ExecutePlanResponse.ExecutionProgress.StageInfo stage : stages.values()) {
      done += stage.getDone() ? 1 : 0;
      tasks += stage.getNumTasks();
      tasksDone += stage.getNumCompletedTasks();
      bytes += stage.getInputBytesRead();
    }
    return new SparkProgress(stages.size(), done, tasks, tasksDone, bytes);
  }

  private static long added(Snapshot snapshot, String key) {
    String added = snapshot.summary().get(key);
    return added == null ? 0 : Long.parseLong(added);
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      LOG.debug("closing the Spark response stream: {}", e.toString());
    }
  }

  private static void close(SparkSession spark) {
    try {
      spark.close();
    } catch (RuntimeException e) {
      LOG.debug("closing the Spark Connect session: {}", e.toString());
    }
  }

  /** {@code `catalog`.`ns`.`table`}. */
  static String identifier(String sparkCatalog, String table) {
    TableIdentifier id = TableName.parse(table);
    String namespace = Arrays.stream(id.namespace().levels()).map(SparkFeatureRecompute::quote)
        .collect(Collectors.joining("."));
    return quote(sparkCatalog) + "." + (namespace.isEmpty() ? "" : namespace + ".") + quote(id.name());
  }

  static String quote(String name) {
    return "`" + name.replace("`", "``") + "`";
  }

  private static String firstLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
