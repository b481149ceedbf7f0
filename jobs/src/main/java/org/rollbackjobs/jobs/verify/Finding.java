package org.rollbackjobs.jobs.verify;

import java.util.List;

/**
 * One mixed-version problem of a system, as {@code verify} and {@code manifest capture} report it.
 *
 * @param component {@code dataset}, {@code feature}, {@code index} or {@code model}
 * @param name the component's name in the system file (table name for datasets)
 * @param kind stable kebab-case identifier ({@code dataset-content-differs}, {@code index-missing-documents},
 *     {@code model-retrain-missing}, ...): part of the JSON contract
 * @param message what was expected and what was found
 * @param count how many things are wrong (rows, keys, documents), 1 for a single fact
 * @param examples a few of them
 */
public record Finding(String component, String name, String kind, String message, long count, List<String> examples) {
  public Finding {
    examples = examples == null ? List.of() : List.copyOf(examples);
  }
}
