package org.rollbackjobs.jobs.drill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.iceberg.catalog.Catalog;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.verify.DatasetCheck;
import org.rollbackjobs.jobs.features.FeaturePipelines;
import org.rollbackjobs.jobs.manifest.ManifestContent;
import org.rollbackjobs.jobs.registry.RegistryCheck;
import org.rollbackjobs.jobs.retrain.RetrainCheck;
import org.rollbackjobs.jobs.system.Sandbox;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.jobs.verify.Finding;
import org.rollbackjobs.jobs.verify.SystemVerifier;
import org.rollbackjobs.jobs.verify.VerifyProperties;
import org.rollbackjobs.vector.embedding.VersionCatalog;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * A drill whose injected fault goes undetected fails, even though its rollback succeeds: here the dataset content
 * check of verify is switched off, so the rows a bad load appends to the sandbox branch are not found.
 */
class DrillUndetectedFaultTest extends DrillTestSystem {
  /** verify without its dataset content check: every other check runs as always. */
  @TestConfiguration
  static class DatasetCheckOff {
    @Bean
    @Primary
    SystemVerifier verifierWithoutDatasetContentCheck(ObjectProvider<Catalog> catalog, FeaturePipelines pipelines,
        VerifyProperties properties, RetrainCheck retrainCheck, DataSource dataSource,
        ObjectProvider<VersionCatalog> versions, RegistryCheck registryCheck) {
      return new SystemVerifier(catalog, pipelines, properties, retrainCheck, dataSource, versions, registryCheck) {
        @Override
        public List<Finding> components(SystemDefinition system, ManifestContent pins, Sandbox sandbox) {
          return super.components(system, pins, sandbox).stream()
              .filter(f -> !f.kind().equals(DatasetCheck.CONTENT_DIFFERS)).toList();
        }
      };
    }
  }

  @Test
  void aBadLoadThatVerifyDoesNotDetectFailsTheDrillWithExitThree() {
    Result drill = drill("--inject", "bad-load");
    assertThat(drill.exitCode()).as(drill.stderr() + drill.stdout()).isEqualTo(3);
    JsonNode json = drill.json();
    assertThat(json.get("status").asText()).isEqualTo("failed");
    assertThat(json.get("verdict").asText()).isEqualTo("failed");
    assertThat(json.get("inject").asText()).isEqualTo("bad-load");
    assertThat(json.get("detected").asBoolean()).isFalse();
    List<String> before = new ArrayList<>();
    json.get("findings-before").forEach(f -> before.add(f.get("component").asText() + " " + f.get("kind").asText()));
    assertThat(before).as("the sandbox starts without its index; the appended rows go unseen")
        .containsExactly("index index-not-serving");
    assertThat(json.get("findings-after")).as("the rollback itself completed, verify clean").isEmpty();
    assertThat(json.get("production-untouched").asBoolean()).isTrue();
    assertThat(json.get("error").asText()).contains("verify did not detect the injected fault bad-load");
    String run = json.get("run-id").asText();
    Map<String, Object> record = jdbc.queryForMap("SELECT verdict, exit_code, detected FROM rollback.drills"
        + " WHERE run_id = ?", run);
    assertThat(record).containsEntry("verdict", "failed").containsEntry("exit_code", 3)
        .containsEntry("detected", false);
    assertNoSandbox(run);
  }
}
