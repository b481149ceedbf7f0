package org.rollbackjobs.jobs.cli;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.VersionName;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.jobs.config.VectorProperties;
import org.rollbackjobs.jobs.index.RebuildIndexReport;
import org.rollbackjobs.jobs.index.RebuildIndexRequest;
import org.rollbackjobs.jobs.index.RebuildIndexService;
import org.rollbackjobs.jobs.index.SwitchBackRequest;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent;
import org.rollbackjobs.jobs.manifest.ManifestStore;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.jobs.system.SystemCatalog;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.vector.index.AnnMethod;
import org.rollbackjobs.vector.index.AnnSpec;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.ProbeSettings;
import org.rollbackjobs.vector.sql.SqlIdentifier;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.convert.DurationStyle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "rebuild-index", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Rebuilds a pgvector index from a pinned embedding version: builds a new table aside, bulk-loads it with"
            + " binary COPY, creates the ANN index, validates it (row count, ids, version, dimension, index valid,"
            + " recall), then switches the serving name (a view SCHEMA.INDEX with doc_id, embedding,"
            + " embedding_version, source_snapshot, content_hash, build_id) to it in one transaction.",
        "The replaced build is kept for the cool-down (--switch-back returns to it instantly); later runs retire"
            + " builds past their cool-down. Rolling back to a version the index served before quarantines the"
            + " versions it replaces; rebuilding to a quarantined version is refused (exit 4) without"
            + " --override-quarantine. A rebuild or switch-back of an index another one runs on is refused (exit 4)"
            + " naming that job execution.",
        "Built-in versions: all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v15, bge-small-en-v15-q."})
class RebuildIndexCommand implements Callable<Integer>, Validated {

  @Spec CommandSpec spec;
  @Mixin OutputOptions output;

  @Mixin SystemOptions system;

  @Option(names = "--index", required = true, paramLabel = "NAME",
      description = "The serving name applications query (letters, digits, '_'); with --system, the system's index:"
          + " schema, source table, id and text columns come from the system file, the embedding version and the"
          + " source snapshot from the manifest.")
  String index;

  @Option(names = "--manifest", paramLabel = "ID",
      description = "With --system: the manifest to take the pins from (default: the latest).")
  Long manifestId;

  @Option(names = "--schema", defaultValue = "public", paramLabel = "SCHEMA",
      description = "Schema of the serving name and its builds (default public).")
  String schema;

  @Option(names = "--embedding", paramLabel = "VERSION", description = "The pinned embedding version to rebuild from.")
  String embedding;

  @Option(names = "--source-table", paramLabel = "NS.TABLE", description = "Iceberg table of the documents.")
  String sourceTable;

  @Option(names = "--source-snapshot", paramLabel = "ID",
      description = "Snapshot of --source-table to read (default: its current snapshot, pinned when the run starts).")
  Long sourceSnapshot;

  @Option(names = "--source-query", paramLabel = "SQL",
      description = "Instead of --source-table: a PostgreSQL SELECT returning the id and text columns.")
  String sourceQuery;

  @Option(names = "--id-column", defaultValue = "id", paramLabel = "COLUMN", description = "Document id column (default id).")
  String idColumn;

  @Option(names = "--text-column", defaultValue = "text", paramLabel = "COLUMN",
      description = "Document text column (default text).")
  String textColumn;

  @Option(names = "--stored-embeddings", paramLabel = "NS.TABLE",
      description = "Iceberg table (doc_id, embedding_version, embedding list<float>) of vectors already computed"
          + " for the version: no model runs.")
  String storedEmbeddings;

  @Option(names = "--stored-snapshot", paramLabel = "ID", description = "Snapshot of --stored-embeddings (default current).")
  Long storedSnapshot;

  @Option(names = "--switch-back",
      description = "Instead of rebuilding: switch the serving name back to the previous build (instant; undoes"
          + " the quarantines the latest switch set).")
  boolean switchBack;

  @Mixin ChangeOptions change;

  @Option(names = "--create", description = "Build a new index when the serving name does not exist yet.")
  boolean create;

  @Option(names = "--force", description = "Rebuild even when the name already serves an equivalent build.")
  boolean force;

  @Option(names = "--no-reuse", description = "Embed every document again, even those whose vector of this version"
      + " is in the embedding cache (by default a rebuild takes every cached vector and embeds only the rest).")
  boolean noReuse;

  @Option(names = "--override-quarantine", description = "Allow a quarantined version (lifts its quarantine).")
  boolean overrideQuarantine;

  @Option(names = "--ann", paramLabel = "TYPE", description = "ANN index: hnsw (default) or ivfflat.")
  String ann;

