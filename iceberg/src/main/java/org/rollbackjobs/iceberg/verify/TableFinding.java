package org.rollbackjobs.iceberg.verify;

import java.util.List;

/**
 * One mixed-version problem found on the Iceberg side.
 *
 * @param kind stable kebab-case identifier, part of the JSON contract ({@code dataset-content-differs}, ...)
 * @param message what was expected and what was found, for people
 * @param count how many things are wrong (files, rows, keys), 1 for a single fact
 * @param examples a few of them (keys, file names, snapshot ids)
 */
public record TableFinding(String kind, String message, long count, List<String> examples) {
  public TableFinding {
    examples = List.copyOf(examples);
  }
}
