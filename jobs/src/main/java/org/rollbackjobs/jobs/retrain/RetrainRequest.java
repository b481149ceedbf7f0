package org.rollbackjobs.jobs.retrain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.rollbackjobs.jobs.manifest.Manifest;
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TablePin;

/**
 * A retrain request as every channel receives it (outbox row, webhook body, Airflow DAG run conf), serialised
 * with kebab-case keys. Immutable once stored: a rerun delivers the stored request, byte for byte.
 *
 * @param requestKey {@link #key}: the idempotency key (webhook {@code Idempotency-Key}, Airflow dag_run_id)
 * @param modelVersion the model version the manifest pins (may be null)
 * @param trainsOn the pinned snapshots of the datasets and feature tables the model must train on
 * @param supersedes the key of the model's previous request, when that one named other snapshots and this one
 *     requests pins that had been requested before it (a rollback to an earlier manifest); null otherwise
 */
public record RetrainRequest(
    int schemaVersion,
    String requestKey,
    String system,
    String model,
    String modelVersion,
    long manifestId,
    List<TablePin> trainsOn,
    String supersedes,
    String reason,
    String actor,
    Instant requestedAt) {

  public static final int SCHEMA_VERSION = 1;

  public RetrainRequest {
    trainsOn = List.copyOf(trainsOn);
  }

  /** The request for a model as a manifest pins it; {@code requestKey} must be {@link #key} of the same pins. */
  public static RetrainRequest of(Manifest manifest, ModelPin pin, String requestKey, String supersedes,
      String reason, String actor, Instant requestedAt) {
    String expected = key(manifest.system(), pin.name(), manifest.id(), pin.trainsOn(), supersedes);
    if (!expected.equals(requestKey)) {
      throw new IllegalStateException("request key " + requestKey + " is not the key of model " + pin.name()
          + " at manifest " + manifest.id() + " (" + expected + ")");
    }
    return new RetrainRequest(SCHEMA_VERSION, requestKey, manifest.system(), pin.name(), pin.version(),
        manifest.id(), sorted(pin.trainsOn()), supersedes, reason, actor, requestedAt);
  }

  /**
   * The request key: SHA-256 (hex) of the system, the model, the manifest id and the pinned snapshots (sorted),
   * plus the superseded request's key when there is one. The same trigger always gives the same key, so running
   * it again finds the stored request instead of making a new one.
   */
  public static String key(String system, String model, long manifestId, List<TablePin> trainsOn, String supersedes) {
    StringBuilder canonical = new StringBuilder("rollback-jobs retrain-request v1\n")
        .append("system=").append(system).append('\n')
        .append("model=").append(model).append('\n')
        .append("manifest=").append(manifestId).append('\n');
    pins(trainsOn).forEach(pin -> canonical.append("pin=").append(pin).append('\n'));
    if (supersedes != null) {
      canonical.append("supersedes=").append(supersedes).append('\n');
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return java.util.HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code table@snapshot} of each pin, sorted: what two requests must share to name the same snapshots. */
  public static Set<String> pins(List<TablePin> trainsOn) {
    return trainsOn.stream().map(p -> p.table() + "@" + p.snapshotId())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The Airflow DAG run id of this request: derived from the key, so that Airflow refuses a second run (409). */
  public static String dagRunId(String requestKey) {
    return "rollback-retrain-" + requestKey;
  }

  static List<TablePin> sorted(List<TablePin> trainsOn) {
    return trainsOn.stream().sorted(Comparator.comparing(TablePin::table)).toList();
  }
}
