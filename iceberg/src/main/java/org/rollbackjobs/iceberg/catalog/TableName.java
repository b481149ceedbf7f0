package org.rollbackjobs.iceberg.catalog;

import java.util.Arrays;
import java.util.regex.Pattern;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.rollbackjobs.iceberg.BadInputException;

/** Parses the {@code NS.TABLE} form used on the command line (nested namespaces: {@code a.b.table}). */
public final class TableName {
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_\\-$]*");

  private TableName() {}

  public static TableIdentifier parse(String text) {
    if (text == null || text.isBlank()) {
      throw new BadInputException("table name is empty; expected NAMESPACE.TABLE, for example shop.transactions");
    }
    String[] parts = text.trim().split("\\.", -1);
    if (parts.length < 2) {
      throw new BadInputException(
          "table name '" + text + "' has no namespace; expected NAMESPACE.TABLE, for example shop.transactions");
    }
    for (String part : parts) {
      if (!PART.matcher(part).matches()) {
        throw new BadInputException("table name '" + text + "' has an invalid part '" + part
            + "'; each dot-separated part must be letters, digits, '_', '-' or '$' and not start with '-' or '$'");
      }
    }
    return TableIdentifier.of(
        Namespace.of(Arrays.copyOf(parts, parts.length - 1)), parts[parts.length - 1]);
  }
}
