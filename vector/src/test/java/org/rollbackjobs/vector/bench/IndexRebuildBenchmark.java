package org.rollbackjobs.vector.bench;

import static org.rollbackjobs.vector.bench.BenchmarkSupport.deleteRecursively;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.log;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.median;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.parse;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.seconds;

import com.pgvector.PGvector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.index.AnnIndexBuilder;
import org.rollbackjobs.vector.index.AnnSpec;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.RebuildResult;
import org.rollbackjobs.vector.index.VectorCopyLoader;
import org.rollbackjobs.vector.source.DocIdType;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.VectorDb;

/**
 * Index rebuild figures, side by side in one run on the same server and data. Not a test (surefire excludes
 * {@code *Benchmark}); run it with
 *
 * <pre>
 * mvn -B -q -pl vector -am process-test-classes -Dbenchmark -Dexec.args="--docs 100000"
 * </pre>
 *
 * <ol>
 *   <li>End to end: a rebuild of {@code --docs} documents (an Iceberg table) with a real in-process model, timed per
 *       stage: embed, load (binary COPY + commits), ANN index, validate, switch.
 *   <li>Load: the same vectors (read back from that build) loaded three ways into fresh tables: one plain
 *       {@code COPY ... FROM STDIN (FORMAT binary)} of bytes encoded beforehand (and the same bytes in the job's
 *       chunks); the job's loader ({@link VectorCopyLoader}: encodes, hashes the text, one COPY, a position update
 *       and one commit per chunk of {@code --chunk} documents, as the job's load step does); batched {@code INSERT}
 *       (500 rows a batch, one transaction).
 *       Median of {@code --repeats}, in rotating order.
 *   <li>HNSW build of that table with the job's settings (maintenance_work_mem 1GB, cores - 1 parallel workers)
 *       against the server's own settings.
 * </ol>
 *
 * Options: {@code --docs}, {@code --chunk}, {@code --repeats}, {@code --model} (a built-in version name),
 * {@code --index-repeats}, {@code --load-only} (part 1 alone, on random unit vectors: no model, no index).
 */
public final class IndexRebuildBenchmark {
  private IndexRebuildBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
    Map<String, String> options = parse(args);
    int docs = Integer.parseInt(options.getOrDefault("docs", "100000"));
    int chunk = Integer.parseInt(options.getOrDefault("chunk", "1000"));
    int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
    int indexRepeats = Integer.parseInt(options.getOrDefault("index-repeats", "1"));
    boolean loadOnly = options.containsKey("load-only");
    BuiltInModel model = BuiltInModel.byVersionName(options.getOrDefault("model", "all-minilm-l6-v2-q"))
        .orElseThrow(() -> new IllegalArgumentException("unknown --model"));

