package org.rollbackjobs.vector.verify;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One way a vector index disagrees with what a manifest pins: a mixed-version state. {@link #kind()} is one of the
 * kebab-case constants below and is part of the JSON contract of {@code verify}; {@link #message()} is a sentence
 * for people naming the index, what was expected and what was found.
 *
 * @param count how many rows, documents, builds or ANN indexes are concerned
 * @param examples a few document ids (or build ids, ANN index names) to look at first
 */
public record IndexFinding(String kind, String message, long count, List<String> examples) {

  /** The serving name does not exist, is not a serving view managed by the suite, or has no serving build. */
  public static final String NOT_SERVING = "index-not-serving";
  /**
   * The serving build was made from another source table or snapshot, or with another embedding version, than
   * pinned; or it differs from the pinned build without being equivalent; or the serving view reads another table
   * than the build the registry records (changed outside rebuild-index).
   */
  public static final String STALE_BUILD = "index-stale-build";
  /** Rows of the serving build whose {@code embedding_version} is not the pinned version. */
  public static final String MIXED_EMBEDDING_VERSIONS = "index-mixed-embedding-versions";
  /** Documents of the pinned source snapshot without a row in the serving build. */
  public static final String MISSING_DOCUMENTS = "index-missing-documents";
  /** Rows of the serving build whose document is not in the pinned source snapshot. */
  public static final String EXTRA_DOCUMENTS = "index-extra-documents";
  /** Document ids with more than one row in the serving build. */
  public static final String DUPLICATE_DOCUMENTS = "index-duplicate-documents";
  /** Rows whose {@code content_hash} is not the SHA-256 of the document's text in the pinned snapshot. */
  public static final String CHANGED_TEXT = "index-changed-text";
  /** Rows whose vector dimension is not the pinned version's. */
  public static final String DIMENSION_MISMATCH = "index-dimension-mismatch";
  /** The serving build has no valid, ready ANN index for the pinned version's distance. */
  public static final String ANN_INVALID = "index-ann-invalid";

  /** Every kind, in the order a report lists them. */
  public static final List<String> KINDS = List.of(NOT_SERVING, STALE_BUILD, MIXED_EMBEDDING_VERSIONS,
      MISSING_DOCUMENTS, EXTRA_DOCUMENTS, DUPLICATE_DOCUMENTS, CHANGED_TEXT, DIMENSION_MISMATCH, ANN_INVALID);

  public IndexFinding {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException("unknown finding kind " + kind + "; known: " + KINDS);
    }
    examples = examples == null ? List.of() : List.copyOf(examples);
  }

  /** {@code kind}, {@code message}, {@code count}, {@code examples}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("kind", kind);
    map.put("message", message);
    map.put("count", count);
    map.put("examples", examples);
    return map;
  }

  @Override
  public String toString() {
    return kind + ": " + message;
  }
}
