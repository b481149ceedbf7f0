package org.rollbackjobs.vector.index;

import java.time.Duration;
import java.util.Locale;

/**
 * Rows done of a total, the rate since the start and the time left, for progress lines on stderr. A line is due
 * at most every {@code interval}, and always at the end.
 */
public final class LoadProgress {
  private final String label;
  private final long total;
  private final long alreadyDone;
  private final Duration interval;
  private final long started = System.nanoTime();
  private long lastReport = System.nanoTime();
  private long done;

  /** @param alreadyDone rows committed by an earlier, interrupted run (not counted in the rate) */
  public LoadProgress(String label, long total, long alreadyDone, Duration interval) {
    this.label = label;
    this.total = total;
    this.alreadyDone = alreadyDone;
    this.done = alreadyDone;
    this.interval = interval;
  }

  /** Records {@code rows} more; returns a progress line when one is due, else null. */
  public synchronized String advance(long rows) {
    if (rows <= 0) {
      return null; // an empty last chunk: the end was reported with the chunk before
    }
    done += rows;
    long now = System.nanoTime();
    if (done < total && now - lastReport < interval.toNanos()) {
      return null;
    }
    lastReport = now;
    return line();
  }

  public long total() {
    return total;
  }

  public synchronized long done() {
    return done;
  }

  public synchronized String line() {
    double seconds = Math.max(1e-9, (System.nanoTime() - started) / 1e9);
    double rate = (done - alreadyDone) / seconds;
    String eta = rate <= 0 || done >= total ? "0s" : format(Duration.ofSeconds((long) Math.ceil((total - done) / rate)));
    double percent = total == 0 ? 100.0 : 100.0 * done / total;
    return String.format(Locale.ROOT, "%s: %,d / %,d rows (%.1f%%), %,.0f rows/s, ETA %s", label, done, total,
        percent, rate, eta);
  }

  static String format(Duration d) {
    long s = d.getSeconds();
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    if (s >= 60) {
      return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return s + "s";
  }
}