  @Option(names = "--hnsw-m", paramLabel = "M", description = "HNSW links per node (default 16).")
  Integer hnswM;

  @Option(names = "--hnsw-ef-construction", paramLabel = "N", description = "HNSW build candidate list (default 64).")
  Integer hnswEfConstruction;

  @Option(names = "--ef-search", paramLabel = "N", description = "hnsw.ef_search for the recall probe (default 40).")
  Integer efSearch;

  @Option(names = "--ivfflat-lists", paramLabel = "N", description = "IVFFlat lists (default rows/1000).")
  Integer ivfflatLists;

  @Option(names = "--ivfflat-probes", paramLabel = "N", description = "ivfflat.probes for the recall probe (default sqrt(lists)).")
  Integer ivfflatProbes;

  @Option(names = "--maintenance-work-mem", paramLabel = "SIZE",
      description = "maintenance_work_mem for the index build (default 1GB).")
  String maintenanceWorkMem;

  @Option(names = "--parallel-workers", paramLabel = "N",
      description = "max_parallel_maintenance_workers for the index build (default: cores - 1).")
  Integer parallelWorkers;

  @Option(names = "--recall-floor", paramLabel = "R", description = "Minimum recall@10 of the ANN index (default 0.9).")
  Double recallFloor;

  @Option(names = "--cool-down", paramLabel = "DURATION",
      description = "How long the replaced build is kept: 24h, 30m, 7d, 0 or ISO-8601 (default 24h).")
  String coolDown;

  @Option(names = "--chunk-size", paramLabel = "N",
      description = "Documents per load chunk (embedded together, one COPY, one commit; default 1000).")
  Integer chunkSize;

  @Autowired SystemCatalog systems;
  @Autowired ManifestStore manifests;
  @Autowired RebuildIndexService service;
  @Autowired VectorProperties defaults;

  @Override
  public void validate() {
    SqlIdentifier.check("--schema", schema);
    SqlIdentifier.check("--index", index, IndexName.MAX_NAME_LENGTH);
    IndexName.of(schema, index); // unsafe identifiers stop here, before any SQL
    SqlIdentifier.check("--id-column", idColumn);
    SqlIdentifier.check("--text-column", textColumn);
    if (embedding != null && !embedding.isBlank()) {
      VersionName.check("--embedding", embedding);
    }
    if (!system.given() && manifestId != null) {
      throw new ParameterException(spec.commandLine(), "--manifest needs --system NAME or --system-file PATH");
    }
    if (coolDown != null) {
      parseDuration("--cool-down", coolDown);
    }
    if (switchBack) {
      if (embedding != null || sourceTable != null || sourceQuery != null || storedEmbeddings != null || create
          || force || system.given()) {
        throw new ParameterException(spec.commandLine(), "--switch-back takes only --index, --schema, --reason,"
            + " --actor, --cool-down, --override-quarantine, --dry-run and --json");
      }
      return;
    }
    if (system.given()) {
      if (sourceTable != null || sourceQuery != null) {
        throw new ParameterException(spec.commandLine(), "with --system, the document table comes from the system"
            + " file; leave out --source-table and --source-query");
      }
    } else {
      if (embedding == null || embedding.isBlank()) {
        throw new ParameterException(spec.commandLine(), "--embedding is required: the pinned embedding version"
            + " to rebuild from (for example all-minilm-l6-v2-q)");
      }
      if ((sourceTable == null) == (sourceQuery == null)) {
        throw new ParameterException(spec.commandLine(), "give exactly one of --source-table and --source-query");
      }
      if (sourceSnapshot != null && sourceTable == null) {
        throw new ParameterException(spec.commandLine(), "--source-snapshot needs --source-table");
      }
      if (sourceTable != null) {
        TableName.parse("--source-table", sourceTable);
      }
    }
    if (storedSnapshot != null && storedEmbeddings == null) {
      throw new ParameterException(spec.commandLine(), "--stored-snapshot needs --stored-embeddings");
    }
    if (storedEmbeddings != null) {
      TableName.parse("--stored-embeddings", storedEmbeddings);
    }
    if (ann != null) {
      AnnMethod.parse(ann);
    }
    if (chunkSize != null && (chunkSize < 1 || chunkSize > 100_000)) {
      throw new ParameterException(spec.commandLine(), "--chunk-size " + chunkSize + " is out of range; 1 to 100000");
    }
  }

