package org.rollbackjobs.iceberg.restore;

import java.util.Locale;
import org.rollbackjobs.iceberg.BadInputException;

/** How a restore reaches the target state. */
public enum RestoreMode {
  /** A new snapshot whose content equals the target, made from the target's files: history kept, roll-forward possible. */
  COMMIT,
  /** Moves the table's current snapshot to the target (Iceberg's own rollback); no new snapshot. */
  POINTER;

  public static RestoreMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new BadInputException("unknown restore mode '" + text + "'; valid modes: commit, pointer");
    }
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
