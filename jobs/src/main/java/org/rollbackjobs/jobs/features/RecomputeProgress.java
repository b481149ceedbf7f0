package org.rollbackjobs.jobs.features;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Progress of the map side of one recompute, on stderr (through the log): rows read of the total, rate and
 * estimated time left. Workers add to it; a daemon thread prints it every interval. Owned by its job execution
 * (see {@link RecomputeJobSupport#startProgress}), so that recomputes running side by side each count their own.
 */
final class RecomputeProgress {
  private static final Logger LOG = LoggerFactory.getLogger(RecomputeProgress.class);

  private final String target;
  private final long total;
  private final long alreadyRead;
  private final LongAdder read = new LongAdder();
  private final long started = System.nanoTime();
  private final Thread printer;

  private RecomputeProgress(String target, long total, long alreadyRead, Duration interval) {
    this.target = target;
    this.total = total;
    this.alreadyRead = alreadyRead;
    this.printer = new Thread(() -> {
      try {
        while (true) {
          Thread.sleep(interval.toMillis());
          LOG.info(line());
        }
      } catch (InterruptedException stopped) {
        // done
      }
    }, "recompute-progress");
    printer.setDaemon(true);
  }

  /** @param alreadyRead rows read by partitions completed before a restart */
  static RecomputeProgress start(String target, long total, long alreadyRead, Duration interval) {
    RecomputeProgress progress = new RecomputeProgress(target, total, alreadyRead, interval);
    progress.printer.start();
    return progress;
  }

  void rowsRead(long rows) {
    read.add(rows);
  }

  /** Stops the printer and prints the last line. */
  void stop() {
    printer.interrupt();
    LOG.info(line());
  }

  String line() {
    long now = read.sum();
    long done = alreadyRead + now;
    double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
    double rate = now / seconds;
    String eta = rate <= 0 || done >= total ? "-" : format(Duration.ofSeconds((long) ((total - done) / rate)));
    return String.format("recompute %s: %,d / %,d rows read (%.1f%%), %,.0f rows/s, ETA %s", target, done, total,
        total == 0 ? 100.0 : Math.min(100.0, 100.0 * done / total), rate, eta);
  }

  private static String format(Duration d) {
    return String.format("%d:%02d:%02d", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
  }
}