  @Override
  public Integer call() {
    if (system.given()) {
      fromSystem();
    }
    IndexName name = IndexName.of(schema, index);
    if (switchBack) {
      return switchBack(name);
    }
    RebuildIndexRequest request = request();
    if (change.dryRun()) {
      RebuildIndexService.Planned planned = service.planWithReuse(request);
      return DryRunLock.print(spec, output, RebuildIndexReport.planJson("dry-run", ExitCodes.OK, planned),
          RebuildIndexReport.planText(planned), service.lockConflict(request),
          "no other rebuild or switch-back of " + name + " runs");
    }
    RebuildIndexService.RebuildOutcome outcome = service.rebuild(request);
    Output.print(spec, output, RebuildIndexReport.resultJson(outcome, name.toString()),
        RebuildIndexReport.resultText(outcome, name.toString()));
    return ExitCodes.OK;
  }

  private int switchBack(IndexName name) {
    SwitchBackRequest request = new SwitchBackRequest(name.schema(), name.name(), coolDownOrDefault(),
        overrideQuarantine, change.reason(), change.actor());
    if (change.dryRun()) {
      var plan = service.planSwitchBack(request);
      return DryRunLock.print(spec, output, RebuildIndexReport.switchBackPlanJson("dry-run", plan),
          RebuildIndexReport.switchBackPlanText(plan), service.lockConflict(request),
          "no other rebuild or switch-back of " + name + " runs");
    }
    var outcome = service.switchBack(request);
    Output.print(spec, output, RebuildIndexReport.switchBackJson(outcome), RebuildIndexReport.switchBackText(outcome));
    return ExitCodes.OK;
  }

  private RebuildIndexRequest request() {
    if (embedding == null || embedding.isBlank()) {
      throw new BadInputException("no embedding version for index " + index + ": no manifest pins one and the"
          + " system file gives no 'embedding'; give --embedding VERSION");
    }
    AnnSpec annSpec = new AnnSpec(ann == null ? AnnMethod.HNSW : AnnMethod.parse(ann),
        or(hnswM, defaults.hnswM()), or(hnswEfConstruction, defaults.hnswEfConstruction()), or(ivfflatLists, 0),
        maintenanceWorkMem == null ? defaults.maintenanceWorkMemSetting() : maintenanceWorkMem,
        or(parallelWorkers, defaults.parallelWorkers()), or(efSearch, defaults.hnswEfSearch()), or(ivfflatProbes, 0));
    ProbeSettings probe = new ProbeSettings(recallFloor == null ? defaults.recallFloor() : recallFloor,
        defaults.recallSample(), defaults.recallK());
    int chunk = or(chunkSize, defaults.chunkSize());
    return new RebuildIndexRequest(schema, index, embedding, sourceTable, sourceSnapshot, sourceQuery, idColumn,
        textColumn, storedEmbeddings, storedSnapshot, annSpec, probe, coolDownOrDefault(), chunk, create,
        overrideQuarantine, force, change.reason(), change.actor(), noReuse);
  }

  private Duration coolDownOrDefault() {
    return coolDown == null ? defaults.coolDown() : parseDuration("--cool-down", coolDown);
  }

  /** Spring Boot's duration syntax (24h, 30m, 7d, 0, PT24H), not negative; bad input names the option. */
  static Duration parseDuration(String option, String text) {
    try {
      Duration d = DurationStyle.detectAndParse(text.trim(), ChronoUnit.SECONDS);
      if (!d.isNegative()) {
        return d;
      }
    } catch (IllegalArgumentException e) {
      // the message below says what is valid
    }
    throw new BadInputException(option + " '" + text + "' is not a duration; expected for example 24h, 30m, 7d, 0"
        + " or PT24H");
  }

  private static int or(Integer value, int fallback) {
    return value == null ? fallback : value;
  }

  /**
   * Fills the options from the system file and its manifest: the pinned embedding version and source snapshot
   * (explicit --embedding / --source-snapshot win); before any manifest, the file's embedding and the source's
   * current snapshot.
   */
  private void fromSystem() {
    SystemDefinition definition = system.load(systems);
    IndexSpec indexSpec = definition.index(index);
    index = indexSpec.name();
    schema = indexSpec.schema();
    sourceTable = indexSpec.source();
    idColumn = indexSpec.idColumn();
    textColumn = indexSpec.textColumn();
    Optional<Manifest> manifest = manifests.givenOrLatest(definition.name(), manifestId);
    Optional<ManifestContent.IndexPin> pin = manifest.flatMap(m -> m.content().index(indexSpec.name()));
    if (embedding == null) {
      embedding = pin.map(ManifestContent.IndexPin::embeddingVersion).orElse(indexSpec.embedding());
    }
    if (sourceSnapshot == null) {
      sourceSnapshot = pin.map(ManifestContent.IndexPin::sourceSnapshotId).orElse(null);
    }
  }
}
