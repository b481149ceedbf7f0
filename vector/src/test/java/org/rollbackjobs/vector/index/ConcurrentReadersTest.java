package org.rollbackjobs.vector.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.vector.embedding.BuiltInModel;
import org.rollbackjobs.vector.embedding.Embedder;
import org.rollbackjobs.vector.embedding.VectorSource;
import org.rollbackjobs.vector.source.IcebergDocumentSource;
import org.rollbackjobs.vector.testing.Documents;
import org.rollbackjobs.vector.testing.Legacy;
import org.rollbackjobs.vector.testing.VectorDb;

/**
 * Readers query the serving name in a loop, on their own connections with server-side prepared statements, while
 * builds are switched in and out: no query may fail, come back empty, or mix rows of two builds.
 */
class ConcurrentReadersTest {
  static final int READERS = 4;
  static final int DOCUMENTS = 300;

  @TempDir static Path warehouse;
  static DataSource db;
  static Table table;
  static IcebergDocumentSource source;
  static Embedder modelA;
  static Embedder modelB;
  static String queryVector;

  @BeforeAll
  static void documents() {
    db = VectorDb.dataSource();
    table = Documents.create(VectorDb.catalog(warehouse), "readers.docs", DOCUMENTS, 2, 21);
    source = IcebergDocumentSource.of(table, null, "id", "text");
    modelA = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
    modelB = BuiltInModel.BGE_SMALL_EN_V15_Q.embedder(VectorDb.executor());
    queryVector = VectorDb.literal(modelA.embed(List.of("a night train crossing the desert")).get(0));
  }

  /** Readers that record every answer until stopped. */
  static final class Readers implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<String> badAnswers = new ConcurrentLinkedQueue<>();
    final Map<String, AtomicLong> answersByBuild = new ConcurrentHashMap<>();
    final AtomicLong answers = new AtomicLong();
    final List<Thread> threads = new ArrayList<>();
    final CountDownLatch started = new CountDownLatch(READERS);

    /** @param sql returns (doc_id, embedding_version, build marker) ordered by distance to the query */
    Readers(String sql, Map<String, String> versionOfBuild) {
      for (int i = 0; i < READERS; i++) {
        Thread thread = new Thread(() -> read(sql, versionOfBuild), "reader-" + i);
        thread.start();
        threads.add(thread);
      }
    }

    private void read(String sql, Map<String, String> versionOfBuild) {
      try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
        started.countDown();
        while (!stop.get()) {
          s.setString(1, queryVector);
          Set<String> builds = new HashSet<>();
          Set<String> versions = new HashSet<>();
          int rows = 0;
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              rows++;
              versions.add(rs.getString(2));
              builds.add(rs.getString(3));
            }
          } catch (SQLException e) {
            errors.add(e.getMessage());
            continue;
          }
          answers.incrementAndGet();
          pause();
          String build = builds.size() == 1 ? builds.iterator().next() : null;
          if (rows != 10 || builds.size() != 1 || versions.size() != 1
              || (versionOfBuild.containsKey(build) && !versionOfBuild.get(build).equals(versions.iterator().next()))) {
            badAnswers.add(rows + " rows, builds " + builds + ", versions " + versions);
          } else {
            answersByBuild.computeIfAbsent(build, b -> new AtomicLong()).incrementAndGet();
          }
        }
      } catch (SQLException e) {
        errors.add("connection: " + e.getMessage());
      }
    }

    /**
     * Throttles the loop, leaving the two cores some room for the builds themselves. Not a synchronisation: the
     * test waits for what it needs to see with {@link #awaitAnswerFrom}.
     */
    private static void pause() {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /** Waits until a reader has had a good answer from {@code build} (or something went wrong: asserted after). */
    void awaitAnswerFrom(String build) {
      long before = answersFrom(build);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(5)).until(() ->
          answersFrom(build) > before || !errors.isEmpty() || !badAnswers.isEmpty());
    }

    private long answersFrom(String build) {
      AtomicLong count = answersByBuild.get(build);
      return count == null ? 0 : count.get();
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      for (Thread t : threads) {
        t.join(TimeUnit.SECONDS.toMillis(30));
      }
    }
  }

  private static IndexRebuild rebuild(String schema, Embedder model) {
    return IndexRebuild.of(db).index(IndexName.of(schema, "docs")).version(model.version())
        .vectors(VectorSource.embedding(model)).source(source).reason("readers test").actor("test");
  }

  @Test
  void switchesBetweenBuildsAreAtomicForReaders() throws Exception {
    String schema = VectorDb.freshSchema("readers");
    long first = rebuild(schema, modelA).createIfMissing(true).commit().build().id();
    Map<String, String> versionOfBuild = new ConcurrentHashMap<>();
    versionOfBuild.put(Long.toString(first), modelA.version().name());
    String sql = "SELECT doc_id, embedding_version, build_id::text FROM " + schema
        + ".docs ORDER BY embedding <=> ?::vector LIMIT 10";

    Readers readers = new Readers(sql, versionOfBuild);
    List<Long> switchedTo = new ArrayList<>();
    try (readers) {
      readers.started.await();
      readers.awaitAnswerFrom(Long.toString(first));
      // forward to B (built while readers read A), back to A (a rollback), then toggles with switch-back; after
      // each switch the readers are seen answering from the build now served before the next switch
      long second = rebuild(schema, modelB).commit().build().id();
      versionOfBuild.put(Long.toString(second), modelB.version().name());
      switchedTo.add(second);
      readers.awaitAnswerFrom(Long.toString(second));
      long third = rebuild(schema, modelA).force(true).overrideQuarantine(true).commit().build().id();
      versionOfBuild.put(Long.toString(third), modelA.version().name());
      switchedTo.add(third);
      readers.awaitAnswerFrom(Long.toString(third));
      for (int i = 0; i < 10; i++) {
        long serving = SwitchBack.of(db).index(IndexName.of(schema, "docs")).overrideQuarantine(true)
            .reason("toggle " + i).commit().servingBuildId();
        switchedTo.add(serving);
        readers.awaitAnswerFrom(Long.toString(serving));
      }
    }

    assertThat(readers.errors).as("errors seen by readers").isEmpty();
    assertThat(readers.badAnswers).as("empty or mixed answers").isEmpty();
    assertThat(readers.answers.get()).isGreaterThan(100);
    assertThat(readers.answersByBuild.keySet()).as("answers came from several builds").hasSizeGreaterThanOrEqualTo(3);
    assertThat(switchedTo).hasSize(12);
  }

  @Test
  void replacingATableMadeOutsideTheSuiteByTheViewIsAtomicForReaders() throws Exception {
    String schema = VectorDb.freshSchema("readers");
    Legacy.create(schema, "docs", source, modelB);
    // the legacy table has no build_id: readers tell the two apart by the version
    String sql = "SELECT doc_id, embedding_version, embedding_version FROM " + schema
        + ".docs ORDER BY embedding <=> ?::vector LIMIT 10";

    Readers readers = new Readers(sql, Map.of());
    try (readers) {
      readers.started.await();
      readers.awaitAnswerFrom(modelB.version().name());
      rebuild(schema, modelA).commit();
      readers.awaitAnswerFrom(modelA.version().name());
    }

    assertThat(readers.errors).isEmpty();
    assertThat(readers.badAnswers).isEmpty();
    assertThat(readers.answersByBuild.keySet())
        .containsExactlyInAnyOrder(modelA.version().name(), modelB.version().name());
    assertThat(VectorDb.column("SELECT relkind::text FROM pg_class WHERE oid = '" + schema + ".docs'::regclass"))
        .containsExactly("v");
  }
}
