package org.rollbackjobs.jobs.index;

import java.time.Duration;
import org.rollbackjobs.vector.index.LoadProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ChunkListener;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.StepExecutionListener;
import org.springframework.batch.core.scope.context.ChunkContext;

/** Progress of the load on stderr (through the log): rows done / total, rate, ETA, every few seconds. */
class LoadProgressListener implements StepExecutionListener, ChunkListener {
  private static final Logger LOG = LoggerFactory.getLogger(LoadProgressListener.class);
  private final Duration interval;
  private LoadProgress progress;
  private StepExecution step;
  private long reported;

  LoadProgressListener(Duration interval) {
    this.interval = interval;
  }

  @Override
  public void beforeStep(StepExecution stepExecution) {
    step = stepExecution;
    long total = RebuildContext.job(stepExecution).getLong(RebuildContext.DOCUMENTS, 0L);
    long resumed = stepExecution.getExecutionContext().getLong(RebuildContext.DOCUMENTS_READ, 0L);
    progress = new LoadProgress("rebuild-index load", total, resumed, interval);
    if (resumed > 0) {
      LOG.info("rebuild-index load: resuming after {} documents committed by the interrupted run", resumed);
    }
  }

  @Override
  public void afterChunk(ChunkContext context) {
    long written = step.getWriteCount();
    String line = progress.advance(written - reported);
    reported = written;
    if (line != null) {
      LOG.info(line);
    }
  }

  @Override
  public ExitStatus afterStep(StepExecution stepExecution) {
    if (progress.done() < progress.total()) { // the last chunk already reported 100%
      LOG.info("{} (stopped: {})", progress.line(), stepExecution.getStatus());
    }
    return null;
  }
}
