package org.rollbackjobs.schedules.file;

import java.util.List;
import java.util.regex.Pattern;

/** Checks shared by drill and alert rules; their messages say what would be valid. */
final class Rules {
  /** Who the scheduler's drills and rollbacks are recorded as. */
  static final String ACTOR = "rollback-scheduler";
  /**
   * What the job suite accepts as a system name (a file name without .yml; the job JAR's SystemDefinition.NAME):
   * a name it would refuse is refused here, when the schedules file is read, not at the first drill.
   */
  private static final Pattern SYSTEM = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
  private static final Pattern MANIFEST = Pattern.compile("previous|[1-9][0-9]{0,18}");

  private Rules() {}

  static void oneSystem(String system, String systemFile) {
    if (system != null && systemFile != null) {
      throw new IllegalArgumentException("give 'system' or 'system-file', not both");
    }
    system(system);
    if (systemFile != null && (systemFile.isBlank() || systemFile.length() > 4096 || systemFile.indexOf('\0') >= 0)) {
      throw new IllegalArgumentException("'system-file' " + quote(systemFile) + " is not a file path");
    }
  }

  static void oneSystemRequired(String system, String systemFile) {
    oneSystem(system, systemFile);
    if (system == null && systemFile == null) {
      throw new IllegalArgumentException("a drill needs 'system' (a name in rollback.systems.dir) or 'system-file'");
    }
  }

  static String system(String system) {
    if (system != null && !SYSTEM.matcher(system).matches()) {
      throw new IllegalArgumentException("'system' " + quote(system) + " is not a system name: lower-case letters,"
          + " digits, '.', '_' and '-', starting with a letter or digit, at most 63 characters");
    }
    return system;
  }

  static String toManifest(String toManifest, boolean optional) {
    if (toManifest == null && optional) {
      return null;
    }
    if (toManifest == null || !MANIFEST.matcher(toManifest).matches()) {
      throw new IllegalArgumentException("'to-manifest' " + quote(toManifest) + " is neither a manifest id nor"
          + " 'previous'");
    }
    return toManifest;
  }

  static List<String> systemArguments(String system, String systemFile) {
    return system != null ? List.of("--system", system) : List.of("--system-file", systemFile);
  }

  static String quote(String value) {
    if (value == null) {
      return "(missing)";
    }
    return "'" + (value.length() > 80 ? value.substring(0, 80) + "..." : value) + "'";
  }
}
