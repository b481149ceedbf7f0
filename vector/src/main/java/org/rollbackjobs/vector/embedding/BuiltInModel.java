package org.rollbackjobs.vector.embedding;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The in-process ONNX models bundled from Maven Central (LangChain4j), under the version names the suite
 * registers them with. The model runs inside the JVM; nothing is downloaded. Its version is pinned by the
 * SHA-256 of the ONNX file inside the JAR, so a different build of the "same" model is a different version.
 * LangChain4j returns L2-normalised vectors for all four; they are compared by cosine distance.
 */
public enum BuiltInModel {
  ALL_MINILM_L6_V2("all-minilm-l6-v2", "sentence-transformers/all-MiniLM-L6-v2",
      AllMiniLmL6V2EmbeddingModel.class, "all-minilm-l6-v2.onnx", AllMiniLmL6V2EmbeddingModel::new),
  ALL_MINILM_L6_V2_Q("all-minilm-l6-v2-q", "sentence-transformers/all-MiniLM-L6-v2 (quantized)",
      AllMiniLmL6V2QuantizedEmbeddingModel.class, "all-minilm-l6-v2-q.onnx", AllMiniLmL6V2QuantizedEmbeddingModel::new),
  BGE_SMALL_EN_V15("bge-small-en-v15", "BAAI/bge-small-en-v1.5",
      BgeSmallEnV15EmbeddingModel.class, "bge-small-en-v1.5.onnx", BgeSmallEnV15EmbeddingModel::new),
  BGE_SMALL_EN_V15_Q("bge-small-en-v15-q", "BAAI/bge-small-en-v1.5 (quantized)",
      BgeSmallEnV15QuantizedEmbeddingModel.class, "bge-small-en-v1.5-q.onnx", BgeSmallEnV15QuantizedEmbeddingModel::new);

  private static final int DIMENSION = 384;

  private final String versionName;
  private final String model;
  private final Class<? extends EmbeddingModel> modelClass;
  private final String onnxResource;
  private final Function<Executor, EmbeddingModel> factory;
  private volatile EmbeddingVersion version;

  BuiltInModel(String versionName, String model, Class<? extends EmbeddingModel> modelClass, String onnxResource,
      Function<Executor, EmbeddingModel> factory) {
    this.versionName = versionName;
    this.model = model;
    this.modelClass = modelClass;
    this.onnxResource = onnxResource;
    this.factory = factory;
  }

  public String versionName() {
    return versionName;
  }

  public static Optional<BuiltInModel> byVersionName(String name) {
    return Arrays.stream(values()).filter(m -> m.versionName.equals(name)).findFirst();
  }

  /** The pinned version of the model in this JAR (hashes the ONNX file on first use: up to 130 MB). */
  public EmbeddingVersion version() {
    EmbeddingVersion v = version;
    if (v == null) {
      synchronized (this) {
        if (version == null) {
          version = new EmbeddingVersion(versionName, EmbeddingVersion.PROVIDER_ONNX, model, artifactSha256(), null,
              DIMENSION, Normalization.L2, Distance.COSINE);
        }
        v = version;
      }
    }
    return v;
  }

  /** An embedder running the model on {@code executor} (one text per task: every core gets work). */
  public Embedder embedder(Executor executor) {
    return new OnnxEmbedder(version(), factory.apply(executor));
  }

  String artifactSha256() {
    try (InputStream in = modelClass.getClassLoader().getResourceAsStream(onnxResource)) {
      if (in == null) {
        throw new IllegalStateException("model file " + onnxResource + " is not on the classpath");
      }
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read model file " + onnxResource, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
