package org.rollbackjobs.jobs.cli;

/**
 * A command (or an option mixin) that checks what the command line alone can tell: required options, mutually
 * exclusive options, the form of identifiers, timestamps and durations. {@link Cli} calls it after parsing, before
 * the application starts (so with no database) and again before the command runs in the application; it throws
 * {@link picocli.CommandLine.ParameterException} or {@link org.rollbackjobs.iceberg.BadInputException} (exit 2).
 * It must not use injected beans: they do not exist yet.
 */
interface Validated {
  void validate();
}
