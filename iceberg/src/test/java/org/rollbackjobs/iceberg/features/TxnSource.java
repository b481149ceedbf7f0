package org.rollbackjobs.iceberg.features;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;

/**
 * Source tables of transactions ({@code customer_id string, amount double, category string, ts timestamptz}),
 * made with Iceberg's own API and generic Parquet writer, with deterministic pseudo-random rows: some amounts
 * above 10000.0 (the cap of customer_txn_features 2), some null amounts and categories.
 */
public final class TxnSource {
  public static final Schema SCHEMA = new Schema(
      Types.NestedField.optional(1, "customer_id", Types.StringType.get()),
      Types.NestedField.optional(2, "amount", Types.DoubleType.get()),
      Types.NestedField.optional(3, "category", Types.StringType.get()),
      Types.NestedField.optional(4, "ts", Types.TimestampType.withZone()));
  public static final OffsetDateTime START = OffsetDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);
  private static final String[] CATEGORIES = {"grocery", "travel", "fuel", "dining", "electronics", "rent",
      "health", "fashion", "books", "games", "garden", "music"};

  private TxnSource() {}

  public static Table create(Catalog catalog, String name) {
    return create(catalog, name, SCHEMA);
  }

  public static Table create(Catalog catalog, String name, Schema schema) {
    TableIdentifier id = TableName.parse(name);
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(id.namespace())) {
      namespaces.createNamespace(id.namespace());
    }
    return catalog.createTable(id, schema, PartitionSpec.unpartitioned(), Map.of(TableProperties.FORMAT_VERSION, "2"));
  }

  /** {@code count} rows over {@code customers} customers, reproducible from {@code seed}. */
  public static List<Record> rows(Schema schema, long seed, int count, int customers) {
    Random random = new Random(seed);
    List<Record> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      GenericRecord r = GenericRecord.create(schema);
      r.setField("customer_id", "c" + random.nextInt(customers));
      double roll = random.nextDouble();
      Double amount = roll < 0.02 ? null
          : roll < 0.07 ? 10_000.0 + random.nextInt(90_000) + random.nextInt(100) / 100.0
          : Math.round(random.nextDouble() * 50_000) / 100.0;
      r.setField("amount", amount);
      String category = random.nextDouble() < 0.03 ? null : CATEGORIES[random.nextInt(CATEGORIES.length)];
      OffsetDateTime ts = START.plusSeconds(random.nextInt(90 * 24 * 3600));
      if (schema.findField("category") != null) {
        r.setField("category", category);
      }
      if (schema.findField("ts") != null) {
        r.setField("ts", ts);
      }
      rows.add(r);
    }
    return rows;
  }

  /** Appends the rows as {@code files} data files in one commit; returns the new snapshot id. */
  public static long append(Table table, List<Record> rows, int files) {
    AppendFiles append = table.newAppend();
    int per = (rows.size() + files - 1) / Math.max(1, files);
    for (int from = 0; from < rows.size(); from += per) {
      append.appendFile(GenericDataFiles.write(table, rows.subList(from, Math.min(rows.size(), from + per))));
    }
    append.commit();
    table.refresh();
    return table.currentSnapshot().snapshotId();
  }

  /** Every row of {@code table} at {@code snapshotId} (current when null), read with Iceberg's generic reader. */
  public static List<Record> read(Table table, Long snapshotId) {
    IcebergGenerics.ScanBuilder scan = IcebergGenerics.read(table);
    if (snapshotId != null) {
      scan = scan.useSnapshot(snapshotId);
    }
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = scan.build()) {
      records.forEach(r -> rows.add(r.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
