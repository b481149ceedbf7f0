package org.rollbackjobs.vector.verify;

import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.rollbackjobs.vector.index.BinaryCopy;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.LoadProgress;
import org.rollbackjobs.vector.index.ServingRelation;
import org.rollbackjobs.vector.index.ServingState;
import org.rollbackjobs.vector.index.VectorCopyLoader;
import org.rollbackjobs.vector.source.DocIdType;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.DocumentSource;
import org.rollbackjobs.vector.source.IcebergDocumentSource;

/**
 * Checks one vector index against what a manifest pins: its serving name, embedding version, document source at
 * a snapshot and (optionally) build. Changes nothing.
 *
 * <pre>
 * IndexCheckReport report = IndexCheck.of(dataSource, IndexName.of("public", "docs"))
 *     .embedding("all-minilm-l6-v2-q")
 *     .source(IcebergDocumentSource.of(table, snapshotId, "id", "text"))
 *     .pinnedBuild(42L)
 *     .exampleLimit(5)
 *     .run();
 * </pre>
 *
 * <p>How it scales: the pinned source's ids and the SHA-256 of their texts are streamed into a temporary table
 * with one binary {@code COPY} (memory stays flat), analysed, and compared with what the serving name returns by
 * one hash full join in PostgreSQL, grouped by embedding version and dimension: one pass over the source and one
 * over the serving build give every count. Example ids are fetched ({@code LIMIT}) only for the kinds found. Every
 * statement runs in one repeatable-read transaction, so a switch during the check cannot mix two builds into one
 * report. See {@link IndexFinding} for the kinds.
 */
