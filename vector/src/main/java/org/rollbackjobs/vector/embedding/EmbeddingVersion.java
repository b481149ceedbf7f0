package org.rollbackjobs.vector.embedding;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A pinned embedding version: the name it is known by, and what pins it. An in-process model is pinned by the
 * content hash of its model artifact; a remote model by provider, model id and revision. Two versions are equal
 * only if every field is equal: the same model with another normalisation or distance is another version.
 *
 * @param name the version name used on the command line and recorded in every vector row
 * @param provider {@code onnx} for in-process models, {@code openai-compatible} for HTTP endpoints
 * @param model the model name or remote model id
 * @param artifactSha256 SHA-256 (hex) of the model artifact; null for remote models
 * @param revision the remote model's revision; null for in-process models
 */
public record EmbeddingVersion(
    String name,
    String provider,
    String model,
    String artifactSha256,
    String revision,
    int dimension,
    Normalization normalization,
    Distance distance) {

  public static final String PROVIDER_ONNX = "onnx";
  public static final String PROVIDER_OPENAI = "openai-compatible";

  public EmbeddingVersion {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(normalization, "normalization");
    Objects.requireNonNull(distance, "distance");
    if (dimension <= 0) {
      throw new IllegalArgumentException("dimension must be positive: " + dimension);
    }
    if (artifactSha256 == null && revision == null) {
      throw new IllegalArgumentException("version " + name + " is not pinned: it needs an artifact hash or a revision");
    }
  }

  /** The pin in one line, for plans and error messages. */
  public String describe() {
    StringBuilder text = new StringBuilder(name).append(" (").append(provider).append(' ').append(model);
    if (artifactSha256 != null) {
      text.append(", sha256 ").append(artifactSha256, 0, Math.min(12, artifactSha256.length()));
    }
    if (revision != null) {
      text.append(", revision ").append(revision);
    }
    return text.append(", ").append(dimension).append(" dims, ").append(normalization.label())
        .append(", ").append(distance.label()).append(')').toString();
  }

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("name", name);
    map.put("provider", provider);
    map.put("model", model);
    map.put("artifact-sha256", artifactSha256);
    map.put("revision", revision);
    map.put("dimension", dimension);
    map.put("normalization", normalization.label());
    map.put("distance", distance.label());
    return map;
  }
}
