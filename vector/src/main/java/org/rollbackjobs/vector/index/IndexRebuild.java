package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.embedding.EmbeddingCache;
import org.rollbackjobs.vector.embedding.EmbeddingRegistry;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.QuarantinedVersionException;
import org.rollbackjobs.vector.embedding.RegisteredVersion;
import org.rollbackjobs.vector.embedding.StoredEmbeddings;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.DocumentSource;

/**
 * A pending rebuild of a pgvector index from a pinned embedding version: configure, {@link #plan()} (validates
 * everything, changes nothing), then {@link #commit()}, which builds a new table aside, bulk-loads it with binary
 * COPY, creates the ANN index, validates the build, switches the serving name to it in one transaction, and
 * retires previous builds past their cool-down.
 *
 * <pre>
 * RebuildResult result = IndexRebuild.of(dataSource)
 *     .index(IndexName.of("public", "docs"))
 *     .version(BuiltInModel.ALL_MINILM_L6_V2_Q.version())
 *     .vectors(VectorSource.embedding(BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(executor)))
 *     .source(IcebergDocumentSource.of(table, snapshotId, "id", "text"))
 *     .reason("new model returned garbage")
 *     .commit();
 * </pre>
 *
 * <p>Each stage is also public ({@link #createBuild}, {@link #load}, {@link #createAnnIndex}, {@link #validate},
 * {@link #switchTo}, {@link #retire}) so that a batch job can run them as restartable steps.
 */
public final class IndexRebuild {
  private final DataSource dataSource;
  private IndexName index;
  private EmbeddingVersion version;
  private VectorSource vectors;
  private DocumentSource source;
  private AnnSpec ann = AnnSpec.defaults();
  private ProbeSettings probe = ProbeSettings.defaults();
  private Duration coolDown = Duration.ofHours(24);
  private Duration lockTimeout = Duration.ofSeconds(30);
  private boolean createIfMissing;
  private boolean overrideQuarantine;
  private boolean force;
  private String reason;
  private String actor;
  private Long jobExecutionId;
  private int batchSize = 1000;
  private boolean reuse = true;
  private boolean keepVersionStatus;
  private Consumer<String> progress = line -> {};
  private VersionCatalog versions = VersionCatalog.builtInOnly();
  private RebuildPlan plan;