public final class IndexCheck {
  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]{0,6}(kB|MB|GB)");
  private static final int WRITE_BLOCK = 1 << 16;
  private static final String TEMP = "pg_temp.rollback_check_source";

  private final DataSource dataSource;
  private final IndexName index;
  private String versionName;
  private EmbeddingVersion version;
  private VersionCatalog versions = VersionCatalog.builtInOnly();
  private DocumentSource source;
  private Long pinnedBuild;
  private int exampleLimit = 5;
  private String workMem = "256MB";
  private Consumer<String> progress;

  private IndexCheck(DataSource dataSource, IndexName index) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.index = Objects.requireNonNull(index, "index");
  }

  public static IndexCheck of(DataSource dataSource, IndexName index) {
    return new IndexCheck(dataSource, index);
  }

  /** The serving name {@code schema.name} (schema {@code public} when blank). */
  public static IndexCheck of(DataSource dataSource, String schema, String name) {
    return new IndexCheck(dataSource, IndexName.of(schema, name));
  }

  /**
   * The pinned embedding version by name: a built-in or configured model (see {@link #versions}), or a version in
   * the registry. An unknown name is a {@link BadInputException} when the check runs.
   */
  public IndexCheck embedding(String name) {
    this.versionName = Objects.requireNonNull(name, "embedding version");
    this.version = null;
    return this;
  }

  /** The pinned embedding version itself. */
  public IndexCheck embedding(EmbeddingVersion pinned) {
    this.version = Objects.requireNonNull(pinned, "embedding version");
    this.versionName = pinned.name();
    return this;
  }

  /** Where version names resolve besides the registry (default: the built-in models). */
  public IndexCheck versions(VersionCatalog catalog) {
    this.versions = Objects.requireNonNull(catalog, "versions");
    return this;
  }

  /**
   * The pinned documents: an Iceberg table at the pinned snapshot ({@link IcebergDocumentSource}) or a PostgreSQL
   * query. Without a source the document checks (missing, extra, changed) are skipped.
   */
  public IndexCheck source(DocumentSource documents) {
    this.source = Objects.requireNonNull(documents, "source");
    return this;
  }

  /**
   * The pinned documents and the snapshot the manifest pins; the source must be read at that snapshot (a source
   * without snapshots, such as a query, goes with a null snapshot).
   */
  public IndexCheck source(DocumentSource documents, Long snapshotId) {
    Objects.requireNonNull(documents, "source");
    if (!Objects.equals(documents.snapshotId(), snapshotId)) {
      throw new BadInputException("the document source " + documents.describe() + " is read at snapshot "
          + documents.snapshotId() + ", not at the pinned snapshot " + snapshotId);
    }
    this.source = documents;
    return this;
  }

  /** The pinned documents: {@code table} at {@code snapshotId}, ids from {@code idColumn}, texts from {@code textColumn}. */
  public IndexCheck source(Table table, long snapshotId, String idColumn, String textColumn) {
    this.source = IcebergDocumentSource.of(table, snapshotId, idColumn, textColumn);
    return this;
  }

  /**
   * The build the manifest pins (null: none). Another serving build is fine when it is equivalent: made with the
   * same single version from the same source and snapshot (a forced rebuild); else it is {@code index-stale-build}.
   */
  public IndexCheck pinnedBuild(Long buildId) {
    this.pinnedBuild = buildId;
    return this;
  }

  /** How many example ids each finding carries (default 5, at most 1000). */
  public IndexCheck exampleLimit(int limit) {
    if (limit < 0 || limit > 1000) {
      throw new BadInputException("example limit " + limit + " is out of range; 0 to 1000");
    }
    this.exampleLimit = limit;
    return this;
  }

  /** {@code work_mem} for the comparison's hash join, this transaction only (default 256MB). */
  public IndexCheck workMem(String memory) {
    if (memory == null || !MEMORY.matcher(memory).matches()) {
      throw new BadInputException("work_mem '" + memory + "' is not a memory size; expected for example 256MB or 1GB");
    }
    this.workMem = memory;
    return this;
  }

  /** Receives progress lines while the source is read (documents done / total, rate, ETA). */
  public IndexCheck progress(Consumer<String> sink) {
    this.progress = sink;
    return this;
  }

  /** Runs the check; changes nothing (the temporary table goes with the transaction, which is rolled back). */
  public IndexCheckReport run() {
    if (versionName == null) {
      throw new BadInputException("the check of index " + index + " needs the pinned embedding version");
    }
    long started = System.nanoTime();
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      int isolation = c.getTransactionIsolation();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        return new Run(c, started).check();
      } finally {
        c.rollback();
        c.setTransactionIsolation(isolation);
        c.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check index " + index + ": " + e.getMessage(), e);
    }
  }

  /** One run's state. */
  private final class Run {
    private final Connection c;
    private final long started;
    private final List<IndexFinding> findings = new ArrayList<>();
    private EmbeddingVersion pinned;
    private IndexBuild serving;
    /** The tables the serving view reads (normally the serving build's). */
    private List<ServingView.Table> tablesRead = List.of();
    private String buildTable;
    /** Set when the view reads another table than the build the registry records as serving. */
    private String viewDrift;
    private long sourceDocuments;
    private long rows;
    private final Map<String, Long> versionRows = new TreeMap<>();
    private long readNanos;
    private long compareStarted;

    Run(Connection c, long started) {
      this.c = c;
      this.started = started;
    }

    IndexCheckReport check() throws SQLException {
      pinned = version != null ? version : versions.lookup(c, versionName);
      if (servingBuild()) {
        staleBuild();
        contents();
        annIndex();
      }
      long now = System.nanoTime();
      long compareNanos = compareStarted == 0 ? 0 : now - compareStarted;
      return new IndexCheckReport(index, pinned.name(), source == null ? null : source.describe(),
          source == null ? null : source.snapshotId(), pinnedBuild, serving == null ? null : serving.id(), buildTable,
          sourceDocuments, rows, versionRows, findings, Duration.ofNanos(readNanos), Duration.ofNanos(compareNanos),
          Duration.ofNanos(now - started));
    }

    /** Finds the build behind the serving name; false (with an index-not-serving finding) when there is none. */
    private boolean servingBuild() throws SQLException {
      ServingState state = ServingRelation.inspect(c, index);
      String problem = null;
      switch (state.kind()) {
        case NONE -> problem = "index " + index + " does not exist: no relation " + index + " (managed indexes: "
            + managed() + ")";
        case TABLE -> problem = "index " + index + " is a table made outside rollback-jobs, not a serving view over"
            + " a build: it has no build, lineage or pinned version to check (rebuild-index makes it one)";
        case OTHER -> problem = "index " + index + " is not a serving view of rollback-jobs: "
            + String.join("; ", state.problems());
        default -> {
          if (!state.problems().isEmpty()) {
            problem = "index " + index + " cannot serve: " + String.join("; ", state.problems());
          } else if (state.servingBuildId() == null) {
            problem = "index " + index + " is managed but the registry records no serving build";
          }
        }
      }
      if (problem == null) {
        Optional<IndexBuild> recorded = BuildRegistry.find(c, state.servingBuildId());
        List<ServingView.Table> tables = ServingView.readTables(c, index);
        Optional<IndexBuild> read = ServingView.buildRead(c, index, tables);
        if (recorded.isEmpty()) {
          problem = "index " + index + " is recorded as serving build " + state.servingBuildId()
              + ", which the build registry does not know";
        } else if (tables.isEmpty()) {
          problem = "the serving view " + index + " reads no table (expected build table "
              + index.schema() + "." + recorded.get().buildTable() + ")";
        } else {
          serving = read.orElse(recorded.get());
          buildTable = tables.stream().map(ServingView.Table::qualified).collect(Collectors.joining(", "));
          tablesRead = tables;
          if (read.isEmpty() || read.get().id() != recorded.get().id()) {
            viewDrift = "the serving view " + index + " reads " + (read.isPresent() ? "build " + read.get().id()
                + " (table " + buildTable + ")" : "table " + buildTable + ", which is not a build of the index")
                + " but the registry records build " + recorded.get().id() + " (table " + index.schema() + "."
                + recorded.get().buildTable() + ") as serving: the view was changed outside rebuild-index";
          }
          return true;
        }
      }
      findings.add(new IndexFinding(IndexFinding.NOT_SERVING, problem, 1, List.of(index.toString())));
      return false;
    }

    private String managed() throws SQLException {
      List<IndexName> names = BuildRegistry.indexes(c);
      return names.isEmpty() ? "none" : names.stream().map(IndexName::toString).collect(Collectors.joining(", "));
    }

    /** The serving build's lineage (registry) against the pins. */
    private void staleBuild() throws SQLException {
      List<String> differences = new ArrayList<>();
      List<String> examples = new ArrayList<>();
      examples.add(Long.toString(serving.id()));
      if (serving.legacy()) {
        differences.add("a table made outside rollback-jobs (embedding versions " + serving.embeddingVersion()
            + ") that records no source snapshot");
      } else {
        if (!pinned.name().equals(serving.embeddingVersion())) {
          differences.add("built with embedding version " + serving.embeddingVersion() + ", not the pinned "
              + pinned.name());
        }
        if (source != null && !source.name().equals(serving.source())) {
          differences.add("built from source " + serving.source() + ", not the pinned " + source.name());
        } else if (source != null && !Objects.equals(source.snapshotId(), serving.sourceSnapshot())) {
          differences.add("built from snapshot " + serving.sourceSnapshot() + " of " + serving.source()
              + ", not the pinned snapshot " + source.snapshotId());
        }
      }
      if (pinnedBuild != null && pinnedBuild != serving.id()) {
        Optional<IndexBuild> pinnedRecord = BuildRegistry.find(c, pinnedBuild);
        if (pinnedRecord.isEmpty() || !pinnedRecord.get().index().equals(index)) {
          differences.add("the pinned build " + pinnedBuild + " is not a build of " + index + " in the registry");
        } else if (!equivalent(pinnedRecord.get(), serving)) {
          IndexBuild p = pinnedRecord.get();
          differences.add("not the pinned build " + p.id() + " (version " + p.embeddingVersion() + ", " + p.source()
              + "@" + p.sourceSnapshot() + ", now " + p.status() + ") nor equivalent to it");
        }
        examples.add(Long.toString(pinnedBuild));
      }
      if (viewDrift == null && differences.isEmpty()) {
        return;
      }
      String message = (viewDrift == null ? "" : viewDrift + (differences.isEmpty() ? "" : "; "))
          + (differences.isEmpty() ? "" : "index " + index + " serves build " + serving.id() + ": "
              + String.join("; ", differences));
      findings.add(new IndexFinding(IndexFinding.STALE_BUILD, message, 1, examples));
    }

    /** Same single version, same source and snapshot: the same rows, whatever the build id. */
    private boolean equivalent(IndexBuild a, IndexBuild b) {
      return !a.legacy() && !b.legacy() && Objects.equals(a.embeddingVersion(), b.embeddingVersion())
          && Objects.equals(a.source(), b.source()) && Objects.equals(a.sourceSnapshot(), b.sourceSnapshot());
    }

    /** Versions, dimensions and documents of the rows behind the serving name. */
    private void contents() throws SQLException {
      ServingState state = ServingRelation.inspect(c, index);
      DocIdType idType = state.docIdType();
      Set<String> columns = ServingView.columns(c, index);
      String view = index.sql();
      String hash = columns.contains("content_hash") ? "b.content_hash" : "NULL::text";
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL work_mem = '" + workMem + "'"); // checked against a pattern
      }
      if (source != null) {
        long t = System.nanoTime();
        sourceDocuments = loadSource(idType);
        readNanos = System.nanoTime() - t;
      }
      compareStarted = System.nanoTime();

      // one pass: rows per (version, dimension), documents missing, extra, changed
      String sql = source == null
          ? "SELECT b.embedding_version::text, vector_dims(b.embedding), false, count(*), 0, 0, 0 FROM " + view
              + " b GROUP BY 1, 2"
          : "SELECT b.embedding_version::text, vector_dims(b.embedding), b.doc_id IS NULL, count(*),"
              + " count(*) FILTER (WHERE b.doc_id IS NOT NULL AND s.doc_id IS NULL),"
              + " count(*) FILTER (WHERE b.doc_id IS NOT NULL AND s.doc_id IS NOT NULL"
              + " AND " + hash + " IS DISTINCT FROM s.content_hash),"
              + " count(*) FILTER (WHERE b.doc_id IS NOT NULL AND s.doc_id IS NOT NULL AND " + hash + " IS NULL)"
              + " FROM " + view + " b FULL JOIN " + TEMP + " s ON s.doc_id = b.doc_id GROUP BY 1, 2, 3";
      long missing = 0;
      long extra = 0;
      long changed = 0;
      long noHash = 0;
      long wrongDimension = 0;
      Map<Integer, Long> dimensions = new TreeMap<>();
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
        while (rs.next()) {
          long n = rs.getLong(4);
          if (rs.getBoolean(3)) {
            missing += n;
            continue;
          }
          String v = rs.getString(1);
          versionRows.merge(v == null ? "(null)" : v, n, Long::sum);
          int d = rs.getInt(2);
          if (!rs.wasNull()) {
            dimensions.merge(d, n, Long::sum);
            if (d != pinned.dimension()) {
              wrongDimension += n;
            }
          }
          rows += n;
          extra += rs.getLong(5);
          changed += rs.getLong(6);
          noHash += rs.getLong(7);
        }
      }

      long otherVersions = versionRows.entrySet().stream().filter(e -> !e.getKey().equals(pinned.name()))
          .mapToLong(Map.Entry::getValue).sum();
      if (otherVersions > 0) {
        findings.add(new IndexFinding(IndexFinding.MIXED_EMBEDDING_VERSIONS, String.format(Locale.ROOT,
            "index %s serves %,d of %,d rows embedded with another version than the pinned %s; versions found: %s",
            index, otherVersions, rows, pinned.name(), describe(versionRows, "")),
            otherVersions, examples("SELECT x.doc_id::text FROM " + view + " x WHERE x.embedding_version IS DISTINCT FROM ?"
                + " ORDER BY x.doc_id LIMIT ?", pinned.name())));
      }
      if (source != null && missing > 0) {
        findings.add(new IndexFinding(IndexFinding.MISSING_DOCUMENTS, String.format(Locale.ROOT,
            "index %s has no row for %,d of the %,d documents of %s", index, missing, sourceDocuments,
            source.describe()), missing, examples("SELECT s.doc_id::text FROM " + TEMP + " s WHERE NOT EXISTS"
                + " (SELECT 1 FROM " + view + " b WHERE b.doc_id = s.doc_id) ORDER BY s.doc_id LIMIT ?")));
      }
      if (source != null && extra > 0) {
        findings.add(new IndexFinding(IndexFinding.EXTRA_DOCUMENTS, String.format(Locale.ROOT,
            "index %s serves %s whose document is not in %s", index, rows(extra), source.describe()),
            extra, examples("SELECT b.doc_id::text FROM " + view + " b WHERE NOT EXISTS"
                + " (SELECT 1 FROM " + TEMP + " s WHERE s.doc_id = b.doc_id) ORDER BY b.doc_id LIMIT ?")));
      }
      // a document with two rows shows as more matched rows than matched documents; rows of extra documents are
      // counted exactly whenever there are extra rows at all
      long surplus = (rows - extra) - (sourceDocuments - missing);
      if (source == null || surplus != 0 || extra > 0) {
        duplicates(view);
      }
      if (source != null && changed > 0) {
        findings.add(new IndexFinding(IndexFinding.CHANGED_TEXT, String.format(Locale.ROOT,
            "index %s serves %s whose content hash is not the SHA-256 of the document's text in %s: they embed"
                + " another text than the pinned one%s", index, rows(changed), source.describe(),
            noHash > 0 ? String.format(Locale.ROOT, " (%,d of them record no content hash)", noHash) : ""),
            changed, examples("SELECT b.doc_id::text FROM " + view + " b JOIN " + TEMP + " s ON s.doc_id = b.doc_id"
                + " WHERE " + hash + " IS DISTINCT FROM s.content_hash ORDER BY b.doc_id LIMIT ?")));
      }
      if (wrongDimension > 0) {
        Map<String, Long> byDimension = new LinkedHashMap<>();
        dimensions.forEach((d, n) -> byDimension.put(Integer.toString(d), n));
        findings.add(new IndexFinding(IndexFinding.DIMENSION_MISMATCH, String.format(Locale.ROOT,
            "index %s serves %s whose vectors do not have the %d dimensions of the pinned version %s;"
                + " dimensions found: %s", index, rows(wrongDimension), pinned.dimension(), pinned.name(),
            describe(byDimension, " dims")), wrongDimension,
            examples("SELECT x.doc_id::text FROM " + view + " x WHERE vector_dims(x.embedding) <> ? ORDER BY x.doc_id"
                + " LIMIT ?",
                pinned.dimension())));
      }
    }

    private void duplicates(String view) throws SQLException {
      long ids;
      long surplusRows;
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(n - 1), 0)"
          + " FROM (SELECT doc_id, count(*) AS n FROM " + view + " GROUP BY doc_id HAVING count(*) > 1) d")) {
        rs.next();
        ids = rs.getLong(1);
        surplusRows = rs.getLong(2);
      }
      if (ids > 0) {
        findings.add(new IndexFinding(IndexFinding.DUPLICATE_DOCUMENTS, String.format(Locale.ROOT,
            "index %s serves more than one row for %,d document ids (%,d surplus rows): a similarity query can"
                + " return a document twice", index, ids, surplusRows), ids,
            examples("SELECT x.doc_id::text FROM " + view + " x GROUP BY x.doc_id HAVING count(*) > 1"
                + " ORDER BY x.doc_id LIMIT ?")));
      }
    }

    /** The serving build needs a valid, ready HNSW or IVFFlat index with the pinned distance's operator class. */
    private void annIndex() throws SQLException {
      String opclass = pinned.distance().operatorClass();
      List<String> unusable = new ArrayList<>();
      List<String> why = new ArrayList<>();
      boolean usable = false;
      for (ServingView.Table table : tablesRead) {
        try (PreparedStatement s = c.prepareStatement("SELECT ic.relname, am.amname, opc.opcname, i.indisvalid,"
            + " i.indisready FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid"
            + " JOIN pg_am am ON am.oid = ic.relam LEFT JOIN pg_opclass opc ON opc.oid = i.indclass[0]"
            + " WHERE i.indrelid = ? AND am.amname IN ('hnsw', 'ivfflat') ORDER BY 1")) {
          s.setLong(1, table.oid());
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              String name = table.schema() + "." + rs.getString(1);
              boolean valid = rs.getBoolean(4);
              boolean ready = rs.getBoolean(5);
              boolean rightClass = opclass.equals(rs.getString(3));
              if (valid && ready && rightClass) {
                usable = true;
              } else {
                unusable.add(name);
                why.add(name + " (" + rs.getString(2) + ", " + rs.getString(3) + ")" + (valid ? "" : " is not valid (pg_index.indisvalid)")
                    + (ready ? "" : (valid ? "" : " and") + " is not ready (pg_index.indisready)")
                    + (rightClass ? "" : (valid && ready ? "" : ",") + " has operator class " + rs.getString(3)
                        + ", not " + opclass + " of the pinned " + pinned.distance().label() + " distance"));
              }
            }
          }
        }
      }
      if (usable) {
        return;
      }
      String message = unusable.isEmpty()
          ? "the serving build " + serving.id() + " of index " + index + " (table " + buildTable + ") has no ANN index"
              + " (hnsw or ivfflat): every similarity query scans all " + rows + " rows"
          : "the serving build " + serving.id() + " of index " + index + " has no usable ANN index: "
              + String.join("; ", why);
      findings.add(new IndexFinding(IndexFinding.ANN_INVALID, message, Math.max(1, unusable.size()),
          unusable.isEmpty() ? List.of(buildTable) : unusable.subList(0, Math.min(unusable.size(),
              Math.max(1, exampleLimit)))));
    }

    /** Streams the pinned source's (id, SHA-256 of text) into the temporary table with one binary COPY. */
    private long loadSource(DocIdType idType) throws SQLException {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE rollback_check_source (doc_id " + idType.sql() + ", content_hash text)"
            + " ON COMMIT DROP");
      }
      LoadProgress meter = progress == null ? null
          : new LoadProgress("check " + index + ": read " + source.describe(), source.count(), 0, Duration.ofSeconds(5));
      MessageDigest sha256 = VectorCopyLoader.sha256();
      HexFormat hex = HexFormat.of();
      long total;
      CopyIn in = c.unwrap(PGConnection.class).getCopyAPI()
          .copyIn("COPY " + TEMP + " (doc_id, content_hash) FROM STDIN (FORMAT binary)");
      try (DocumentCursor documents = source.open(0)) {
        BinaryCopy rows = new BinaryCopy(WRITE_BLOCK + 4096);
        int sinceReport = 0;
        while (documents.hasNext()) {
          Document d = documents.next();
          Object id;
          try {
            id = idType.normalize(d.id());
          } catch (NumberFormatException e) {
            throw new BadInputException("document id '" + d.id() + "' of " + source.describe() + " is not a number,"
                + " but index " + index + " has bigint ids", e);
          }
          if (id == null) {
            throw new BadInputException(source.describe() + " holds a document without an id");
          }
          rows.startRow(2).id(id, idType).text(VectorCopyLoader.contentHash(sha256, hex, d.text()));
          if (rows.size() >= WRITE_BLOCK) {
            rows.flushTo(in::writeToCopy);
          }
          if (meter != null && ++sinceReport == 10_000) {
            report(meter.advance(sinceReport));
            sinceReport = 0;
          }
        }
        rows.endTo(in::writeToCopy);
        total = in.endCopy();
        if (meter != null) {
          report(meter.advance(sinceReport));
        }
      } finally {
        if (in.isActive()) {
          in.cancelCopy();
        }
      }
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE " + TEMP);
      }
      return total;
    }

    private void report(String line) {
      if (line != null) {
        progress.accept(line);
      }
    }

    /**
     * The first column of {@code sql} (the limit is its last parameter). Queries order by a qualified column
     * ({@code x.doc_id}): a bare {@code doc_id} would name the text output column and sort "10" before "2".
     */
    private List<String> examples(String sql, Object... params) throws SQLException {
      if (exampleLimit == 0) {
        return List.of();
      }
      List<String> values = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement(sql)) {
        int i = 1;
        for (Object p : params) {
          s.setObject(i++, p);
        }
        s.setInt(i, exampleLimit);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            values.add(rs.getString(1));
          }
        }
      }
      return values;
    }
  }

  private static String rows(long n) {
    return String.format(Locale.ROOT, n == 1 ? "%,d row" : "%,d rows", n);
  }

  private static String describe(Map<String, Long> counts, String unit) {
    return counts.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s%s (%,d rows)", e.getKey(), unit, e.getValue()))
        .collect(Collectors.joining(", "));
  }
}
