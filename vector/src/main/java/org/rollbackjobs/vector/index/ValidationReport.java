package org.rollbackjobs.vector.index;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the validation of a build found. It passes when {@link #failures()} is empty: every source document has
 * exactly one row, no row is extra, every row has the pinned version and dimension, the ANN index is valid and
 * used, and recall reaches the floor.
 */
public record ValidationReport(
    long sourceDocuments,
    long rows,
    long missingIds,
    List<String> missingExamples,
    long extraIds,
    List<String> extraExamples,
    long duplicateIds,
    List<String> duplicateExamples,
    long wrongVersion,
    long wrongDimension,
    boolean indexValid,
    boolean indexUsed,
    double recall,
    int probes,
    double recallFloor,
    List<String> failures) {

  public boolean passed() {
    return failures.isEmpty();
  }

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("passed", passed());
    map.put("source-documents", sourceDocuments);
    map.put("rows", rows);
    map.put("missing-ids", missingIds);
    map.put("missing-examples", missingExamples);
    map.put("extra-ids", extraIds);
    map.put("extra-examples", extraExamples);
    map.put("duplicate-ids", duplicateIds);
    map.put("duplicate-examples", duplicateExamples);
    map.put("wrong-version", wrongVersion);
    map.put("wrong-dimension", wrongDimension);
    map.put("index-valid", indexValid);
    map.put("index-used", indexUsed);
    map.put("recall", Math.round(recall * 10_000) / 10_000.0);
    map.put("recall-probes", probes);
    map.put("recall-floor", recallFloor);
    map.put("failures", failures);
    return map;
  }
}
