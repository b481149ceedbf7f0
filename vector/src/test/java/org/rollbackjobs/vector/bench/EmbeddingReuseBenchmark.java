package org.rollbackjobs.vector.bench;

import static org.rollbackjobs.vector.bench.BenchmarkSupport.deleteRecursively;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.log;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.median;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.parse;
import static org.rollbackjobs.vector.bench.BenchmarkSupport.seconds;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.RebuildResult;
import org.rollbackjobs.vector.index.VectorCopyLoader;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.VectorDb;

/**
 * Embedding reuse, side by side in one run on the same server and texts. Not a test; run it with
 *
 * <pre>
 * mvn -B -q -pl vector -am process-test-classes -Dbenchmark -Dbenchmark.class=EmbeddingReuseBenchmark \
 *     -Dexec.args="--docs 100000 --repeats 3"
 * </pre>
 *
 * <ol>
 *   <li>Warm: a rebuild where 99% of the documents (same texts, same version) have cached vectors and 1% changed,
 *       per stage, against the same rebuild with reuse off ({@code --no-reuse}).
 *   <li>Reuse against the physical limit: the reuse step (read the documents, hash, stage the keys, move the
 *       vectors inside PostgreSQL) against one plain binary {@code COPY} of the same vectors, encoded beforehand.
 *   <li>Cold: the no-reuse rebuild's embed time against the model's raw throughput on the same texts (the model
 *       called directly, in the same batches, nothing else).
 * </ol>
 * The cache is filled first by a rebuild of the unchanged texts (reused when an earlier run left it).
 */
public final class EmbeddingReuseBenchmark {
  private static final long SEED = 99;
  private static final long CHANGED_SEED = 4_000_000;

  private EmbeddingReuseBenchmark() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    System.setProperty("org.slf4j.simpleLogger.log.org.apache.hadoop", "error");
    Map<String, String> options = parse(args);
    int docs = Integer.parseInt(options.getOrDefault("docs", "100000"));
    int repeats = Integer.parseInt(options.getOrDefault("repeats", "3"));
    int chunk = Integer.parseInt(options.getOrDefault("chunk", "1000"));
    int changed = Math.max(1, docs / 100);
    String load = loadAverage();

