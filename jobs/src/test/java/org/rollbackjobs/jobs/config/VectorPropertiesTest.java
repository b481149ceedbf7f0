package org.rollbackjobs.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.http.RetrySettings;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code rollback.vector.*} as Spring binds it: the defaults, and the property names users have configured. */
class VectorPropertiesTest {

  private static VectorProperties bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("rollback.vector", VectorProperties.class);
  }

  @Test
  void defaultsWhenNothingIsConfigured() {
    VectorProperties p = bind(Map.of());
    assertThat(p.coolDown()).isEqualTo(Duration.ofHours(24));
    assertThat(p.chunkSize()).isEqualTo(1000);
    assertThat(p.recallFloor()).isEqualTo(0.9);
    assertThat(p.recallSample()).isEqualTo(50);
    assertThat(p.recallK()).isEqualTo(10);
    assertThat(p.maintenanceWorkMemSetting()).isEqualTo("1GB");
    assertThat(p.parallelWorkers()).isEqualTo(Math.max(0, Runtime.getRuntime().availableProcessors() - 1));
    assertThat(p.hnswM()).isEqualTo(16);
    assertThat(p.hnswEfConstruction()).isEqualTo(64);
    assertThat(p.hnswEfSearch()).isEqualTo(40);
    assertThat(p.lockTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(p.progressInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(p.remoteModels()).isEmpty();
  }

  @Test
  void everyPropertyNameBindsAsBefore() {
    VectorProperties p = bind(Map.ofEntries(
        Map.entry("rollback.vector.cool-down", "7d"),
        Map.entry("rollback.vector.chunk-size", "250"),
        Map.entry("rollback.vector.recall-floor", "0.95"),
        Map.entry("rollback.vector.recall-sample", "20"),
        Map.entry("rollback.vector.recall-k", "5"),
        Map.entry("rollback.vector.maintenance-work-mem", "512MB"),
        Map.entry("rollback.vector.parallel-workers", "3"),
        Map.entry("rollback.vector.hnsw-m", "24"),
        Map.entry("rollback.vector.hnsw-ef-construction", "128"),
        Map.entry("rollback.vector.hnsw-ef-search", "80"),
        Map.entry("rollback.vector.lock-timeout", "2m"),
        Map.entry("rollback.vector.progress-interval", "1s"),
        Map.entry("rollback.vector.remote-models.small.base-url", "http://127.0.0.1:9/v1"),
        Map.entry("rollback.vector.remote-models.small.dimension", "3")));
    assertThat(p.coolDown()).isEqualTo(Duration.ofDays(7));
    assertThat(p.chunkSize()).isEqualTo(250);
    assertThat(p.recallFloor()).isEqualTo(0.95);
    assertThat(p.recallSample()).isEqualTo(20);
    assertThat(p.recallK()).isEqualTo(5);
    assertThat(p.maintenanceWorkMemSetting()).isEqualTo("512MB");
    assertThat(p.parallelWorkers()).isEqualTo(3);
    assertThat(p.hnswM()).isEqualTo(24);
    assertThat(p.hnswEfConstruction()).isEqualTo(128);
    assertThat(p.hnswEfSearch()).isEqualTo(80);
    assertThat(p.lockTimeout()).isEqualTo(Duration.ofMinutes(2));
    assertThat(p.progressInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(p.remoteModels().get("small").dimension()).isEqualTo(3);
  }

  @Test
  void aRemoteModelsTimeoutAndRetriesReachItsEmbedderAndBadOnesAreRefusedNamingTheSetting() {
    String p = "rollback.vector.remote-models.small.";
    Map<String, String> model = Map.of(p + "base-url", "http://127.0.0.1:9/v1", p + "model", "m", p + "revision", "1",
        p + "dimension", "3");
    RetrySettings defaults = VectorConfiguration.remoteModel("small",
        bind(model).remoteModels().get("small"), name -> Optional.empty()).settings().retries();
    assertThat(defaults).isEqualTo(new RetrySettings("rollback.vector.remote-models.small", 6, Duration.ofSeconds(60),
        Duration.ofMillis(500), Duration.ofSeconds(30)));

    Map<String, String> tuned = new HashMap<>(model);
    tuned.putAll(Map.of(p + "timeout", "5s", p + "max-retries", "2", p + "initial-backoff", "1s",
        p + "max-backoff", "2m"));
    RetrySettings retries = VectorConfiguration.remoteModel("small", bind(tuned).remoteModels().get("small"),
        name -> Optional.empty()).settings().retries();
    assertThat(retries).isEqualTo(new RetrySettings("rollback.vector.remote-models.small", 3, Duration.ofSeconds(5),
        Duration.ofSeconds(1), Duration.ofMinutes(2)));

    tuned.put(p + "timeout", "0s");
    assertThatThrownBy(() -> VectorConfiguration.remoteModel("small", bind(tuned).remoteModels().get("small"),
        name -> Optional.empty()))
        .isInstanceOf(BadInputException.class)
        .hasMessage("rollback.vector.remote-models.small.timeout is PT0S; expected a positive duration such as 10s");
  }

  @Test
  void maintenanceWorkMemIsGivenToPostgresInItsOwnUnits() {
    assertThat(bind(Map.of("rollback.vector.maintenance-work-mem", "2GB")).maintenanceWorkMemSetting()).isEqualTo("2GB");
    assertThat(bind(Map.of("rollback.vector.maintenance-work-mem", "1536MB")).maintenanceWorkMemSetting())
        .isEqualTo("1536MB");
    assertThat(bind(Map.of("rollback.vector.maintenance-work-mem", "65536kB")).maintenanceWorkMemSetting())
        .isEqualTo("65536kB");
  }

  @Test
  void aSizePostgresWouldRefuseIsRefusedAtStart() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> bind(Map.of("rollback.vector.maintenance-work-mem", "64KB")))
        .hasRootCauseMessage("rollback.vector.maintenance-work-mem '64KB' is not a PostgreSQL memory size; expected"
            + " for example 1GB, 512MB or 65536kB (units kB, MB, GB)");
  }
}
