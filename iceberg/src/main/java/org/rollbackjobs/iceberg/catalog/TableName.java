package org.rollbackjobs.iceberg.catalog;

import java.util.Arrays;
import java.util.regex.Pattern;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.rollbackjobs.iceberg.BadInputException;

/** Parses the {@code NS.TABLE} form used on the command line (nested namespaces: {@code a.b.table}). */
public final class TableName {
  /**
   * The JDBC catalog keeps namespace and table name in columns of 255 characters, and each part becomes a folder
   * or file name of the warehouse (at most 255 bytes on common file systems).
   */
  public static final int MAX_LENGTH = 255;
  public static final int MAX_PART_LENGTH = 128;
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_\\-$]*");

  private TableName() {}

  /** {@link #parse(String)}, its message starting with the option or key that gave the name ({@code --source: }). */
  public static TableIdentifier parse(String option, String text) {
    try {
      return parse(text);
    } catch (BadInputException e) {
      throw new BadInputException(option + ": " + e.getMessage());
    }
  }

  public static TableIdentifier parse(String text) {
    if (text == null || text.isBlank()) {
      throw new BadInputException("table name is empty; expected NAMESPACE.TABLE, for example shop.transactions");
    }
    if (text.length() > MAX_LENGTH) {
      throw new BadInputException("table name " + BadInputException.shown(text) + " is longer than " + MAX_LENGTH
          + " characters; expected NAMESPACE.TABLE, for example shop.transactions");
    }
    String[] parts = text.split("\\.", -1);
    if (parts.length < 2) {
      throw new BadInputException("table name " + BadInputException.shown(text)
          + " has no namespace; expected NAMESPACE.TABLE, for example shop.transactions");
    }
    for (String part : parts) {
      if (!PART.matcher(part).matches() || part.length() > MAX_PART_LENGTH) {
        throw new BadInputException("table name " + BadInputException.shown(text) + " has an invalid part "
            + BadInputException.shown(part) + "; each dot-separated part must be 1 to " + MAX_PART_LENGTH
            + " letters, digits, '_', '-' or '$' and not start with '-' or '$'");
      }
    }
    return TableIdentifier.of(
        Namespace.of(Arrays.copyOf(parts, parts.length - 1)), parts[parts.length - 1]);
  }
}