    DataSource db = VectorDb.dataSource();
    Path warehouse = Files.createTempDirectory("reuse-benchmark-");
    try {
      var catalog = VectorDb.catalog(warehouse);
      Table original = Documents.create(catalog, "bench.reuse_original", docs, Math.max(1, docs / 10_000), SEED);
      Embedder model = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
      model.embed(List.of("warm up the model"));
      String schema = VectorDb.freshSchema("reuse_bench");

      RebuildResult fill = rebuild(db, schema, "filled", original, model, true, chunk);
      log("cache filled: %,d reused, %,d embedded (%.1f s)", fill.load().reused(), fill.load().computed(),
          seconds(fill.load().total().toNanos()));

      Map<String, List<Long>> times = new HashMap<>();
      RebuildResult lastWarm = null;
      RebuildResult cold = null;
      for (int r = 0; r < repeats; r++) {
        // the same documents, 1% of them with a text no run has embedded yet
        Table edited = Documents.create(catalog, "bench.reuse_edited_" + r, docs - changed,
            Math.max(1, docs / 10_000), SEED);
        Documents.append(edited, docs - changed + 1, changed, 1, CHANGED_SEED + System.nanoTime() % 1_000_000);
        lastWarm = rebuild(db, schema, "warm_" + r, edited, model, true, chunk);
        record(times, "warm", lastWarm);
        log("warm run %d: %.1f s (%,d reused, %,d embedded)", r + 1, seconds(total(lastWarm)),
            lastWarm.load().reused(), lastWarm.load().computed());
        times.computeIfAbsent("copy", k -> new ArrayList<>()).add(plainCopyOf(db, lastWarm, schema, r));
        if (r == 0) { // the cold rebuild embeds everything: once
          cold = rebuild(db, schema, "cold", edited, model, false, chunk);
          record(times, "cold", cold);
          log("cold run: %.1f s", seconds(total(cold)));
          times.computeIfAbsent("raw-model", k -> new ArrayList<>()).add(rawModel(model, edited, chunk));
        }
      }
      report(docs, changed, repeats, times, lastWarm, cold, load, loadAverage());
    } finally {
      deleteRecursively(warehouse);
    }
  }

  private static RebuildResult rebuild(DataSource db, String schema, String name, Table table, Embedder model,
      boolean reuse, int chunk) {
    return IndexRebuild.of(db).index(IndexName.of(schema, name)).version(model.version())
        .vectors(VectorSource.embedding(model)).source(IcebergDocumentSource.of(table, null, "id", "text"))
        .batchSize(chunk).createIfMissing(true).reuse(reuse).reason("benchmark").actor("benchmark").commit();
  }

  private static long total(RebuildResult r) {
    return r.prepare().toNanos() + r.load().total().toNanos() + r.annIndex().toNanos() + r.validate().toNanos()
        + r.switchTime().toNanos();
  }

  private static void record(Map<String, List<Long>> times, String run, RebuildResult r) {
    times.computeIfAbsent(run + ".reuse", k -> new ArrayList<>()).add(r.load().reuse().toNanos());
    times.computeIfAbsent(run + ".keys", k -> new ArrayList<>()).add(r.load().reuseKeys().toNanos());
    times.computeIfAbsent(run + ".embed", k -> new ArrayList<>()).add(r.load().vectors().toNanos());
    times.computeIfAbsent(run + ".load", k -> new ArrayList<>())
        .add(r.load().total().toNanos() - r.load().reuse().toNanos() - r.load().vectors().toNanos());
    times.computeIfAbsent(run + ".ann", k -> new ArrayList<>()).add(r.annIndex().toNanos());
    times.computeIfAbsent(run + ".validate", k -> new ArrayList<>()).add(r.validate().toNanos());
    times.computeIfAbsent(run + ".total", k -> new ArrayList<>()).add(total(r));
  }

  /** One plain binary COPY of the reused vectors, encoded beforehand (not timed): the floor of moving them. */
  private static long plainCopyOf(DataSource db, RebuildResult warm, String schema, int run) throws Exception {
    List<Document> documents = new ArrayList<>();
    List<float[]> vectors = new ArrayList<>();
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      com.pgvector.PGvector.registerTypes(c);
      try (PreparedStatement s = c.prepareStatement("SELECT doc_id, embedding FROM " + warm.build().tableSql()
          + " WHERE doc_id <= ? ORDER BY doc_id")) {
        s.setLong(1, warm.load().reused());
        s.setFetchSize(5000);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            long id = rs.getLong(1);
            documents.add(new Document(id, Documents.text(id, SEED)));
            vectors.add(((com.pgvector.PGvector) rs.getObject(2)).toArray());
          }
        }
      }
      c.rollback();
    }
    var target = IndexRebuildBenchmark.freshTable(db, schema, "copy_" + run, warm.build());
    byte[] stream = new VectorCopyLoader(target).encode(documents, vectors);
    try (Connection c = db.getConnection()) {
      c.setAutoCommit(false);
      long start = System.nanoTime();
      VectorCopyLoader.copy(c, "COPY " + target.tableSql() + " (" + VectorCopyLoader.COLUMNS
          + ") FROM STDIN (FORMAT binary)", stream);
      c.commit();
      return System.nanoTime() - start;
    }
  }

  /** The model alone on the same texts, in the same batches: the bound of a cold rebuild's embed phase. */
  private static long rawModel(Embedder model, Table table, int chunk) throws Exception {
    List<String> texts = new ArrayList<>();
    try (DocumentCursor cursor = IcebergDocumentSource.of(table, null, "id", "text").open(0)) {
      cursor.forEachRemaining(d -> texts.add(d.text()));
    }
    long start = System.nanoTime();
    for (int from = 0; from < texts.size(); from += chunk) {
      model.embed(texts.subList(from, Math.min(texts.size(), from + chunk)));
    }
    return System.nanoTime() - start;
  }

  private static String loadAverage() throws Exception {
    return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
  }

  private static void report(int docs, int changed, int repeats, Map<String, List<Long>> t, RebuildResult warm,
      RebuildResult cold, String loadBefore, String loadAfter) {
    System.out.println();
    System.out.printf(Locale.ROOT, "Embedding reuse benchmark: %,d documents (%,d with a changed text), %s, %d cores,"
        + " Java %s, load average %s before / %s after%n", docs, changed, BuiltInModel.ALL_MINILM_L6_V2_Q.versionName(),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadBefore, loadAfter);
    System.out.println();
    System.out.printf(Locale.ROOT, "(1) rebuild of the edited documents, warm: median of %d; cold (reuse off): 1 run%n",
        repeats);
    System.out.println("| stage | warm (reuse) | cold (--no-reuse) |");
    System.out.println("| --- | ---: | ---: |");
    for (String stage : List.of("reuse", "embed", "load", "ann", "validate", "total")) {
      System.out.printf(Locale.ROOT, "| %s | %.2f s | %.2f s |%n", stage, median(t.get("warm." + stage)),
          median(t.get("cold." + stage)));
    }
    System.out.printf(Locale.ROOT, "warm: %,d reused, %,d embedded; warm / cold = %.3f (goal <= 0.05)%n",
        warm.load().reused(), warm.load().computed(), median(t.get("warm.total")) / median(t.get("cold.total")));
    double warmOwn = median(t.get("warm.total")) - median(t.get("warm.ann")) - median(t.get("warm.validate"));
    double coldOwn = median(t.get("cold.total")) - median(t.get("cold.ann")) - median(t.get("cold.validate"));
    System.out.printf(Locale.ROOT, "without the ANN index build and the validation, which every new build pays"
        + " whatever its vectors' origin: warm %.2f s / cold %.2f s = %.3f%n", warmOwn, coldOwn, warmOwn / coldOwn);
    System.out.println();
    double copy = median(t.get("copy"));
    double reuse = median(t.get("warm.reuse"));
    double keys = median(t.get("warm.keys"));
    System.out.printf(Locale.ROOT, "(2) moving %,d reused vectors: reuse step %.2f s, plain binary COPY of the same"
        + " vectors %.2f s; COPY / reuse = %.2f (goal >= 0.8)%n", warm.load().reused(), reuse, copy, copy / reuse);
    System.out.printf(Locale.ROOT, "    of the reuse step, reading the %,d documents, hashing their texts and sending"
        + " the hashes %.2f s; moving the vectors (INSERT ... SELECT, doc_id index) %.2f s: COPY / moving = %.2f%n",
        docs, keys, reuse - keys, copy / (reuse - keys));
    System.out.println();
    double raw = median(t.get("raw-model"));
    double embed = median(t.get("cold.embed"));
    System.out.printf(Locale.ROOT, "(3) cold embed phase %.1f s (%,.0f docs/s), the model alone on the same texts"
        + " %.1f s (%,.0f docs/s); raw / embed phase = %.2f (goal >= 0.9)%n", embed, cold.load().computed() / embed,
        raw, docs / raw, raw / embed);
  }
}
