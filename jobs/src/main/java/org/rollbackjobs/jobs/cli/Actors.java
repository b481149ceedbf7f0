package org.rollbackjobs.jobs.cli;

/** Who runs a command, for audit records: {@code --actor}, else the OS user. */
final class Actors {
  private Actors() {}

  static String actor(String option) {
    if (option != null && !option.isBlank()) {
      return option;
    }
    String user = System.getProperty("user.name");
    return user == null || user.isBlank() ? "unknown" : user;
  }
}
