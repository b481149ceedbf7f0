package org.rollbackjobs.jobs.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the JAR manifest. */
public class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = RollbackCommand.class.getPackage().getImplementationVersion();
    return new String[] {"rollback-jobs " + (version == null ? "(development build)" : version)};
  }
}
