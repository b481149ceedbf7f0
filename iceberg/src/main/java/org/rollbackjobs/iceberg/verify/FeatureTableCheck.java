package org.rollbackjobs.iceberg.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.features.FeatureLineage;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.RecomputeFeatures;
import org.rollbackjobs.iceberg.features.RecomputePlan;
import org.rollbackjobs.iceberg.features.RowTransform;
import org.rollbackjobs.iceberg.features.engine.InputWidening;
import org.rollbackjobs.iceberg.features.engine.SourceReader;
import org.rollbackjobs.iceberg.snapshot.Refs;

/**
 * Checks a feature table against what a manifest pins: its lineage must name the pinned source snapshot and
 * pipeline version, and its keys must be those a fresh computation over the pinned snapshot gives (a sample of
 * keys for large tables: {@link #sampleKeys(long)}).
 *
 * <pre>{@code
 * List<TableFinding> findings = FeatureTableCheck.of(catalog, "shop.customer_features")
 *     .pipeline(pipeline).source("shop.transactions", snapshotId).run();
 * }</pre>
 */
public final class FeatureTableCheck {
  public static final String LINEAGE_MISSING = "feature-lineage-missing";
  public static final String SOURCE_MISMATCH = "feature-source-mismatch";
  public static final String PIPELINE_MISMATCH = "feature-pipeline-mismatch";
  public static final String ROWS_DIFFER = "feature-rows-differ";
  public static final String NOT_COMPUTABLE = "feature-not-computable";

  private final Catalog catalog;
  private final String target;
  private FeaturePipeline pipeline;
  private String source;
  private long sourceSnapshot;
  private String ref;
  private long sampleKeys = 1_000_000L;
  private int examples = 5;

  private FeatureTableCheck(Catalog catalog, String target) {
    this.catalog = catalog;
    this.target = target;
  }

  public static FeatureTableCheck of(Catalog catalog, String featureTable) {
    return new FeatureTableCheck(catalog, featureTable);
  }

  /** The pinned pipeline version. */
  public FeatureTableCheck pipeline(FeaturePipeline pinned) {
    this.pipeline = pinned;
    return this;
  }

  public FeatureTableCheck source(String table, long snapshotId) {
    this.source = table;
    this.sourceSnapshot = snapshotId;
    return this;
  }

  /** Compare at most about this many keys (a deterministic hash sample); every key when the table is smaller. */
  public FeatureTableCheck sampleKeys(long keys) {
    this.sampleKeys = keys;
    return this;
  }

  /** Checks this branch of the feature table instead of main (as Iceberg's {@code TableScan.useRef}). */
  public FeatureTableCheck useRef(String branch) {
    this.ref = branch;
    return this;
  }

  public FeatureTableCheck exampleLimit(int limit) {
    this.examples = limit;
    return this;
  }

  public List<TableFinding> run() {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(source, "source");
    Table table = CatalogLoader.loadTable(catalog, target);
    List<TableFinding> findings = new ArrayList<>(lineage(table));
    RecomputePlan plan;
    try {
      plan = RecomputeFeatures.of(catalog).pipeline(pipeline).source(source).sourceSnapshot(sourceSnapshot)
          .target(target).toBranch(ref).threads(1).plan();
    } catch (BadInputException e) {
      findings.add(new TableFinding(NOT_COMPUTABLE, target + ": the pinned pipeline " + pinnedPipeline()
          + " cannot be computed over " + source + " at snapshot " + sourceSnapshot + ": " + e.getMessage(), 1,
          List.of(String.valueOf(sourceSnapshot))));
      return findings;
    }
    findings.addAll(rows(table, plan));
    return findings;
  }

  private List<TableFinding> lineage(Table table) {
    FeatureLineageTrace.Trace trace = FeatureLineageTrace.of(table, Refs.head(table, ref));
    if (!trace.found()) {
      String why = trace.brokenBy() == null ? "it has no recompute commit"
          : "snapshot " + trace.brokenBy().snapshotId() + " (" + trace.brokenBy().operation()
              + ") changed it without recompute lineage";
      return List.of(new TableFinding(LINEAGE_MISSING, target + ": no lineage describes the current content ("
          + why + "); expected " + pinnedPipeline() + " over " + source + "@" + sourceSnapshot, 1,
          trace.brokenBy() == null ? List.of() : List.of(String.valueOf(trace.brokenBy().snapshotId()))));
    }
    List<TableFinding> findings = new ArrayList<>();
    String at = " (lineage of snapshot " + trace.recomputeSnapshotId() + ")";
    String lineageSource = trace.get(FeatureLineage.SOURCE_TABLE) + "@" + trace.get(FeatureLineage.SOURCE_SNAPSHOT);
    if (!(source + "@" + sourceSnapshot).equals(lineageSource)) {
      findings.add(new TableFinding(SOURCE_MISMATCH, target + ": computed from " + lineageSource + ", pinned "
          + source + "@" + sourceSnapshot + at, 1, List.of(lineageSource)));
    }
    String lineagePipeline = trace.get(FeatureLineage.PIPELINE) + " version " + trace.get(FeatureLineage.PIPELINE_VERSION);
    boolean samePipeline = pipeline.name().equals(trace.get(FeatureLineage.PIPELINE))
        && pipeline.version().equals(trace.get(FeatureLineage.PIPELINE_VERSION));
    boolean sameHash = pipeline.definitionHash().equals(trace.get(FeatureLineage.PIPELINE_HASH));
    if (!samePipeline || !sameHash) {
      findings.add(new TableFinding(PIPELINE_MISMATCH, target + ": computed by " + lineagePipeline
          + (samePipeline ? " with another definition (hash " + trace.get(FeatureLineage.PIPELINE_HASH) + ")" : "")
          + ", pinned " + pinnedPipeline() + " (hash " + pipeline.definitionHash() + ")" + at, 1,
          List.of(lineagePipeline)));
    }
    return findings;
  }

