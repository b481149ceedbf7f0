package org.rollbackjobs.vector.bench;

import static org.rollbackjobs.vector.bench.BenchmarkSupport.deleteRecursively;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.log;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.median;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.parse;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.seconds;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.index.AnnMethod;
import org.rollbackjobs.vector.index.AnnSpec;
import org.rollbackjobs.vector.index.BinaryCopy;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.VectorCopyLoader;
import org.rollbackjobs.vector.source.DocIdType;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.VectorDb;
import org.rollbackjobs.vector.verify.IndexCheck;
import org.rollbackjobs.vector.verify.IndexCheckReport;
import org.rollbackjobs.vector.verify.IndexFinding;

/**
 * Index check figures, side by side in one run on the same server and data. Not a test (surefire excludes
 * {@code *Benchmark}); run it with
 *
 * <pre>
 * mvn -B -q -pl vector -am process-test-classes -Dbenchmark -Dbenchmark.class=IndexCheckBenchmark \
 *   -Dexec.args="--docs 1000000"
 * </pre>
 *
 * <p>Setup: {@code --docs} documents in an Iceberg table (real Parquet files), and a serving build of the same
 * number of rows made by the rebuild's own stages (binary COPY load, IVFFlat index, switch). The vectors are real
 * embeddings of {@code --distinct} distinct texts by the built-in model, reused round-robin (embedding a million
 * texts takes about 35 minutes here and does not change what the check reads); every row's content hash is the
 * SHA-256 of its own document's text, so the index is clean.
 *
 * <p>Timed, median of {@code --repeats} in rotating order:
 * <ol>
 *   <li>{@link IndexCheck#run()} of the clean index (must give no finding);
 *   <li>the obvious alternative: the source's ids and text hashes into a Java {@link HashMap}, then every
 *       {@code (doc_id, content_hash, embedding_version, vector_dims)} of the serving build streamed over JDBC and
 *       compared in Java;
 *   <li>the physical limits: reading and hashing the source alone (no database), and one plain binary COPY of
 *       the encoded {@code (id, hash)} rows into a temporary table (encoded beforehand, not timed).
 * </ol>
 * Then once: the check after damaging the build (rows of another version, rows deleted), with its findings.
 */
public final class IndexCheckBenchmark {
  private IndexCheckBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
    Map<String, String> options = parse(args);
    int docs = Integer.parseInt(options.getOrDefault("docs", "1000000"));
    int distinct = Integer.parseInt(options.getOrDefault("distinct", "2000"));
    int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
    int lists = Integer.parseInt(options.getOrDefault("lists", "100"));
    String loadBefore = loadAverage();

