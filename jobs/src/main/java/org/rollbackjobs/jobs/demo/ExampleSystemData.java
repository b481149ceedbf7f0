package org.rollbackjobs.jobs.demo;

import static org.apache.iceberg.types.Types.NestedField.required;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.catalog.CatalogLoader;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;

/**
 * The data of the example system {@code support-search} (jobs/examples/systems/support-search.yml):
 * {@code shop.transactions} (customer transactions) and {@code kb.documents} (help-centre articles), plus a
 * bad load of each, for the README walkthrough.
 */
public final class ExampleSystemData {
  public static final String TRANSACTIONS = "shop.transactions";
  public static final String DOCUMENTS = "kb.documents";
  static final Schema TXN = new Schema(
      required(1, "customer_id", Types.StringType.get()),
      required(2, "amount", Types.DoubleType.get()),
      required(3, "category", Types.StringType.get()),
      required(4, "ts", Types.TimestampType.withZone()));
  static final Schema DOCS = new Schema(
      required(1, "id", Types.LongType.get()),
      required(2, "body", Types.StringType.get()));
  private static final String[] CATEGORIES = {"books", "games", "garden", "grocery", "music", "travel"};
  private static final String[] ARTICLES = {
      "How to reset your password from the sign-in page",
      "Changing the email address on your account",
      "Why was my card declined at checkout",
      "Tracking a parcel after it has been shipped",
      "Returning an item within thirty days for a full refund",
      "Refunds are paid back to the original payment method",
      "Setting up two-factor authentication with an app",
      "Closing your account and deleting your data",
      "Using a gift card together with another payment method",
      "Delivery times for international orders",
      "What to do when a parcel arrives damaged",
      "Subscribing to and cancelling the monthly plan",
      "Downloading invoices for your business expenses",
      "Changing the delivery address of an order in progress",
      "Loyalty points: how they are earned and spent",
      "Reporting a suspicious email that claims to be from us",
      "Accessibility settings of the mobile app",
      "Price matching and price drop guarantees",
      "Ordering in bulk for schools and companies",
      "Contacting customer support by chat or phone"};

  private ExampleSystemData() {}

  /** Snapshot ids of the two tables after a step. */
  public record Snapshots(long transactions, long documents) {}

  /** (Re)creates both tables with their known-good content. */
  public static Snapshots create(Catalog catalog) {
    Table txn = recreate(catalog, TRANSACTIONS, TXN);
    append(txn, transactions(new Random(1), 2_000, 200, 10.0, 400.0));
    Table docs = recreate(catalog, DOCUMENTS, DOCS);
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < ARTICLES.length; i++) {
      rows.add(doc(i + 1, ARTICLES[i]));
    }
    append(docs, rows);
    return new Snapshots(txn.currentSnapshot().snapshotId(), docs.currentSnapshot().snapshotId());
  }

  /**
   * A bad load: transactions in cents instead of euros for 50 customers, and an article rewritten by a broken
   * import plus a new one.
   */
  public static Snapshots badLoad(Catalog catalog) {
    Table txn = CatalogLoader.loadTable(catalog, TRANSACTIONS);
    append(txn, transactions(new Random(2), 300, 50, 1_000.0, 40_000.0));
    Table docs = CatalogLoader.loadTable(catalog, DOCUMENTS);
    append(docs, List.of(doc(101, "Refunds are no longer available for any order"),
        doc(102, "lorem ipsum import placeholder")));
    return new Snapshots(txn.currentSnapshot().snapshotId(), docs.currentSnapshot().snapshotId());
  }

  private static List<Record> transactions(Random random, int count, int customers, double min, double max) {
    OffsetDateTime start = OffsetDateTime.of(2026, 11, 1, 0, 0, 0, 0, ZoneOffset.UTC);
    List<Record> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      GenericRecord r = GenericRecord.create(TXN);
      r.setField("customer_id", String.format("c%04d", random.nextInt(customers)));
      r.setField("amount", Math.round((min + random.nextDouble() * (max - min)) * 100) / 100.0);
      r.setField("category", CATEGORIES[random.nextInt(CATEGORIES.length)]);
      r.setField("ts", start.plusMinutes(random.nextInt(60 * 24 * 20)));
      rows.add(r);
    }
    return rows;
  }

  private static Record doc(long id, String body) {
    GenericRecord r = GenericRecord.create(DOCS);
    r.setField("id", id);
    r.setField("body", body);
    return r;
  }

  private static void append(Table table, List<Record> rows) {
    table.newAppend().appendFile(GenericDataFiles.write(table, rows)).commit();
  }

  private static Table recreate(Catalog catalog, String name, Schema schema) {
    TableIdentifier id = TableName.parse(name);
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(id.namespace())) {
      namespaces.createNamespace(id.namespace());
    }
    if (catalog.tableExists(id)) {
      catalog.dropTable(id, true);
    }
    return catalog.createTable(id, schema, PartitionSpec.unpartitioned(), Map.of("format-version", "2"));
  }
}