  private IndexRebuild(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  public static IndexRebuild of(DataSource dataSource) {
    return new IndexRebuild(dataSource);
  }

  public IndexRebuild index(IndexName name) {
    this.index = name;
    return reset();
  }

  public IndexRebuild version(EmbeddingVersion embeddingVersion) {
    this.version = embeddingVersion;
    return reset();
  }

  /** Where the vectors come from; its version must be {@link #version}. Not needed to plan. */
  public IndexRebuild vectors(VectorSource vectorSource) {
    this.vectors = vectorSource;
    return this;
  }

  public IndexRebuild source(DocumentSource documents) {
    this.source = documents;
    return reset();
  }

  public IndexRebuild ann(AnnSpec spec) {
    this.ann = Objects.requireNonNull(spec, "ann");
    return reset();
  }

  public IndexRebuild probe(ProbeSettings settings) {
    this.probe = Objects.requireNonNull(settings, "probe");
    return this;
  }

  /** How long the replaced build is kept for a switch-back (default 24 hours). */
  public IndexRebuild coolDown(Duration duration) {
    if (duration == null || duration.isNegative()) {
      throw new BadInputException("the cool-down must be zero or more, for example 24h");
    }
    this.coolDown = duration;
    return this;
  }

  public IndexRebuild lockTimeout(Duration duration) {
    this.lockTimeout = Objects.requireNonNull(duration, "lockTimeout");
    return this;
  }

  /** Allow building an index whose serving name does not exist yet. */
  public IndexRebuild createIfMissing(boolean create) {
    this.createIfMissing = create;
    return reset();
  }

  public IndexRebuild overrideQuarantine(boolean override) {
    this.overrideQuarantine = override;
    return reset();
  }

  /** Rebuild even when the name already serves an equivalent build. */
  public IndexRebuild force(boolean rebuildAnyway) {
    this.force = rebuildAnyway;
    return reset();
  }

  public IndexRebuild reason(String text) {
    this.reason = text;
    return this;
  }

  public IndexRebuild actor(String name) {
    this.actor = name;
    return this;
  }

  public IndexRebuild jobExecutionId(Long id) {
    this.jobExecutionId = id;
    return this;
  }

  /**
   * Take every vector the embedding cache holds for this version and text instead of computing it again (default
   * on; never for stored embeddings, which are loaded as given).
   */
  public IndexRebuild reuse(boolean reuseCachedVectors) {
    this.reuse = reuseCachedVectors;
    return this;
  }

  /**
   * Leave the embedding registry's version statuses as they are when switching (see
   * {@link ServingSwitch.Options#keepVersionStatus()}): for an index in a drill's sandbox.
   */
  public IndexRebuild keepVersionStatus(boolean keep) {
    this.keepVersionStatus = keep;
    return this;
  }

  /** Documents per COPY (and per embedding batch) of {@link #load}; each batch is committed. */
  public IndexRebuild batchSize(int size) {
    if (size < 1 || size > 100_000) {
      throw new BadInputException("batch size " + size + " is out of range; 1 to 100000");
    }
    this.batchSize = size;
    return this;
  }

  /**
   * The versions whose models are known here (built in by default): a version of the replaced index that the
   * registry does not know yet is registered from it, so that a rollback can quarantine it.
   */
  public IndexRebuild versions(VersionCatalog catalog) {
    this.versions = Objects.requireNonNull(catalog, "versions");
    return this;
  }

  /** Receives progress lines of long stages (rows done / total, rate, ETA). */
  public IndexRebuild progress(Consumer<String> sink) {
    this.progress = Objects.requireNonNull(sink, "progress");
    return this;
  }

  private IndexRebuild reset() {
    this.plan = null;
    return this;
  }

  /** Checks everything a rebuild needs and says what it would do. Changes nothing. */
  public RebuildPlan plan() {
    if (plan != null) {
      return plan;
    }
    if (index == null || version == null || source == null) {
      throw new BadInputException("a rebuild needs an index name, an embedding version and a document source");
    }
    if (vectors != null && !vectors.version().equals(version)) {
      throw new IllegalArgumentException("the vectors are of version " + vectors.version().name() + ", not "
          + version.name());
    }
    try (Connection c = dataSource.getConnection()) {
      Optional<RegisteredVersion> registered = EmbeddingRegistry.find(c, version.name());
      if (registered.isPresent()) {
        EmbeddingRegistry.checkSamePin(registered.get().version(), version);
        if (registered.get().quarantined() && !overrideQuarantine) {
          throw new QuarantinedVersionException(version.name(), registered.get().statusReason(),
              registered.get().statusChangedAt());
        }
      }
      ServingState serving = ServingRelation.inspect(c, index);
      checkServing(c, serving);
      long documents = source.count();
      if (documents == 0) {
        throw new BadInputException("the source " + source.describe() + " holds no documents; an index of nothing"
            + " would answer every query with nothing");
      }
      Set<String> replaced = new LinkedHashSet<>(serving.versions().keySet());
      Set<String> from = new LinkedHashSet<>(replaced);
      from.remove(version.name());
      boolean rollback = ServingSwitch.isRollback(c, index, placeholder(), replaced, from, Set.of(version.name()));
      List<String> wouldQuarantine = new ArrayList<>();
      if (rollback) {
        for (String v : from) {
          if (EmbeddingRegistry.find(c, v).isPresent() || versions.pinned(v).isPresent()) {
            wouldQuarantine.add(v);
          }
        }
      }
      plan = new RebuildPlan(index, version, vectors == null ? null : vectors.describe(), source.describe(),
          source.snapshotId(), documents, source.idType(), ann, probe, coolDown, serving,
          registered.map(RegisteredVersion::status).orElse("unregistered"), rollback, wouldQuarantine,
          !force && equivalentBuildServes(c, serving), BuildRegistry.pastCoolDown(c, index));
      return plan;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot plan the rebuild of " + index + ": " + e.getMessage(), e);
    }
  }

  private void checkServing(Connection c, ServingState serving) throws SQLException {
    if (!serving.exists() && !createIfMissing) {
      List<IndexName> managed = BuildRegistry.indexes(c);
      throw new BadInputException("index " + index + " does not exist (no relation " + index + ");"
          + (managed.isEmpty() ? " no index is managed yet;" : " managed indexes: "
              + managed.stream().map(IndexName::toString).collect(Collectors.joining(", ")) + ";")
          + " give --create to build a new index under this name");
    }
    if (!serving.problems().isEmpty()) {
      throw new BadInputException("index " + index + " cannot be rebuilt: " + String.join("; ", serving.problems()));
    }
    if (serving.dimension() != null && serving.dimension() != version.dimension()) {
      throw new BadInputException("dimension mismatch: index " + index + " holds " + serving.dimension()
          + "-dimensional vectors and embedding version " + version.name() + " has " + version.dimension()
          + "; applications query it with " + serving.dimension() + "-dimensional vectors, so a model of another"
          + " dimension needs a new index name");
    }
    if (serving.docIdType() != null && serving.docIdType() != source.idType()) {
      throw new BadInputException("doc_id type mismatch: index " + index + " has " + serving.docIdType().sql()
          + " ids and the source's id column gives " + source.idType().sql() + " ids");
    }
  }

  private boolean equivalentBuildServes(Connection c, ServingState serving) throws SQLException {
    if (serving.kind() != ServingState.Kind.MANAGED_VIEW || serving.servingBuildId() == null
        || source.snapshotId() == null) {
      return false;
    }
    Optional<IndexBuild> build = BuildRegistry.find(c, serving.servingBuildId());
    return build.isPresent() && !build.get().legacy()
        && version.name().equals(build.get().embeddingVersion())
        && source.name().equals(build.get().source())
        && source.snapshotId().equals(build.get().sourceSnapshot())
        && ann.shape().equals(build.get().annShape());
  }

  private IndexBuild placeholder() {
    return new IndexBuild(-1, index, "", IndexBuild.KIND_BUILD, version.name(), version.dimension(), source.idType(),
        null, null, null, IndexBuild.BUILDING, null, null, null, null, null, null, null);
  }

  /** Plans (if not done yet) and runs every stage. Does nothing when the plan is a no-op. */
  public RebuildResult commit() {
    RebuildPlan p = plan();
    if (p.noop()) {
      return new RebuildResult(p, null, null, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO,
          Duration.ZERO, null, null, List.of());
    }
    if (vectors == null) {
      throw new IllegalStateException("no vector source: give vectors(...) before commit()");
    }
    Long expectedServing = p.serving().servingBuildId();
    long t0 = System.nanoTime();
    IndexBuild build = createBuild();
    long t1 = System.nanoTime();
    EmbeddingCache.Reuse reused = reuseVectors(build);
    LoadStats load = load(build, 0, reused.reused() > 0);
    long reuseNanos = System.nanoTime() - t1 - load.total().toNanos();
    load = new LoadStats(load.rows() + reused.reused(), load.vectors(), load.copy(), load.total().plusNanos(reuseNanos),
        reused.reused(), Duration.ofNanos(reuseNanos), reused.keys());
    cacheVectors(build);
    long t2 = System.nanoTime();
    createAnnIndex(build);
    long t3 = System.nanoTime();
    ValidationReport validation = validate(build);
    if (!validation.passed()) {
      throw new ValidationFailedException(build, validation);
    }
    long t4 = System.nanoTime();
    SwitchResult switched = switchTo(build, expectedServing);
    long t5 = System.nanoTime();
    List<IndexBuild> retired = retire();
    long t6 = System.nanoTime();
    return new RebuildResult(p, build, load, Duration.ofNanos(t1 - t0), Duration.ofNanos(t3 - t2),
        Duration.ofNanos(t4 - t3), Duration.ofNanos(t5 - t4), Duration.ofNanos(t6 - t5), validation, switched, retired);
  }

  /** Stage 1: registers a build (status building) and creates its empty table, in one transaction. */
  public IndexBuild createBuild() {
    RebuildPlan p = plan();
    Map<String, Object> annJson = new LinkedHashMap<>(ann.toMap());
    annJson.put("shape", ann.shape());
    return inTransaction(c -> {
      EmbeddingRegistry.ensure(c, version);
      IndexBuild build = BuildRegistry.insertBuild(c, index, IndexBuild.KIND_BUILD, version.name(),
          version.dimension(), p.docIdType(), source.name(), source.snapshotId(), annJson, jobExecutionId, reason,
          actor, IndexBuild.BUILDING);
      BuildTable.create(c, build);
      return build;
    });
  }

  /** Whether this rebuild takes cached vectors: on, and the vectors do not come from stored embeddings. */
  public boolean reuses() {
    return reuse && !(vectors instanceof StoredEmbeddings);
  }

  /**
   * Stage 2a: loads every cached vector of this version for the documents' texts into the (empty) build, in one
   * transaction, inside PostgreSQL ({@link EmbeddingCache#reuse}). Nothing when reuse is off.
   */
  public EmbeddingCache.Reuse reuseVectors(IndexBuild build) {
    if (!reuses()) {
      return new EmbeddingCache.Reuse(plan().documents(), 0, plan().documents());
    }
    EmbeddingCache.Reuse reused = inTransaction(c -> EmbeddingCache.reuse(c, build, source));
    progress.accept("reuse " + index + ": " + reused.reused() + " of " + reused.documents()
        + " documents have a cached vector of " + version.name() + "; to embed: " + reused.toEmbed());
    return reused;
  }

  /**
   * Stage 2c: adds the build's vectors to the embedding cache, for later builds of the same version. Only when
   * {@link #reuses}: a model computed them (a build told not to reuse fills nothing either, so that no-reuse
   * runs leave the cache as it was).
   */
  public long cacheVectors(IndexBuild build) {
    if (!reuses()) {
      return 0;
    }
    return inTransaction(c -> EmbeddingCache.fill(c, build));
  }

  /**
   * Stage 2b (the library's own loader; the job runs the same per-batch work as a restartable chunk step): reads the
   * documents after the first {@code skip}, computes their vectors a batch at a time and appends each batch with
   * one binary COPY, committed per batch.
   */
  public LoadStats load(IndexBuild build, long skip) {
    return load(build, skip, false);
  }

  /** Stage 2b, skipping the documents the build already holds (reused) when {@code skipPresent}. */
  public LoadStats load(IndexBuild build, long skip, boolean skipPresent) {
    if (vectors == null) {
      throw new IllegalStateException("no vector source: give vectors(...) before load()");
    }
    long total = plan().documents();
    LoadProgress meter = new LoadProgress("load " + index, total, skip, Duration.ofSeconds(5));
    VectorCopyLoader loader = new VectorCopyLoader(build);
    long vectorNanos = 0;
    long copyNanos = 0;
    long started = System.nanoTime();
    long rows = 0;
    try (Connection c = dataSource.getConnection(); DocumentCursor documents = source.open(skip)) {
      c.setAutoCommit(false);
      List<Document> batch = new ArrayList<>(batchSize);
      while (true) {
        boolean more = documents.hasNext();
        if (more) {
          batch.add(documents.next());
        }
        if (batch.size() == batchSize || (!more && !batch.isEmpty())) {
          long a = System.nanoTime();
          List<Document> missing = skipPresent ? EmbeddingCache.missing(c, build, batch) : batch;
          List<float[]> computed = missing.isEmpty() ? List.of() : vectors.vectorsFor(missing);
          long b = System.nanoTime();
          rows += loader.load(c, missing, computed);
          c.commit();
          long d = System.nanoTime();
          vectorNanos += b - a;
          copyNanos += d - b;
          String line = meter.advance(batch.size());
          if (line != null) {
            progress.accept(line);
          }
          batch.clear();
        }
        if (!more) {
          break;
        }
      }
      BuildRegistry.setLoaded(c, build.id(), BuildTable.rows(c, build));
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("loading build " + build.id() + " failed: " + e.getMessage(), e);
    }
    return new LoadStats(rows, Duration.ofNanos(vectorNanos), Duration.ofNanos(copyNanos),
        Duration.ofNanos(System.nanoTime() - started), 0, Duration.ZERO, Duration.ZERO);
  }

  /** Stage 3: the ANN index (and the doc_id b-tree). Returns the ANN index's build time. */
  public Duration createAnnIndex(IndexBuild build) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      long rows = BuildTable.rows(c, build);
      BuildRegistry.setLoaded(c, build.id(), rows);
      return AnnIndexBuilder.create(c, build, ann, version.distance(), rows);
    } catch (SQLException e) {
      throw new IllegalStateException("building the ANN index of build " + build.id() + " failed: " + e.getMessage(), e);
    }
  }

  /** Stage 4: validates the build and records the report (status validated or failed). */
  public ValidationReport validate(IndexBuild build) {
    try (Connection c = dataSource.getConnection()) {
      ValidationReport report = BuildValidator.validate(c, build, source, version, ann, probe);
      c.setAutoCommit(true);
      BuildRegistry.setValidation(c, build.id(), report.passed(), report.toMap(), coolDown);
      return report;
    } catch (SQLException e) {
      throw new IllegalStateException("validating build " + build.id() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Stage 5: switches the serving name to the (validated) build. When the name already serves it (a restarted run
   * whose switch had committed), nothing changes. {@code expectedServing} is the build the name served when the
   * run was planned: if someone switched it since, nothing changes and {@link
   * org.rollbackjobs.iceberg.ConcurrentChangeException} is thrown.
   */
  public SwitchResult switchTo(IndexBuild build, Long expectedServing) {
    try (Connection c = dataSource.getConnection()) {
      IndexBuild fresh = BuildRegistry.find(c, build.id()).orElseThrow();
      if (IndexBuild.SERVING.equals(fresh.status())) {
        return new SwitchResult(fresh.id(), null, null, false, List.of(), List.of(), List.of());
      }
      ServingSwitch.Options options = new ServingSwitch.Options(coolDown, reason, overrideQuarantine, false,
          lockTimeout, versions, keepVersionStatus);
      return ServingSwitch.switchTo(c, index, fresh, options, expectedServing, true, actor);
    } catch (SQLException e) {
      throw new IllegalStateException("switching " + index + " to build " + build.id() + " failed: " + e.getMessage(), e);
    }
  }

  /** Stage 6: drops this index's previous builds whose cool-down has ended. */
  public List<IndexBuild> retire() {
    try (Connection c = dataSource.getConnection()) {
      return BuildRetirer.retire(c, index);
    } catch (SQLException e) {
      throw new IllegalStateException("retiring builds of " + index + " failed: " + e.getMessage(), e);
    }
  }

  public IndexName index() {
    return index;
  }

  public EmbeddingVersion version() {
    return version;
  }

  public DocumentSource source() {
    return source;
  }

  interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T inTransaction(SqlWork<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }
}
