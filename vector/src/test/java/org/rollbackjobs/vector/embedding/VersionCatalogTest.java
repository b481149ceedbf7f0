package org.rollbackjobs.vector.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.testing.VectorDb;

class VersionCatalogTest {
  static final EmbeddingVersion REMOTE = new EmbeddingVersion("catalog-remote-v1", "openai-compatible",
      "text-embedding-3-small", null, "2024-01-25", 1536, Normalization.L2, Distance.COSINE);

  @Test
  void resolvesBuiltInAndConfiguredVersionsAndRegistersThemOnFirstUse() throws Exception {
    VersionCatalog catalog = new VersionCatalog(Map.of(REMOTE.name(), new RemoteModel(REMOTE,
        OpenAiCompatibleEmbedder.Settings.defaults(URI.create("http://127.0.0.1:9/v1")), "NO_SUCH_KEY_VARIABLE")));
    try (Connection c = VectorDb.dataSource().getConnection()) {
      assertThat(catalog.lookup(c, REMOTE.name())).isEqualTo(REMOTE);
      assertThat(EmbeddingRegistry.find(c, REMOTE.name())).as("lookup registers nothing").isEmpty();

      assertThat(catalog.resolve(c, REMOTE.name())).isEqualTo(REMOTE);
      RegisteredVersion registered = EmbeddingRegistry.find(c, REMOTE.name()).orElseThrow();
      assertThat(registered.version()).isEqualTo(REMOTE);
      assertThat(registered.status()).isEqualTo(RegisteredVersion.REGISTERED);
      assertThat(catalog.resolve(c, "bge-small-en-v15-q")).isEqualTo(BuiltInModel.BGE_SMALL_EN_V15_Q.version());
      assertThat(catalog.hasModel(REMOTE.name())).isTrue();
      assertThat(catalog.embedder(REMOTE, VectorDb.executor())).isInstanceOf(OpenAiCompatibleEmbedder.class);
    }
  }

  @Test
  void unknownNamesAndChangedPinsAreBadInput() throws Exception {
    try (Connection c = VectorDb.dataSource().getConnection()) {
      assertThatThrownBy(() -> VersionCatalog.builtInOnly().resolve(c, "all-minilm-l12"))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("unknown embedding version 'all-minilm-l12'")
          .hasMessageContaining("all-minilm-l6-v2-q");

      EmbeddingVersion v1 = new EmbeddingVersion("catalog-pinned", "openai-compatible", "m", null, "r1", 8,
          Normalization.L2, Distance.COSINE);
      EmbeddingRegistry.ensure(c, v1);
      EmbeddingVersion movedOn = new EmbeddingVersion("catalog-pinned", "openai-compatible", "m", null, "r2", 8,
          Normalization.L2, Distance.COSINE);
      assertThatThrownBy(() -> EmbeddingRegistry.ensure(c, movedOn))
          .isInstanceOf(BadInputException.class)
          .hasMessageContaining("revision r1")
          .hasMessageContaining("revision r2")
          .hasMessageContaining("register the new model under a new name");
      // a version only the registry knows can still be looked up (for stored embeddings), not embedded here
      assertThat(VersionCatalog.builtInOnly().resolve(c, "catalog-pinned")).isEqualTo(v1);
      assertThatThrownBy(() -> VersionCatalog.builtInOnly().embedder(v1, VectorDb.executor()))
          .isInstanceOf(BadInputException.class).hasMessageContaining("no model for embedding version");
    }
  }
}
