package org.rollbackjobs.vector.index;

import java.util.Map;
import java.util.TreeMap;
import org.rollbackjobs.vector.source.DocIdType;

/**
 * What the serving name is right now.
 *
 * @param kind NONE (nothing has the name), MANAGED_VIEW (a view this suite switches), TABLE (a table made
 *     outside the suite: the legacy state a first rebuild replaces), OTHER (anything else: refused)
 * @param servingBuildId the build behind a managed view
 * @param docIdType the type of its {@code doc_id}, null when missing or unsupported
 * @param dimension the dimension of its {@code embedding} column, null when unknown (empty table)
 * @param versions rows per {@code embedding_version} (sorted); for a managed view, the serving build's
 * @param problems why the relation cannot be switched away from (missing columns, mixed dimensions, ...)
 */
public record ServingState(
    IndexName index,
    Kind kind,
    Long servingBuildId,
    DocIdType docIdType,
    Integer dimension,
    Map<String, Long> versions,
    long rows,
    java.util.List<String> problems) {

  public enum Kind {
    NONE,
    MANAGED_VIEW,
    TABLE,
    OTHER
  }

  public ServingState {
    versions = versions == null ? Map.of() : new TreeMap<>(versions);
    problems = problems == null ? java.util.List.of() : java.util.List.copyOf(problems);
  }

  public boolean exists() {
    return kind != Kind.NONE;
  }

  /** More than one embedding version behind one name: the state a rollback repairs. */
  public boolean mixed() {
    return versions.size() > 1;
  }
}
