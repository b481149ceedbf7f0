package org.rollbackjobs.vector.embedding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.vector.testing.VectorDb;

/** The bundled ONNX models, run for real. */
class BuiltInModelTest {
  /**
   * SHA-256 of the ONNX file each built-in version hashes (LangChain4j 1.8.0-beta15). A dependency upgrade that
   * swaps a model under the same name fails here: that silent swap is the incident the suite exists for. When an
   * upgrade really brings new model files, they are new embedding versions (new names), not new hashes here.
   * Computed with {@code unzip -p langchain4j-embeddings-NAME-VERSION.jar FILE.onnx | sha256sum}.
   */
  static final Map<String, String> PINNED_SHA256 = Map.of(
      "all-minilm-l6-v2", "ca46f1a88a9c6e61b918af1ab38be3e7903b986616551f0a6f10a7ecc5730cd4",
      "all-minilm-l6-v2-q", "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1",
      "bge-small-en-v15", "828e1496d7fabb79cfa4dcd84fa38625c0d3d21da474a00f08db0f559940cf35",
      "bge-small-en-v15-q", "6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4");

  @Test
  void everyBuiltInVersionIsPinnedByTheHashOfItsOwnModelFile() {
    List<EmbeddingVersion> versions = Arrays.stream(BuiltInModel.values()).map(BuiltInModel::version).toList();
    assertThat(versions).extracting(EmbeddingVersion::name)
        .containsExactly("all-minilm-l6-v2", "all-minilm-l6-v2-q", "bge-small-en-v15", "bge-small-en-v15-q");
    Set<String> hashes = versions.stream().map(EmbeddingVersion::artifactSha256).collect(Collectors.toSet());
    assertThat(hashes).hasSize(4).allMatch(h -> h.matches("[0-9a-f]{64}"));
    for (EmbeddingVersion v : versions) {
      assertThat(v.artifactSha256()).as("SHA-256 of the model file of " + v.name())
          .isEqualTo(PINNED_SHA256.get(v.name()));
      assertThat(v.dimension()).isEqualTo(384);
      assertThat(v.normalization()).isEqualTo(Normalization.L2);
      assertThat(v.distance()).isEqualTo(Distance.COSINE);
      assertThat(v.provider()).isEqualTo("onnx");
    }
    // computed from the bytes, not remembered: hashing again gives the same value
    assertThat(BuiltInModel.ALL_MINILM_L6_V2_Q.artifactSha256()).isEqualTo(versions.get(1).artifactSha256());
  }

  @Test
  void versionsAreEqualOnlyWhenEveryPinnedFieldIs() {
    EmbeddingVersion a = BuiltInModel.ALL_MINILM_L6_V2_Q.version();
    EmbeddingVersion sameAgain = new EmbeddingVersion(a.name(), a.provider(), a.model(), a.artifactSha256(), null,
        a.dimension(), a.normalization(), a.distance());
    assertThat(sameAgain).isEqualTo(a);
    assertThat(new EmbeddingVersion(a.name(), a.provider(), a.model(), a.artifactSha256(), null, a.dimension(),
        a.normalization(), Distance.L2)).isNotEqualTo(a);
    assertThat(new EmbeddingVersion(a.name(), a.provider(), a.model(), a.artifactSha256(), null, a.dimension(),
        Normalization.NONE, a.distance())).isNotEqualTo(a);
    assertThat(new EmbeddingVersion(a.name(), a.provider(), a.model(), "0".repeat(64), null, a.dimension(),
        a.normalization(), a.distance())).isNotEqualTo(a);
  }

  @Test
  void quantisedModelsGiveUnitVectorsThatPlaceSimilarTextsCloser() {
    String cat = "The cat sleeps on the warm sofa.";
    String kitten = "A kitten is napping on the couch.";
    String market = "Bank shares fell sharply on the stock market.";
    for (BuiltInModel model : List.of(BuiltInModel.ALL_MINILM_L6_V2_Q, BuiltInModel.BGE_SMALL_EN_V15_Q)) {
      try (Embedder embedder = model.embedder(VectorDb.executor())) {
        List<float[]> v = embedder.embed(List.of(cat, kitten, market));
        assertThat(v).hasSize(3).allMatch(x -> x.length == 384);
        for (float[] x : v) {
          assertThat(norm(x)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
        }
        assertThat(cosine(v.get(0), v.get(1))).as(model.versionName()).isGreaterThan(cosine(v.get(0), v.get(2)) + 0.2);
        // batched and one by one give the same vectors: the batch is only spread over threads
        assertThat(embedder.embed(List.of(kitten)).get(0)).containsExactly(v.get(1));
      }
    }
  }

  @Test
  void twoModelsOfTheSameDimensionPutTheSameTextInDifferentPlaces() {
    String text = "The old lighthouse guides lost fishing boats before dawn.";
    float[] a = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor()).embed(List.of(text)).get(0);
    float[] b = BuiltInModel.BGE_SMALL_EN_V15_Q.embedder(VectorDb.executor()).embed(List.of(text)).get(0);
    assertThat(a.length).isEqualTo(b.length);
    // nothing in the vector type tells them apart, yet they live in unrelated spaces
    assertThat(cosine(a, b)).isLessThan(0.5);
  }

  @Test
  void emptyTextsAreRefusedWithTheirPosition() {
    Embedder embedder = BuiltInModel.ALL_MINILM_L6_V2_Q.embedder(VectorDb.executor());
    assertThatThrownBy(() -> embedder.embed(List.of("fine", " ")))
        .isInstanceOfSatisfying(EmptyTextException.class, e -> assertThat(e.index()).isEqualTo(1));
  }

  static double norm(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    return Math.sqrt(sum);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
    }
    return dot / (norm(a) * norm(b));
  }
}
