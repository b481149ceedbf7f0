package org.rollbackjobs.jobs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.jobs.manifest.ManifestContent;
import org.rollbackjobs.jobs.manifest.ManifestContent.AliasPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.DatasetPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.FeaturePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.PromptPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TablePin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TagPin;

/**
 * What is stored keeps its bytes: a manifest's content is written exactly as pinned here, whatever the command
 * line's output format does. A change that breaks this test changes the stored format of immutable manifests; it
 * needs a new format version and a reader for the old one, not a new expected string.
 */
class StoredJsonTest {
  private static final ManifestContent CONTENT = new ManifestContent(
      List.of(new DatasetPin("shop.transactions", 11L)),
      List.of(new FeaturePin("customer_features", "shop.customer_features", 22L, "shop.transactions", 11L,
          "customer_txn_features", "1", "sha256:ab")),
      List.of(new IndexPin("docs_search", "public.docs_search", 3L, "docs_search__b3", "all-minilm-l6-v2-q",
          "kb.documents", 44L, 384, 1000L)),
      List.of(new ModelPin("churn", "7", List.of(new TablePin("shop.customer_features", 22L, "feature")))),
      List.of(new TagPin("shop.transactions", 11L, "manifest-support-search-1")));

  private static final String STORED = "{\"datasets\":[{\"table\":\"shop.transactions\",\"snapshot-id\":11}],"
      + "\"features\":[{\"name\":\"customer_features\",\"target\":\"shop.customer_features\",\"target-snapshot-id\":22,"
      + "\"source\":\"shop.transactions\",\"source-snapshot-id\":11,\"pipeline\":\"customer_txn_features\","
      + "\"pipeline-version\":\"1\",\"pipeline-hash\":\"sha256:ab\"}],"
      + "\"indexes\":[{\"name\":\"docs_search\",\"serving-name\":\"public.docs_search\",\"build-id\":3,"
      + "\"build-table\":\"docs_search__b3\",\"embedding-version\":\"all-minilm-l6-v2-q\",\"source\":\"kb.documents\","
      + "\"source-snapshot-id\":44,\"dimension\":384,\"rows\":1000}],"
      + "\"models\":[{\"name\":\"churn\",\"version\":\"7\",\"trains-on\":[{\"table\":\"shop.customer_features\","
      + "\"snapshot-id\":22,\"kind\":\"feature\"}]}],"
      + "\"tags\":[{\"table\":\"shop.transactions\",\"snapshot-id\":11,\"tag\":\"manifest-support-search-1\"}]}";

  @Test
  void aManifestIsStoredInItsPinnedFormat() {
    assertThat(StoredJson.write(CONTENT)).isEqualTo(STORED);
  }

  @Test
  void aStoredManifestReadsBackEqual() {
    assertThat(StoredJson.read(STORED, ManifestContent.class)).isEqualTo(CONTENT);
  }

  @Test
  void fieldsAddedLaterDoNotStopOlderCodeFromReading() {
    String newer = STORED.replace("{\"table\":\"shop.transactions\",\"snapshot-id\":11}",
        "{\"table\":\"shop.transactions\",\"snapshot-id\":11,\"branch\":\"main\"}");
    assertThat(StoredJson.read(newer, ManifestContent.class)).isEqualTo(CONTENT);
  }

  /** Registry aliases (added later): present only when pinned, so that the manifests above keep their bytes. */
  private static final ManifestContent WITH_ALIASES = new ManifestContent(CONTENT.datasets(), CONTENT.features(),
      CONTENT.indexes(),
      List.of(new ModelPin("churn", "7", List.of(new TablePin("shop.customer_features", 22L, "feature")),
          new AliasPin("mlflow", "http://mlflow:5000", "churn-model", "champion", "3"))),
      CONTENT.tags(),
      List.of(new PromptPin("answer", new AliasPin("mlflow", "http://mlflow:5000", "support-answer", "production",
          "2"))));

  private static final String STORED_WITH_ALIASES = STORED
      .replace("\"snapshot-id\":22,\"kind\":\"feature\"}]}]", "\"snapshot-id\":22,\"kind\":\"feature\"}],"
          + "\"registry\":{\"registry\":\"mlflow\",\"url\":\"http://mlflow:5000\",\"name\":\"churn-model\","
          + "\"alias\":\"champion\",\"version\":\"3\"}}]")
      .replace("\"tag\":\"manifest-support-search-1\"}]}", "\"tag\":\"manifest-support-search-1\"}],"
          + "\"prompts\":[{\"name\":\"answer\",\"registry\":{\"registry\":\"mlflow\",\"url\":\"http://mlflow:5000\","
          + "\"name\":\"support-answer\",\"alias\":\"production\",\"version\":\"2\"}}]}");

  @Test
  void registryAliasesAreStoredInTheirPinnedFormatAndReadBack() {
    assertThat(STORED_WITH_ALIASES).isNotEqualTo(STORED);
    assertThat(StoredJson.write(WITH_ALIASES)).isEqualTo(STORED_WITH_ALIASES);
    assertThat(StoredJson.read(STORED_WITH_ALIASES, ManifestContent.class)).isEqualTo(WITH_ALIASES);
  }

  @Test
  void aManifestStoredBeforeRegistryAliasesReadsWithNone() {
    ManifestContent old = StoredJson.read(STORED, ManifestContent.class);
    assertThat(old.prompts()).isEmpty();
    assertThat(old.models().get(0).registry()).isNull();
  }
}
