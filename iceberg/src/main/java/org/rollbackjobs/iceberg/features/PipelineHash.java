package org.rollbackjobs.iceberg.features;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Collectors;
import org.apache.iceberg.types.Types;

/** Content hashes that identify a pipeline definition ({@code sha256:<hex>}). */
public final class PipelineHash {
  private PipelineHash() {}

  /** A Java pipeline's declared signature: name, version, class, inputs, outputs, keys and aggregates. */
  public static String ofSignature(FeaturePipeline pipeline) {
    String signature = "name=" + pipeline.name()
        + "\nversion=" + pipeline.version()
        + "\nclass=" + pipeline.getClass().getName()
        + "\ninputs=" + pipeline.inputColumns().stream().map(f -> f.name() + ":" + f.type())
            .collect(Collectors.joining(","))
        + "\noutputs=" + pipeline.outputSchema().columns().stream().map(PipelineHash::column)
            .collect(Collectors.joining(","))
        + "\nkeys=" + String.join(",", pipeline.keyColumns())
        + "\naggregates=" + pipeline.aggregates().stream().map(a -> a.describe()).collect(Collectors.joining(","));
    return sha256(signature);
  }

  public static String sha256(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  private static String column(Types.NestedField field) {
    return field.name() + ":" + field.type();
  }
}
