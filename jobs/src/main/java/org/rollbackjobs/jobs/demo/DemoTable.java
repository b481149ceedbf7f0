package org.rollbackjobs.jobs.demo;

import static org.apache.iceberg.types.Types.NestedField.required;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;

/**
 * Builds the demo table: orders loaded on Monday and Tuesday (tagged {@code known-good}), then a bad Wednesday
 * load that rewrote Monday's amounts in cents instead of euros and added a refund with a negative amount.
 */
public final class DemoTable {
  public static final String KNOWN_GOOD_TAG = "known-good";
  static final Schema SCHEMA = new Schema(
      required(1, "order_id", Types.LongType.get()),
      required(2, "customer", Types.StringType.get()),
      required(3, "amount", Types.DoubleType.get()),
      required(4, "load", Types.StringType.get()));

  private DemoTable() {}

  /** The ids of the three snapshots, oldest first. */
  public record Versions(Table table, long monday, long tuesday, long wednesday) {}

  /** (Re)creates the table with its three versions; an existing demo table of that name is dropped first. */
  public static Versions create(Catalog catalog, String name) {
    TableIdentifier id = TableName.parse(name);
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(id.namespace())) {
      namespaces.createNamespace(id.namespace());
    }
    if (catalog.tableExists(id)) {
      catalog.dropTable(id, true);
    }
    Table table = catalog.createTable(id, SCHEMA, PartitionSpec.unpartitioned(), Map.of("format-version", "2"));

    DataFile monday = GenericDataFiles.write(table, List.of(
        order(1, "alice", 120.0, "monday"), order(2, "bob", 35.5, "monday"), order(3, "carol", 99.9, "monday")));
    table.newAppend().appendFile(monday).set("load", "monday").commit();
    long mondayId = table.currentSnapshot().snapshotId();

    DataFile tuesday = GenericDataFiles.write(table, List.of(order(4, "dave", 12.0, "tuesday"), order(5, "erin", 250.0, "tuesday")));
    table.newAppend().appendFile(tuesday).set("load", "tuesday").commit();
    long tuesdayId = table.currentSnapshot().snapshotId();
    table.manageSnapshots().createTag(KNOWN_GOOD_TAG, tuesdayId).commit();

    List<Record> wrongUnits = new ArrayList<>();
    for (Record r : List.of(order(1, "alice", 120.0, "monday"), order(2, "bob", 35.5, "monday"), order(3, "carol", 99.9, "monday"))) {
      Record bad = r.copy();
      bad.setField("amount", (Double) r.getField("amount") * 100); // cents, not euros
      bad.setField("load", "wednesday");
      wrongUnits.add(bad);
    }
    wrongUnits.add(order(6, "mallory", -5000.0, "wednesday"));
    table.newOverwrite().deleteFile(monday).addFile(GenericDataFiles.write(table, wrongUnits))
        .set("load", "wednesday (bad)").commit();
    long wednesdayId = table.currentSnapshot().snapshotId();
    return new Versions(table, mondayId, tuesdayId, wednesdayId);
  }

  private static Record order(long id, String customer, double amount, String load) {
    GenericRecord record = GenericRecord.create(SCHEMA);
    record.setField("order_id", id);
    record.setField("customer", customer);
    record.setField("amount", amount);
    record.setField("load", load);
    return record;
  }
}
