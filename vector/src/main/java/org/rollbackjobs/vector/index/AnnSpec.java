package org.rollbackjobs.vector.index;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * How the ANN index of a build is made and probed.
 *
 * @param m HNSW: links per node (pgvector default 16)
 * @param efConstruction HNSW: candidate list while building (default 64, at least 2 m)
 * @param lists IVFFlat: number of lists; 0 picks rows / 1000 (at least 1, at most 32768)
 * @param maintenanceWorkMem memory for the build, e.g. {@code 1GB}; null keeps the server's setting
 * @param parallelWorkers {@code max_parallel_maintenance_workers} for the build; negative keeps the server's
 * @param efSearch HNSW: {@code hnsw.ef_search} for the recall probe (pgvector default 40)
 * @param probes IVFFlat: {@code ivfflat.probes} for the recall probe; 0 picks sqrt(lists)
 */
public record AnnSpec(AnnMethod method, int m, int efConstruction, int lists, String maintenanceWorkMem,
    int parallelWorkers, int efSearch, int probes) {
  private static final Pattern MEMORY = Pattern.compile("[1-9][0-9]{0,6}(kB|MB|GB)");

  public AnnSpec {
    if (method == null) {
      throw new BadInputException("no ANN index type; valid: hnsw, ivfflat");
    }
    if (m < 2 || m > 100) {
      throw new BadInputException("--hnsw-m " + m + " is out of range; pgvector accepts 2 to 100");
    }
    if (efConstruction < 4 || efConstruction > 1000 || efConstruction < 2 * m) {
      throw new BadInputException("--hnsw-ef-construction " + efConstruction
          + " is out of range; pgvector accepts 4 to 1000 and at least 2 x m (" + 2 * m + ")");
    }
    if (lists < 0 || lists > 32768) {
      throw new BadInputException("--ivfflat-lists " + lists + " is out of range; 1 to 32768, or 0 for rows/1000");
    }
    if (maintenanceWorkMem != null && !MEMORY.matcher(maintenanceWorkMem).matches()) {
      throw new BadInputException("maintenance_work_mem '" + maintenanceWorkMem
          + "' is not a memory size; expected for example 512MB or 2GB (kB, MB, GB)");
    }
    if (parallelWorkers > 64) {
      throw new BadInputException("parallel maintenance workers " + parallelWorkers + " is out of range; 0 to 64");
    }
    if (efSearch < 1 || efSearch > 1000) {
      throw new BadInputException("--ef-search " + efSearch + " is out of range; 1 to 1000");
    }
    if (probes < 0 || probes > 32768) {
      throw new BadInputException("--ivfflat-probes " + probes + " is out of range; 1 to 32768, or 0 for sqrt(lists)");
    }
  }

  /** HNSW with pgvector's defaults (m 16, ef_construction 64), 1GB and one worker per core beyond the first. */
  public static AnnSpec defaults() {
    return new AnnSpec(AnnMethod.HNSW, 16, 64, 0, "1GB", Math.max(0, Runtime.getRuntime().availableProcessors() - 1),
        40, 0);
  }

  /** The same index built with the server's own maintenance settings (for comparisons). */
  public AnnSpec withServerSettings() {
    return new AnnSpec(method, m, efConstruction, lists, null, -1, efSearch, probes);
  }

  public AnnSpec withMethod(AnnMethod newMethod) {
    return new AnnSpec(newMethod, m, efConstruction, lists, maintenanceWorkMem, parallelWorkers, efSearch, probes);
  }

  /** IVFFlat lists for a table of {@code rows}. */
  public int listsFor(long rows) {
    if (lists > 0) {
      return lists;
    }
    return (int) Math.max(1, Math.min(32768, rows / 1000));
  }

  public int probesFor(long rows) {
    return probes > 0 ? probes : Math.max(1, (int) Math.round(Math.sqrt(listsFor(rows))));
  }

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("method", method.sql());
    if (method == AnnMethod.HNSW) {
      map.put("m", m);
      map.put("ef-construction", efConstruction);
      map.put("ef-search", efSearch);
    } else {
      map.put("lists", lists == 0 ? "rows/1000" : lists);
      map.put("probes", probes == 0 ? "sqrt(lists)" : probes);
    }
    map.put("maintenance-work-mem", maintenanceWorkMem == null ? "server" : maintenanceWorkMem);
    map.put("parallel-workers", parallelWorkers < 0 ? "server" : parallelWorkers);
    return map;
  }

  /** The parts that decide what index is built (not how fast), to tell whether a serving build is equivalent. */
  public String shape() {
    return method == AnnMethod.HNSW ? "hnsw(m=" + m + ",ef_construction=" + efConstruction + ")"
        : "ivfflat(lists=" + (lists == 0 ? "auto" : lists) + ")";
  }
}