    DataSource db = VectorDb.dataSource();
    Path warehouse = Files.createTempDirectory("check-benchmark-");
    try {
      long t = System.nanoTime();
      Table table = Documents.create(VectorDb.catalog(warehouse), "bench.check_docs", docs,
          Math.max(1, docs / 10_000), 99);
      long snapshot = table.currentSnapshot().snapshotId();
      IcebergDocumentSource source = IcebergDocumentSource.of(table, snapshot, "id", "text");
      log("setup: %,d documents in Iceberg, %d Parquet files (%.1f s)", docs, Math.max(1, docs / 10_000),
          seconds(System.nanoTime() - t));

      Embedder model = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
      t = System.nanoTime();
      List<String> texts = new ArrayList<>();
      for (long id = 1; id <= distinct; id++) {
        texts.add(Documents.text(id, 99));
      }
      List<float[]> vectors = model.embed(texts);
      log("setup: %,d real embeddings (%s) of distinct texts (%.1f s)", distinct, model.version().name(),
          seconds(System.nanoTime() - t));

      String schema = VectorDb.freshSchema("checkbench");
      IndexName index = IndexName.of(schema, "docs");
      IndexRebuild rebuild = IndexRebuild.of(db).index(index).version(model.version())
          .vectors(new RoundRobin(model.version(), vectors)).source(source).createIfMissing(true)
          .ann(new AnnSpec(AnnMethod.IVFFLAT, 16, 64, lists, "1GB", 1, 40, 0)).batchSize(10_000)
          .reason("benchmark").actor("benchmark").progress(line -> log("  %s", line));
      t = System.nanoTime();
      IndexBuild build = rebuild.createBuild();
      rebuild.load(build, 0);
      log("setup: serving build loaded (%.1f s)", seconds(System.nanoTime() - t));
      t = System.nanoTime();
      rebuild.createAnnIndex(build);
      log("setup: IVFFlat index (lists %d) + doc_id index + analyze (%.1f s)", lists, seconds(System.nanoTime() - t));
      try (Connection c = db.getConnection()) {
        BuildRegistry.setStatus(c, build.id(), IndexBuild.VALIDATED); // the rebuild's own validation is skipped here
      }
      rebuild.switchTo(build, null);
      String tableSize = VectorDb.column("SELECT pg_size_pretty(pg_total_relation_size('" + build.tableSql()
          + "'))").get(0);
      log("setup: %s serves build %d (%s with its indexes)", index, build.id(), tableSize);

      IndexCheck check = IndexCheck.of(db, index).embedding(model.version().name()).source(source, snapshot)
          .pinnedBuild(build.id());
      // warm-up: one check and one read of the source, so that both sides find the files and pages cached alike
      IndexCheckReport warm = check.run();
      if (!warm.clean()) {
        throw new IllegalStateException("the benchmark index is not clean: " + warm.toText());
      }

      Map<String, List<Long>> times = new HashMap<>();
      List<String> methods = List.of("check", "hashmap", "read", "copy");
      byte[] copyStream = encodeIdsAndHashes(source);
      IndexCheckReport last = warm;
      for (int r = 0; r < repeats; r++) {
        for (int m = 0; m < methods.size(); m++) {
          String method = methods.get((m + r) % methods.size());
          long start = System.nanoTime();
          switch (method) {
            case "check" -> {
              last = check.run();
              if (!last.clean()) {
                throw new IllegalStateException(last.toText());
              }
            }
            case "hashmap" -> hashMapCompare(db, source, index, model.version());
            case "read" -> readAndHash(source);
            default -> copyOnly(db, copyStream);
          }
          long nanos = System.nanoTime() - start;
          times.computeIfAbsent(method, k -> new ArrayList<>()).add(nanos);
          log("%-8s run %d: %.2f s", method, r + 1, seconds(nanos));
        }
      }

      // memory: what the HashMap side keeps on the heap (once, not timed), against the check's flat stream
      long heapMap = retainedByHashMap(source);

      // the same check on a damaged build: examples are fetched for the kinds found
      VectorDb.execute("UPDATE " + build.tableSql() + " SET embedding_version = 'bge-small-en-v15-q'"
          + " WHERE doc_id % 1000 = 7", "DELETE FROM " + build.tableSql() + " WHERE doc_id % 2000 = 11");
      long start = System.nanoTime();
      IndexCheckReport damaged = check.run();
      long damagedNanos = System.nanoTime() - start;

      report(docs, distinct, repeats, model, tableSize, times, last, damaged, damagedNanos, loadBefore, loadAverage(),
          heapMap);
    } finally {
      deleteRecursively(warehouse);
    }
  }

  /** Vectors of the distinct texts, round-robin by document id. */
  private record RoundRobin(EmbeddingVersion version, List<float[]> vectors) implements VectorSource {
    @Override
    public List<float[]> vectorsFor(List<Document> documents) {
      List<float[]> result = new ArrayList<>(documents.size());
      for (Document d : documents) {
        result.add(vectors.get((int) (((Long) d.id() - 1) % vectors.size())));
      }
      return result;
    }

    @Override
    public String describe() {
      return "round-robin of " + vectors.size() + " real " + version.name() + " embeddings";
    }
  }

  /** The alternative: both id sets (with hashes) into Java, compared in a HashMap. Returns the mismatches. */
  private static long hashMapCompare(DataSource db, IcebergDocumentSource source, IndexName index,
      EmbeddingVersion version) throws SQLException {
    MessageDigest sha256 = VectorCopyLoader.sha256();
    HexFormat hex = HexFormat.of();
    Map<Long, String> expected = new HashMap<>();
    try (DocumentCursor documents = source.open(0)) {
      while (documents.hasNext()) {
        Document d = documents.next();
        expected.put((Long) d.id(), new String(VectorCopyLoader.contentHash(sha256, hex, d.text()),
            java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    long changed = 0;
    long extra = 0;
    long otherVersion = 0;
    long otherDimension = 0;
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false); // a cursor streams only inside a transaction
      try (PreparedStatement s = c.prepareStatement("SELECT doc_id, content_hash, embedding_version,"
          + " vector_dims(embedding) FROM " + index.sql())) {
        s.setFetchSize(10_000);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            String hash = expected.remove(rs.getLong(1));
            if (hash == null) {
              extra++;
            } else if (!hash.equals(rs.getString(2))) {
              changed++;
            }
            if (!version.name().equals(rs.getString(3))) {
              otherVersion++;
            }
            if (rs.getInt(4) != version.dimension()) {
              otherDimension++;
            }
          }
        }
      }
      c.rollback();
    }
    long mismatches = expected.size() + extra + changed + otherVersion + otherDimension;
    if (mismatches != 0) {
      throw new IllegalStateException("the HashMap comparison found " + mismatches + " mismatches in a clean index");
    }
    return mismatches;
  }

  /** Heap retained by the source's id -> hash map (after a GC), approximately. */
  private static long retainedByHashMap(IcebergDocumentSource source) {
    Runtime runtime = Runtime.getRuntime();
    System.gc();
    long before = runtime.totalMemory() - runtime.freeMemory();
    MessageDigest sha256 = VectorCopyLoader.sha256();
    HexFormat hex = HexFormat.of();
    Map<Long, String> map = new HashMap<>();
    try (DocumentCursor documents = source.open(0)) {
      while (documents.hasNext()) {
        Document d = documents.next();
        map.put((Long) d.id(), new String(VectorCopyLoader.contentHash(sha256, hex, d.text()),
            java.nio.charset.StandardCharsets.US_ASCII));
      }
    }
    System.gc();
    long after = runtime.totalMemory() - runtime.freeMemory();
    if (map.isEmpty()) {
      throw new IllegalStateException("no documents");
    }
    return Math.max(0, after - before);
  }

  /** Reads the snapshot's ids and texts and hashes the texts: the source side's own cost, no database. */
  private static long readAndHash(IcebergDocumentSource source) {
    MessageDigest sha256 = VectorCopyLoader.sha256();
    HexFormat hex = HexFormat.of();
    long n = 0;
    try (DocumentCursor documents = source.open(0)) {
      while (documents.hasNext()) {
        n += VectorCopyLoader.contentHash(sha256, hex, documents.next().text()).length > 0 ? 1 : 0;
      }
    }
    return n;
  }

  private static byte[] encodeIdsAndHashes(IcebergDocumentSource source) {
    MessageDigest sha256 = VectorCopyLoader.sha256();
    HexFormat hex = HexFormat.of();
    BinaryCopy rows = new BinaryCopy(1 << 20);
    try (DocumentCursor documents = source.open(0)) {
      while (documents.hasNext()) {
        Document d = documents.next();
        rows.startRow(2).id(d.id(), DocIdType.BIGINT).text(VectorCopyLoader.contentHash(sha256, hex, d.text()));
      }
    }
    return rows.finish();
  }

  /** One plain binary COPY of the encoded (id, hash) rows into a temporary table, then ANALYZE. */
  private static void copyOnly(DataSource db, byte[] stream) throws SQLException {
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TEMP TABLE copy_only (doc_id bigint, content_hash text) ON COMMIT DROP");
      }
      VectorCopyLoader.copy(c, "COPY pg_temp.copy_only (doc_id, content_hash) FROM STDIN (FORMAT binary)", stream);
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE pg_temp.copy_only");
      }
      c.rollback();
    }
  }

  private static void report(int docs, int distinct, int repeats, Embedder model, String tableSize,
      Map<String, List<Long>> times, IndexCheckReport clean, IndexCheckReport damaged, long damagedNanos,
      String loadBefore, String loadAfter, long heapMap) {
    String server = VectorDb.column("SELECT version()").get(0).replaceAll(" on .*", "");
    String vector = VectorDb.column("SELECT extversion FROM pg_extension WHERE extname = 'vector'").get(0);
    System.out.println();
    System.out.printf(Locale.ROOT, "Index check benchmark: %,d documents (Iceberg, Parquet) and a %,d-row serving"
        + " build (%s, %s), %d cores, %s, pgvector %s, Java %s%n", docs, docs, model.version().name(), tableSize,
        Runtime.getRuntime().availableProcessors(), server, vector, System.getProperty("java.version"));
    System.out.printf(Locale.ROOT, "vectors: real %s embeddings of %,d distinct texts, reused round-robin (not"
        + " one embedding per document); content hashes: SHA-256 of each document's own text%n",
        model.version().name(), distinct);
    System.out.printf(Locale.ROOT, "load average: %s before, %s after%n", loadBefore, loadAfter);
    System.out.println();
    System.out.println("median of " + repeats + ", rotating order");
    System.out.println("| what | time | vs IndexCheck |");
    System.out.println("| --- | ---: | ---: |");
    double check = median(times.get("check"));
    row("`IndexCheck.run()` (stream ids + hashes with binary COPY, ANALYZE, one hash full join, no finding)",
        check, check);
    row("alternative: source into a Java HashMap, serving build streamed over JDBC and compared in Java",
        median(times.get("hashmap")), check);
    row("floor: read + hash the source alone (Iceberg, no database)", median(times.get("read")), check);
    row("floor: plain binary COPY of the encoded (id, hash) rows into a temp table + ANALYZE",
        median(times.get("copy")), check);
    System.out.printf(Locale.ROOT, "HashMap / IndexCheck = %.2f; IndexCheck / (read + copy) = %.2f%n",
        median(times.get("hashmap")) / check, check / (median(times.get("read")) + median(times.get("copy"))));
    System.out.printf(Locale.ROOT, "heap held by the HashMap side: about %,d MB (grows with the documents); the"
        + " check streams with a 64 kB buffer%n", heapMap >> 20);
    System.out.printf(Locale.ROOT, "last clean check: read source + COPY %.2f s, comparisons in SQL %.2f s%n",
        clean.readSource().toNanos() / 1e9, clean.compare().toNanos() / 1e9);
    System.out.println();
    System.out.printf(Locale.ROOT, "damaged build (1 row in 1000 of another version, 1 in 2000 deleted): %.2f s,"
        + " %d findings%n", damagedNanos / 1e9, damaged.findings().size());
    for (IndexFinding f : damaged.findings()) {
      System.out.printf(Locale.ROOT, "  %s: count %,d, examples %s%n", f.kind(), f.count(), f.examples());
    }
  }

  private static void row(String label, double seconds, double check) {
    System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f |%n", label, seconds, seconds / check);
  }

  private static String loadAverage() {
    try {
      Process p = new ProcessBuilder("uptime").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      int i = out.indexOf("load average");
      return i < 0 ? out : out.substring(i + "load average: ".length());
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

}