    DataSource db = VectorDb.dataSource();
    Path warehouse = Files.createTempDirectory("index-benchmark-");
    try {
      Catalog catalog = VectorDb.catalog(warehouse);
      long start = System.nanoTime();
      Table table = Documents.create(catalog, "bench.docs", docs, Math.max(1, docs / 10_000), 99);
      log("setup: %,d documents in Iceberg (%.1f s)", docs, seconds(System.nanoTime() - start));
      String schema = VectorDb.freshSchema("bench");

      // (3) end to end
      Embedder embedder = model.embedder(VectorDb.executor());
      RebuildResult e2e = null;
      IndexBuild template;
      if (loadOnly) {
        template = freshTable(db, schema, "template", null);
      } else {
        embedder.embed(List.of("warm up the model")); // load the ONNX model outside the timings
        log("end to end: rebuilding %s.docs from %,d documents with %s ...", schema, docs, model.versionName());
        e2e = IndexRebuild.of(db).index(IndexName.of(schema, "docs")).version(embedder.version())
            .vectors(VectorSource.embedding(embedder)).source(IcebergDocumentSource.of(table, null, "id", "text"))
            .batchSize(chunk).createIfMissing(true).reason("benchmark").actor("benchmark")
            .progress(line -> log("  %s", line)).commit();
        if (!e2e.validation().passed()) {
          throw new IllegalStateException("the benchmark build failed validation: " + e2e.validation().failures());
        }
        template = e2e.build();
      }

      // (1) load, on the vectors of that build
      List<Document> documents = new ArrayList<>(docs);
      List<float[]> vectors = new ArrayList<>(docs);
      if (loadOnly) {
        randomUnitVectors(docs, documents, vectors);
      } else {
        readBack(db, template, documents, vectors);
      }
      Map<String, List<Long>> loads = new HashMap<>();
      List<String> methods = List.of("copy", "chunked", "loader", "insert");
      VectorDb.execute("CREATE TABLE " + schema + ".load_position (step int PRIMARY KEY, read_count bigint,"
          + " context text)", "INSERT INTO " + schema + ".load_position VALUES (1, 0, '')");
      for (int r = 0; r < repeats; r++) {
        for (int m = 0; m < methods.size(); m++) {
          String method = methods.get((m + r) % methods.size());
          IndexBuild target = freshTable(db, schema, method + "_" + r, template);
          long nanos = switch (method) {
            case "copy" -> plainCopy(db, target, documents, vectors);
            case "chunked" -> chunkedCopy(db, target, documents, vectors, chunk);
            case "loader" -> loader(db, target, documents, vectors, chunk, schema + ".load_position");
            default -> batchedInsert(db, target, documents, vectors);
          };
          check(db, target, docs);
          loads.computeIfAbsent(method, k -> new ArrayList<>()).add(nanos);
          log("load %-6s run %d: %.2f s", method, r + 1, seconds(nanos));
          VectorDb.execute("DROP TABLE " + target.tableSql());
        }
      }

      // (2) HNSW build, tuned against the server's settings, on the end-to-end build's table
      AnnSpec tuned = AnnSpec.defaults();
      Map<String, List<Long>> builds = new HashMap<>();
      for (int r = 0; r < (loadOnly ? 0 : indexRepeats); r++) {
        for (String variant : r % 2 == 0 ? List.of("server", "tuned") : List.of("tuned", "server")) {
          IndexBuild copyOfBuild = freshTable(db, schema, "hnsw_" + variant + "_" + r, e2e.build());
          VectorDb.execute("INSERT INTO " + copyOfBuild.tableSql() + " SELECT * FROM " + e2e.build().tableSql(),
              "VACUUM ANALYZE " + copyOfBuild.tableSql());
          AnnSpec spec = variant.equals("tuned") ? tuned : tuned.withServerSettings();
          try (Connection c = db.getConnection()) {
            long nanos = AnnIndexBuilder.create(c, copyOfBuild, spec, embedder.version().distance(), docs).toNanos();
            builds.computeIfAbsent(variant, k -> new ArrayList<>()).add(nanos);
            log("hnsw %-6s run %d: %.1f s", variant, r + 1, seconds(nanos));
          }
          VectorDb.execute("DROP TABLE " + copyOfBuild.tableSql());
        }
      }
      report(db, docs, chunk, repeats, model, e2e, loads, builds, tuned, template.dimension());
    } finally {
      deleteRecursively(warehouse);
    }
  }

  private static void readBack(DataSource db, IndexBuild build, List<Document> documents, List<float[]> vectors)
      throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      PGvector.registerTypes(c);
      try (PreparedStatement s = c.prepareStatement("SELECT doc_id, embedding FROM " + build.tableSql()
          + " ORDER BY doc_id")) {
        s.setFetchSize(5000);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            long id = rs.getLong(1);
            documents.add(new Document(id, Documents.text(id, 99)));
            vectors.add(((PGvector) rs.getObject(2)).toArray());
          }
        }
      }
      c.rollback();
    }
  }

  /** Random unit vectors (for --load-only, when no model runs). */
  private static void randomUnitVectors(int docs, List<Document> documents, List<float[]> vectors) {
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (long id = 1; id <= docs; id++) {
      float[] v = new float[384];
      double norm = 0;
      for (int d = 0; d < v.length; d++) {
        v[d] = (float) random.nextGaussian();
        norm += v[d] * v[d];
      }
      for (int d = 0; d < v.length; d++) {
        v[d] /= (float) Math.sqrt(norm);
      }
      documents.add(new Document(id, Documents.text(id, 99)));
      vectors.add(v);
    }
  }

  /** A registered, empty table shaped like a build (the loader needs a build to write to). */
  static IndexBuild freshTable(DataSource db, String schema, String name, IndexBuild like)
      throws SQLException {
    try (Connection c = db.getConnection()) {
      IndexBuild build = BuildRegistry.insertBuild(c, IndexName.of(schema, name), IndexBuild.KIND_BUILD,
          like == null ? "random-unit-vectors" : like.embeddingVersion(), like == null ? 384 : like.dimension(),
          DocIdType.BIGINT, like == null ? "random" : like.source(), like == null ? 1L : like.sourceSnapshot(),
          Map.of("shape", "benchmark"), null, "benchmark", "benchmark", IndexBuild.BUILDING);
      org.rollbackjobs.vector.index.BuildTable.create(c, build);
      return build;
    }
  }

  /** The baseline: one COPY of bytes encoded beforehand (the same bytes the loader produces). */
  private static long plainCopy(DataSource db, IndexBuild target, List<Document> documents, List<float[]> vectors)
      throws SQLException {
    byte[] stream = new VectorCopyLoader(target).encode(documents, vectors); // not timed
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      VectorCopyLoader.copy(c, "COPY " + target.tableSql() + " (" + VectorCopyLoader.COLUMNS
          + ") FROM STDIN (FORMAT binary)", stream);
      c.commit();
      return System.nanoTime() - start;
    }
  }

  /** Plain COPY of the same pre-encoded bytes, cut into the job's chunks, one (synchronous) commit per chunk. */
  private static long chunkedCopy(DataSource db, IndexBuild target, List<Document> documents, List<float[]> vectors,
      int chunk) throws SQLException {
    VectorCopyLoader encoder = new VectorCopyLoader(target);
    List<byte[]> streams = new ArrayList<>();
    for (int from = 0; from < documents.size(); from += chunk) { // not timed
      int to = Math.min(documents.size(), from + chunk);
      streams.add(encoder.encode(documents.subList(from, to), vectors.subList(from, to)));
    }
    String sql = "COPY " + target.tableSql() + " (" + VectorCopyLoader.COLUMNS + ") FROM STDIN (FORMAT binary)";
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      for (byte[] stream : streams) {
        VectorCopyLoader.copy(c, sql, stream);
        c.commit();
      }
      return System.nanoTime() - start;
    }
  }

  /**
   * The job's loader: per chunk, what the load step's writer does (encode, hash the texts, one COPY through
   * {@link VectorCopyLoader}), plus the two updates Spring Batch makes in the same transaction to record the
   * position (step execution and its context; emulated here on a table of the same shape), then one commit.
   */
  private static long loader(DataSource db, IndexBuild target, List<Document> documents, List<float[]> vectors,
      int chunk, String positionTable) throws SQLException {
    VectorCopyLoader loader = new VectorCopyLoader(target);
    try (Connection c = db.getConnection();
        PreparedStatement step = c.prepareStatement("UPDATE " + positionTable + " SET read_count = ? WHERE step = 1");
        PreparedStatement context = c.prepareStatement("UPDATE " + positionTable + " SET context = ? WHERE step = 1")) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      for (int from = 0; from < documents.size(); from += chunk) {
        int to = Math.min(documents.size(), from + chunk);
        loader.load(c, documents.subList(from, to), vectors.subList(from, to));
        step.setLong(1, to);
        step.executeUpdate();
        context.setString(1, "{\"documents.read\":" + to + "}");
        context.executeUpdate();
        c.commit();
      }
      return System.nanoTime() - start;
    }
  }

  private static long batchedInsert(DataSource db, IndexBuild target, List<Document> documents, List<float[]> vectors)
      throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      PGvector.registerTypes(c);
      long start = System.nanoTime();
      try (PreparedStatement s = c.prepareStatement("INSERT INTO " + target.tableSql() + " ("
          + VectorCopyLoader.COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        for (int i = 0; i < documents.size(); i++) {
          s.setLong(1, (Long) documents.get(i).id());
          s.setObject(2, new PGvector(vectors.get(i)));
          s.setString(3, target.embeddingVersion());
          s.setObject(4, target.sourceSnapshot());
          s.setString(5, java.util.HexFormat.of().formatHex(
              sha.digest(documents.get(i).text().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
          s.addBatch();
          if ((i + 1) % 500 == 0) {
            s.executeBatch();
          }
        }
        s.executeBatch();
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      c.commit();
      return System.nanoTime() - start;
    }
  }

  private static void check(DataSource db, IndexBuild target, int docs) {
    long rows = VectorDb.count("SELECT count(*) FROM " + target.tableSql());
    if (rows != docs) {
      throw new IllegalStateException(target.tableSql() + " has " + rows + " rows, expected " + docs);
    }
  }

  private static void report(DataSource db, int docs, int chunk, int repeats, BuiltInModel model, RebuildResult e2e,
      Map<String, List<Long>> loads, Map<String, List<Long>> builds, AnnSpec tuned, int dimension)
      throws SQLException {
    String server = VectorDb.column("SELECT version()").get(0).replaceAll(" on .*", "");
    String vector = VectorDb.column("SELECT extversion FROM pg_extension WHERE extname = 'vector'").get(0);
    String serverMem = VectorDb.column("SELECT current_setting('maintenance_work_mem') || ', '"
        + " || current_setting('max_parallel_maintenance_workers') || ' workers'").get(0);
    System.out.println();
    System.out.printf(Locale.ROOT, "Index rebuild benchmark: %,d documents, %s (%d dims), chunk %d, %d cores, %s,"
        + " pgvector %s, Java %s%n", docs, e2e == null ? "random unit vectors" : model.versionName(), dimension, chunk,
        Runtime.getRuntime().availableProcessors(), server, vector, System.getProperty("java.version"));
    System.out.println();
    System.out.println("(1) load of the same pre-computed vectors, median of " + repeats);
    System.out.println("| method | time | rows/s | vs plain COPY |");
    System.out.println("| --- | ---: | ---: | ---: |");
    double copy = median(loads.get("copy"));
    for (String method : List.of("copy", "chunked", "loader", "insert")) {
      double t = median(loads.get(method));
      String label = switch (method) {
        case "copy" -> "plain `COPY ... FROM STDIN (FORMAT binary)`, pre-encoded, one statement";
        case "chunked" -> "plain `COPY`, pre-encoded, in chunks of " + chunk + ", commit per chunk";
        case "loader" -> "job loader (`VectorCopyLoader`: encode + hash + COPY per chunk of " + chunk
            + ", position update, async commit)";
        default -> "batched `INSERT` (500 a batch, one transaction)";
      };
      System.out.printf(Locale.ROOT, "| %s | %.2f s | %,.0f | %.2f |%n", label, t, docs / t, copy / t);
    }
    if (e2e == null) {
      return;
    }
    System.out.println();
    System.out.println("(2) HNSW build (m 16, ef_construction 64, cosine), median of "
        + builds.get("tuned").size());
    System.out.println("| settings | time |");
    System.out.println("| --- | ---: |");
    System.out.printf(Locale.ROOT, "| server defaults (%s) | %.1f s |%n", serverMem, median(builds.get("server")));
    System.out.printf(Locale.ROOT, "| job (maintenance_work_mem %s, %d workers) | %.1f s |%n", tuned.maintenanceWorkMem(),
        tuned.parallelWorkers(), median(builds.get("tuned")));
    System.out.printf(Locale.ROOT, "tuned / defaults = %.2f%n", median(builds.get("tuned")) / median(builds.get("server")));
    System.out.println();
    System.out.println("(3) end-to-end rebuild");
    Duration embed = e2e.load().vectors();
    Duration load = e2e.load().copy();
    System.out.println("| stage | time |");
    System.out.println("| --- | ---: |");
    System.out.printf(Locale.ROOT, "| prepare (register, create table) | %.2f s |%n", sec(e2e.prepare()));
    System.out.printf(Locale.ROOT, "| embed (%s, %.0f docs/s) | %.1f s |%n", model.versionName(),
        docs / sec(embed), sec(embed));
    System.out.printf(Locale.ROOT, "| load (binary COPY + commits) | %.2f s |%n", sec(load));
    System.out.printf(Locale.ROOT, "| read documents (Iceberg, in the load loop) | %.2f s |%n",
        sec(e2e.load().total().minus(embed).minus(load)));
    System.out.printf(Locale.ROOT, "| ANN index (HNSW) + doc_id index + analyze | %.1f s |%n", sec(e2e.annIndex()));
    System.out.printf(Locale.ROOT, "| validate (ids, versions, recall %.3f on %d probes) | %.2f s |%n",
        e2e.validation().recall(), e2e.validation().probes(), sec(e2e.validate()));
    System.out.printf(Locale.ROOT, "| switch (one transaction) | %.3f s |%n", sec(e2e.switchTime()));
    Duration total = e2e.prepare().plus(e2e.load().total()).plus(e2e.annIndex()).plus(e2e.validate())
        .plus(e2e.switchTime()).plus(e2e.retire());
    System.out.printf(Locale.ROOT, "| total | %.1f s |%n", sec(total));
  }


  private static double sec(Duration d) {
    return d.toNanos() / 1e9;
  }

}
