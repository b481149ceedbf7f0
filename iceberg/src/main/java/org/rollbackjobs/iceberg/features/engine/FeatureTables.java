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
import org.rollbackjobs.iceberg.ConcurrentChangeException;
import org.rollbackjobs.iceberg.snapshot.Refs;

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

  /** @param branch the branch whose state is read (null: main) */
  public static Planned plan(Catalog catalog, TableIdentifier id, Schema output, String branch) {
    if (branch != null && !catalog.tableExists(id)) {
      throw new BadInputException("feature table " + id + " does not exist, so it has no branch '" + branch
          + "' to recompute into");
    }
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
    if (branch != null) {
      Snapshot head = Refs.head(table, branch);
      return new Planned(true, head == null ? null : head.snapshotId(), head == null ? Map.of() : head.summary(),
          table.location(), onBranch(table.schema(), output, id.toString(), branch), table.properties(), List.of());
    }
    Transaction transaction = table.newTransaction(); // never committed: it only shows the schema to come
    List<String> changes = evolve(transaction, output);
    Snapshot current = table.currentSnapshot();
    return new Planned(true, current == null ? null : current.snapshotId(),
        current == null ? Map.of() : current.summary(), table.location(), transaction.table().schema(),
        table.properties(), changes);
  }

  /**
   * The schema data files for a branch are written with: the pipeline's columns as the table has them (their field
   * ids), in the pipeline's order. An Iceberg schema belongs to the whole table, so a branch cannot drop, add or
   * change columns without changing main: columns the pipeline does not produce stay in the table (null on the
   * branch), and a column the table lacks or has with another type is bad input.
   */
  static Schema onBranch(Schema table, Schema output, String name, String branch) {
    List<Types.NestedField> fields = new ArrayList<>();
    for (Types.NestedField out : output.columns()) {
      Types.NestedField column = table.findField(out.name());
      if (column == null || !column.type().equals(out.type())) {
        throw new BadInputException("the pipeline's column " + out.name() + " " + out.type() + " is "
            + (column == null ? "not a column" : "a " + column.type() + " column") + " of feature table " + name
            + "; a schema belongs to the whole table, so a recompute into branch '" + branch + "' cannot "
            + (column == null ? "add" : "change") + " it without changing main");
      }
      fields.add(column);
    }
    return new Schema(fields);
  }

  /** That the table's schema still has every planned column, with its field id and type (a branch commit). */
  static void requireOnBranch(Schema table, Schema planned, String name) {
    for (Types.NestedField field : planned.columns()) {
      Types.NestedField now = table.findField(field.fieldId());
      if (now == null || !now.name().equals(field.name()) || !now.type().equals(field.type())) {
        throw new ConcurrentChangeException("the schema of feature table " + name + " changed while the recompute"
            + " ran (planned column " + field + ", now " + now + "); nothing was committed: run it again", null);
      }
    }
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
