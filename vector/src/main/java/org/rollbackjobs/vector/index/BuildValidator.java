package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.rollbackjobs.vector.embedding.EmbeddingVersion;
import org.rollbackjobs.vector.source.Document;
import org.rollbackjobs.vector.source.DocumentCursor;
import org.rollbackjobs.vector.source.DocumentSource;
import org.rollbackjobs.vector.sql.SqlIdentifier;

/**
 * Checks a loaded and indexed build against its source before it may serve. The source's ids are streamed into
 * a temporary table (binary COPY) and compared with the build's in SQL, so memory stays flat; the recall probe
 * runs each sample query once through the ANN index and once as an exact scan.
 */
public final class BuildValidator {
  private static final int EXAMPLES = 5;
  private static final int ID_BATCH = 10_000;

  private BuildValidator() {}

  public static ValidationReport validate(Connection c, IndexBuild build, DocumentSource source,
      EmbeddingVersion version, AnnSpec spec, ProbeSettings probe) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      ValidationReport report = validateInTransaction(c, build, source, version, spec, probe);
      c.rollback(); // only a temporary table and session settings to undo
      return report;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(autoCommit);
    }
  }

  private static ValidationReport validateInTransaction(Connection c, IndexBuild build, DocumentSource source,
      EmbeddingVersion version, AnnSpec spec, ProbeSettings probe) throws SQLException {
    String table = build.tableSql();
    List<String> failures = new ArrayList<>();
    long sourceDocuments = loadSourceIds(c, build, source);
    long rows = count(c, "SELECT count(*) FROM " + table);

    List<String> missing = examples(c, "SELECT s.doc_id::text FROM pg_temp.source_ids s WHERE NOT EXISTS"
        + " (SELECT 1 FROM " + table + " b WHERE b.doc_id = s.doc_id) ORDER BY 1 LIMIT " + EXAMPLES);
    long missingCount = missing.isEmpty() ? 0 : count(c, "SELECT count(*) FROM pg_temp.source_ids s WHERE NOT EXISTS"
        + " (SELECT 1 FROM " + table + " b WHERE b.doc_id = s.doc_id)");
    List<String> extra = examples(c, "SELECT b.doc_id::text FROM " + table + " b WHERE NOT EXISTS"
        + " (SELECT 1 FROM pg_temp.source_ids s WHERE s.doc_id = b.doc_id) ORDER BY 1 LIMIT " + EXAMPLES);
    long extraCount = extra.isEmpty() ? 0 : count(c, "SELECT count(*) FROM " + table + " b WHERE NOT EXISTS"
        + " (SELECT 1 FROM pg_temp.source_ids s WHERE s.doc_id = b.doc_id)");
    List<String> duplicates = examples(c, "SELECT doc_id::text FROM " + table
        + " GROUP BY doc_id HAVING count(*) > 1 ORDER BY 1 LIMIT " + EXAMPLES);
    long duplicateCount = duplicates.isEmpty() ? 0 : count(c, "SELECT count(*) FROM (SELECT doc_id FROM " + table
        + " GROUP BY doc_id HAVING count(*) > 1) d");
    long sourceDuplicates = count(c, "SELECT count(*) - count(DISTINCT doc_id) FROM pg_temp.source_ids");
    long wrongVersion;
    long wrongDimension;
    try (PreparedStatement s = c.prepareStatement("SELECT count(*) FILTER (WHERE embedding_version IS DISTINCT FROM ?),"
        + " count(*) FILTER (WHERE vector_dims(embedding) <> ?) FROM " + table)) {
      s.setString(1, version.name());
      s.setInt(2, version.dimension());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        wrongVersion = rs.getLong(1);
        wrongDimension = rs.getLong(2);
      }
    }

    if (rows != sourceDocuments) {
      failures.add("the build has " + rows + " rows, the source " + sourceDocuments + " documents");
    }
    if (missingCount > 0) {
      failures.add(missingCount + " source documents have no row (for example " + String.join(", ", missing) + ")");
    }
    if (extraCount > 0) {
      failures.add(extraCount + " rows have no source document (for example " + String.join(", ", extra) + ")");
    }
    if (duplicateCount > 0) {
      failures.add(duplicateCount + " document ids have more than one row (for example "
          + String.join(", ", duplicates) + ")");
    }
    if (sourceDuplicates > 0) {
      failures.add("the source holds " + sourceDuplicates + " repeated document ids");
    }
    if (wrongVersion > 0) {
      failures.add(wrongVersion + " rows are not of embedding version " + version.name());
    }
    if (wrongDimension > 0) {
      failures.add(wrongDimension + " rows do not have " + version.dimension() + " dimensions");
    }

    String ann = BuildTable.annIndexName(build);
    boolean indexValid = AnnIndexBuilder.valid(c, build, ann);
    if (!indexValid) {
      failures.add("ANN index " + ann + " is missing or not valid (pg_index.indisvalid)");
    }
    setProbeSettings(c, spec, rows);
    String operator = version.distance().operator();
    boolean indexUsed = indexValid && rows > 0 && planUsesIndex(c, table, operator, ann);
    if (indexValid && rows > 0 && !indexUsed) {
      failures.add("queries ordered by " + operator + " do not use ANN index " + ann);
    }
    double recall = 1.0;
    int probes = 0;
    if (indexUsed) {
      double sum = 0;
      for (double[][] answer : probeAnswers(c, table, operator, probe)) {
        sum += recall(answer[0], answer[1]);
        probes++;
      }
      recall = probes == 0 ? 1.0 : sum / probes;
      if (recall < probe.recallFloor()) {
        failures.add(String.format(java.util.Locale.ROOT, "recall %.4f of top-%d through the ANN index is below the"
            + " floor %.4f (%d probes)", recall, probe.k(), probe.recallFloor(), probes));
      }
    }
    return new ValidationReport(sourceDocuments, rows, missingCount, missing, extraCount, extra, duplicateCount,
        duplicates, wrongVersion, wrongDimension, indexValid, indexUsed, recall, probes, probe.recallFloor(), failures);
  }

  /** Streams the source's ids into {@code pg_temp.source_ids}; returns how many there are. */
  private static long loadSourceIds(Connection c, IndexBuild build, DocumentSource source) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TEMP TABLE source_ids (doc_id " + build.docIdType().sql() + ") ON COMMIT DROP");
    }
    long total = 0;
    String copySql = "COPY pg_temp.source_ids (doc_id) FROM STDIN (FORMAT binary)";
    try (DocumentCursor ids = source.openIds()) {
      BinaryCopy batch = new BinaryCopy(ID_BATCH * 16);
      int inBatch = 0;
      while (ids.hasNext()) {
        Document document = ids.next();
        batch.startRow(1).id(build.docIdType().normalize(document.id()), build.docIdType());
        if (++inBatch == ID_BATCH) {
          total += VectorCopyLoader.copy(c, copySql, batch.finish());
          batch = new BinaryCopy(ID_BATCH * 16);
          inBatch = 0;
        }
      }
      if (inBatch > 0) {
        total += VectorCopyLoader.copy(c, copySql, batch.finish());
      }
    }
    try (Statement s = c.createStatement()) {
      s.execute("CREATE INDEX ON pg_temp.source_ids (doc_id)");
      s.execute("ANALYZE pg_temp.source_ids");
    }
    return total;
  }

  private static void setProbeSettings(Connection c, AnnSpec spec, long rows) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (spec.method() == AnnMethod.HNSW) {
        s.execute("SET LOCAL hnsw.ef_search = " + spec.efSearch());
      } else {
        s.execute("SET LOCAL ivfflat.probes = " + spec.probesFor(rows));
      }
    }
  }

  /** Whether the ANN index can serve queries ordered by the version's operator (the operator class matches). */
  private static boolean planUsesIndex(Connection c, String table, String operator, String index) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL enable_seqscan = off"); // a small table would be scanned anyway: ask whether it can be used
    }
    try (PreparedStatement s = c.prepareStatement("EXPLAIN (FORMAT TEXT) SELECT doc_id FROM " + table
        + " ORDER BY embedding " + operator + " (SELECT embedding FROM " + table + " LIMIT 1) LIMIT 10")) {
      StringBuilder plan = new StringBuilder();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
      return plan.toString().contains(SqlIdentifier.quote(index)) || plan.toString().contains(" " + index + " ")
          || plan.toString().contains(" " + index + "\n");
    }
  }

  /**
   * For each sample vector (a deterministic sample of the build's own rows), the distances of its top k through
   * the ANN index and by exact search, in one statement. The exact side orders by {@code (distance) + 0}, which no
   * index can serve, so it is always a full scan.
   */
  private static List<double[][]> probeAnswers(Connection c, String table, String operator, ProbeSettings probe)
      throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("SET LOCAL enable_seqscan = off");
    }
    String sql = "SELECT ann.d, exact.d FROM (SELECT embedding AS q FROM " + table
        + " ORDER BY md5(doc_id::text) LIMIT ?) s,"
        + " LATERAL (SELECT array_agg(d ORDER BY d) AS d FROM (SELECT embedding " + operator + " s.q AS d FROM " + table
        + " ORDER BY embedding " + operator + " s.q LIMIT ?) a) ann,"
        + " LATERAL (SELECT array_agg(d ORDER BY d) AS d FROM (SELECT embedding " + operator + " s.q AS d FROM " + table
        + " ORDER BY (embedding " + operator + " s.q) + 0 LIMIT ?) e) exact";
    List<double[][]> answers = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setInt(1, probe.sampleSize());
      s.setInt(2, probe.k());
      s.setInt(3, probe.k());
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          answers.add(new double[][] {doubles(rs.getArray(1)), doubles(rs.getArray(2))});
        }
      }
    }
    return answers;
  }

  private static double[] doubles(java.sql.Array array) throws SQLException {
    if (array == null) {
      return new double[0];
    }
    Object[] values = (Object[]) array.getArray();
    double[] result = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = ((Number) values[i]).doubleValue();
    }
    return result;
  }

  /** Share of the ANN top-k within the exact top-k distance (ties at the k-th distance count as found). */
  static double recall(double[] ann, double[] exact) {
    if (exact.length == 0) {
      return 1.0;
    }
    double kth = exact[exact.length - 1];
    long found = java.util.Arrays.stream(ann).filter(d -> d <= kth + 1e-6).count();
    return Math.min(1.0, (double) found / exact.length);
  }

  private static long count(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<String> examples(Connection c, String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }
}
