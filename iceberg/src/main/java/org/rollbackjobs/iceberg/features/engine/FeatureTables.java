package org.rollbackjobs.iceberg.features.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.TypeUtil;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * The feature table side of a recompute: what its schema becomes (created, or evolved to exactly the
 * pipeline version's columns, in its order) and where its data files go. Planning stages the changes in an
 * Iceberg transaction that is never committed, which gives the exact field ids the data files must carry;
 * the commit stages the same changes again on the table as it is then.
 */
public final class FeatureTables {
  static final Map<String, String> NEW_TABLE_PROPERTIES = Map.of(TableProperties.FORMAT_VERSION, "2");

  private FeatureTables() {}

  /**
   * @param schema the schema after the commit, with the field ids data files must be written with
   * @param changes the schema changes, in words
   */
  public record Planned(boolean exists, Long currentSnapshotId, Map<String, String> currentSummary, String location,
      Schema schema, Map<String, String> properties, List<String> changes) {}

  public static Planned plan(Catalog catalog, TableIdentifier id, Schema output) {
    if (!catalog.tableExists(id)) {
      Transaction create = catalog.buildTable(id, output).withProperties(NEW_TABLE_PROPERTIES).createTransaction();
      List<String> changes = List.of("create table " + id + " (" + output.columns().stream()
          .map(f -> f.name() + " " + f.type()).collect(Collectors.joining(", ")) + ")");
      // the properties the table will have, Iceberg's defaults for new tables (a zstd codec since 1.4) and the
      // catalog's included: the data files are written by them, as later recomputes into the table write theirs
      Map<String, String> properties = new HashMap<>(create.table().properties());
      properties.putAll(NEW_TABLE_PROPERTIES);
      return new Planned(false, null, Map.of(), create.table().location(), create.table().schema(),
          Map.copyOf(properties), changes);
    }
    Table table = catalog.loadTable(id);
    requireUnpartitioned(table);
    Transaction transaction = table.newTransaction(); // never committed: it only shows the schema to come
    List<String> changes = evolve(transaction, output);
    Snapshot current = table.currentSnapshot();
    return new Planned(true, current == null ? null : current.snapshotId(),
        current == null ? Map.of() : current.summary(), table.location(), transaction.table().schema(),
        table.properties(), changes);
  }

  static void requireUnpartitioned(Table table) {
    if (table.spec().isPartitioned()) {
      throw new BadInputException("feature table " + table.name() + " is partitioned (" + table.spec() + ");"
          + " recompute-features replaces the whole content of unpartitioned feature tables: give another target"
          + " or drop this table");
    }
  }

  /**
   * Stages in {@code transaction} the schema changes that make {@code table} have exactly {@code output}'s
   * columns, if any are needed (a transaction takes no other operation while a schema update is pending).
   */
  static List<String> evolveIfNeeded(Table table, Transaction transaction, Schema output) {
    List<String> changes = evolve(table.newTransaction(), output);
    return changes.isEmpty() ? changes : evolve(transaction, output);
  }

  /** Stages the schema changes that make the transaction's table have exactly {@code output}'s columns. */
  static List<String> evolve(Transaction transaction, Schema output) {
    Schema current = transaction.table().schema();
    UpdateSchema update = transaction.updateSchema();
    List<String> changes = new ArrayList<>();
    Set<String> wanted = output.columns().stream().map(Types.NestedField::name).collect(Collectors.toSet());
    boolean dropsIdentifier = false;
    for (Types.NestedField column : current.columns()) {
      Types.NestedField out = output.findField(column.name());
      boolean replaced = out != null && !column.type().equals(out.type()) && !promotable(column.type(), out.type());
      if (!wanted.contains(column.name()) || replaced) {
        dropsIdentifier |= current.identifierFieldIds().contains(column.fieldId());
      }
    }
    if (dropsIdentifier) {
      update.setIdentifierFields(List.of());
      changes.add("clear identifier fields " + current.identifierFieldNames());
    }
    for (Types.NestedField column : current.columns()) {
      if (!wanted.contains(column.name())) {
        update.deleteColumn(column.name());
        changes.add("drop column " + column.name() + " " + column.type());
      }
    }
    for (Types.NestedField out : output.columns()) {
      Types.NestedField column = current.findField(out.name());
      if (column == null) {
        update.addColumn(out.name(), out.type());
        changes.add("add column " + out.name() + " " + out.type());
      } else if (!column.type().equals(out.type())) {
        if (promotable(column.type(), out.type())) {
          update.updateColumn(out.name(), out.type().asPrimitiveType());
          changes.add("widen column " + out.name() + " from " + column.type() + " to " + out.type());
          if (column.isRequired()) {
            update.makeColumnOptional(out.name());
          }
        } else {
          update.deleteColumn(out.name());
          update.addColumn(out.name(), out.type());
          changes.add("replace column " + out.name() + " " + column.type() + " by " + out.type());
        }
      } else if (column.isRequired()) {
        update.makeColumnOptional(out.name());
        changes.add("make column " + out.name() + " optional");
      }
    }
    List<String> order = output.columns().stream().map(Types.NestedField::name).toList();
    List<String> currentOrder = current.columns().stream().map(Types.NestedField::name)
        .filter(wanted::contains).toList();
    boolean added = output.columns().stream().anyMatch(out -> current.findField(out.name()) == null
        || (!current.findField(out.name()).type().equals(out.type()) && !promotable(current.findField(out.name()).type(), out.type())));
    if (!currentOrder.equals(order) || added) {
      update.moveFirst(order.get(0));
      for (int i = 1; i < order.size(); i++) {
        update.moveAfter(order.get(i), order.get(i - 1));
      }
      if (!currentOrder.equals(order.stream().filter(n -> current.findField(n) != null).toList())) {
        changes.add("reorder columns to " + String.join(", ", order));
      }
    }
    if (!changes.isEmpty()) {
      update.commit();
    }
    return changes;
  }

  private static boolean promotable(Type from, Type to) {
    return from.isPrimitiveType() && to.isPrimitiveType() && TypeUtil.isPromotionAllowed(from, to.asPrimitiveType());
  }
}