  private List<TableFinding> rows(Table table, RecomputePlan plan) {
    int keyCount = pipeline.keyColumns().size();
    Snapshot head = Refs.head(table, ref);
    long tableRows = head == null ? 0 : Long.parseLong(head.summary().getOrDefault("total-records", "0"));
    double fraction = keyCount == 0 ? 1.0 : Math.min(1.0, (double) sampleKeys / Math.max(1, tableRows));
    KeySample fresh = new KeySample(fraction);
    long freshRows = compute(plan, keyCount, fresh);
    KeySample stored = new KeySample(fraction);
    long storedRows = read(table, keyCount, stored);
    if (keyCount == 0) {
      return freshRows == storedRows ? List.of() : List.of(new TableFinding(ROWS_DIFFER, target + ": holds "
          + storedRows + " rows, a fresh computation of " + pinnedPipeline() + " over " + source + "@"
          + sourceSnapshot + " gives " + freshRows, Math.abs(freshRows - storedRows), List.of()));
    }
    List<String> missing = new ArrayList<>();
    List<String> extra = new ArrayList<>();
    List<String> duplicated = new ArrayList<>();
    long missingCount = 0;
    long extraCount = 0;
    long duplicateCount = 0;
    for (Map.Entry<String, Integer> key : fresh.keys().entrySet()) {
      if (!stored.keys().containsKey(key.getKey())) {
        missingCount++;
        addExample(missing, key.getKey());
      }
    }
    for (Map.Entry<String, Integer> key : stored.keys().entrySet()) {
      if (!fresh.keys().containsKey(key.getKey())) {
        extraCount++;
        addExample(extra, key.getKey());
      } else if (key.getValue() > 1) {
        duplicateCount += key.getValue() - 1;
        addExample(duplicated, key.getKey());
      }
    }
    if (missingCount + extraCount + duplicateCount == 0) {
      return List.of();
    }
    String scope = fraction >= 1.0 ? "all " + fresh.keys().size() + " keys"
        : String.format(java.util.Locale.ROOT, "a %.2f%% hash sample of keys (%d keys)", fraction * 100,
            fresh.keys().size());
    List<String> examplesFound = new ArrayList<>();
    missing.forEach(k -> examplesFound.add("missing " + k));
    extra.forEach(k -> examplesFound.add("extra " + k));
    duplicated.forEach(k -> examplesFound.add("duplicate " + k));
    return List.of(new TableFinding(ROWS_DIFFER, target + ": compared with a fresh computation of "
        + pinnedPipeline() + " over " + source + "@" + sourceSnapshot + " on " + scope + ": " + missingCount
        + " keys missing, " + extraCount + " keys extra, " + duplicateCount + " duplicate rows (table rows "
        + storedRows + ", fresh rows " + freshRows + ")", missingCount + extraCount + duplicateCount,
        examplesFound.subList(0, Math.min(examples, examplesFound.size()))));
  }

  private void addExample(List<String> list, String key) {
    if (list.size() < examples) {
      list.add(key);
    }
  }

  /** Runs the pinned pipeline's transform over the pinned snapshot; returns the rows (or keys) it gives. */
  private long compute(RecomputePlan plan, int keyCount, KeySample keys) {
    Table sourceTable = CatalogLoader.loadTable(catalog, source);
    RowTransform transform = pipeline.newTransform(plan.context());
    Object[] row = new Object[pipeline.outputSchema().columns().size()];
    UnaryOperator<StructLike> widened = InputWidening.of(plan.projection(), pipeline.inputColumns());
    long kept = 0;
    try (CloseableIterable<FileScanTask> tasks = sourceTable.newScan().useSnapshot(sourceSnapshot)
        .project(plan.projection()).planFiles()) {
      for (FileScanTask task : tasks) {
        try (CloseableIterable<Record> records = SourceReader.open(sourceTable, task, plan.projection())) {
          for (Record record : records) {
            Arrays.fill(row, null);
            if (transform.apply(widened.apply(record), row)) {
              kept++;
              if (keyCount > 0) {
                keys.add(KeySample.keyOf(row, keyCount));
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + " at snapshot " + sourceSnapshot, e);
    }
    return keyCount > 0 ? keys.keys().size() : kept;
  }

  private long read(Table table, int keyCount, KeySample keys) {
    Snapshot head = Refs.head(table, ref);
    if (head == null) {
      return 0;
    }
    List<String> columns = keyCount > 0 ? pipeline.keyColumns()
        : List.of(table.schema().columns().get(0).name());
    Object[] values = new Object[Math.max(1, keyCount)];
    long rows = 0;
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).useSnapshot(head.snapshotId())
        .select(columns).build()) {
      for (Record record : records) {
        rows++;
        if (keyCount > 0) {
          for (int i = 0; i < keyCount; i++) {
            values[i] = record.getField(columns.get(i));
          }
          keys.add(KeySample.keyOf(values, keyCount));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + target, e);
    }
    return rows;
  }


  private String pinnedPipeline() {
    return pipeline.name() + " version " + pipeline.version();
  }
}
