package org.rollbackjobs.jobs.index;

import java.sql.Connection;
import java.sql.SQLException;
import org.rollbackjobs.vector.index.BuildRegistry;
import org.rollbackjobs.vector.index.IndexBuild;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.item.ExecutionContext;

/**
 * What the steps of one rebuild pass to each other through the job's execution context (persisted after every
 * step, and carried over to a restarted execution).
 */
final class RebuildContext {
  static final String BUILD_ID = "rebuild.build-id";
  static final String EXPECTED_SERVING = "rebuild.expected-serving-build";
  static final String DOCUMENTS = "rebuild.documents";
  static final String ANN_MILLIS = "rebuild.ann-index-ms";
  static final String REUSED = "rebuild.vectors-reused";
  static final String VALIDATION = "rebuild.validation";
  static final String SWITCH = "rebuild.switch";
  static final String RETIRED = "rebuild.retired";
  static final String SWITCH_BACK = "rebuild.switch-back";
  /** In the load step's own context: documents read and committed so far. */
  static final String DOCUMENTS_READ = "documents.read";
  private static final long NONE = -1;

  private RebuildContext() {}

  static ExecutionContext job(StepExecution step) {
    return step.getJobExecution().getExecutionContext();
  }

  static RebuildIndexRequest request(StepExecution step) {
    return RebuildIndexRequest.fromJobParameters(step.getJobParameters());
  }

  static IndexBuild build(StepExecution step, RebuildIndexFactory factory) {
    long id = job(step).getLong(BUILD_ID);
    try (Connection c = factory.dataSource().getConnection()) {
      return BuildRegistry.find(c, id).orElseThrow(() -> new IllegalStateException("build " + id + " is not registered"));
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  static void putNullable(ExecutionContext context, String key, Long value) {
    context.putLong(key, value == null ? NONE : value);
  }

  static Long nullable(ExecutionContext context, String key) {
    long value = context.getLong(key, NONE);
    return value == NONE ? null : value;
  }
}
