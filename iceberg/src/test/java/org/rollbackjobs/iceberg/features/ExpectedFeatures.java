package org.rollbackjobs.iceberg.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.apache.iceberg.Table;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;

/**
 * The features, computed independently of the engine: plain Java over the rows that Iceberg's generic reader
 * returns for the source snapshot, written straight from the feature definitions (not from the engine's code).
 */
public final class ExpectedFeatures {
  private ExpectedFeatures() {}

  /** customer_txn_features 1: txn_count, amount_sum, amount_mean per customer. */
  public static List<List<Object>> customerTxnV1(List<Record> source) {
    Map<String, List<Record>> byCustomer = byCustomer(source);
    List<List<Object>> rows = new ArrayList<>();
    byCustomer.forEach((customer, txns) -> {
      List<Double> amounts = txns.stream().map(r -> (Double) r.getField("amount")).filter(Objects::nonNull).toList();
      rows.add(row(customer, (long) txns.size(), sum(amounts), mean(amounts)));
    });
    return rows;
  }

  /** customer_txn_features 2: as 1 with the mean over amounts capped at 10000.0, plus amount_max and category_count. */
  public static List<List<Object>> customerTxnV2(List<Record> source) {
    Map<String, List<Record>> byCustomer = byCustomer(source);
    List<List<Object>> rows = new ArrayList<>();
    byCustomer.forEach((customer, txns) -> {
      List<Double> amounts = txns.stream().map(r -> (Double) r.getField("amount")).filter(Objects::nonNull).toList();
      List<Double> capped = amounts.stream().map(a -> Math.min(a, 10_000.0)).toList();
      Double max = amounts.stream().max(Double::compare).orElse(null);
      Set<String> categories = new HashSet<>();
      txns.forEach(r -> {
        if (r.getField("category") != null) {
          categories.add((String) r.getField("category"));
        }
      });
      rows.add(row(customer, (long) txns.size(), sum(amounts), mean(capped), max, (long) categories.size()));
    });
    return rows;
  }

  /** customer_category_spend 1 (the Java example): per customer and normalised category, rows with an amount. */
  public static List<List<Object>> customerCategorySpend(List<Record> source) {
    Map<List<String>, List<Record>> groups = new TreeMap<>(Comparator.comparing((List<String> k) -> String.valueOf(k.get(0)))
        .thenComparing(k -> k.get(1)));
    for (Record r : source) {
      if (r.getField("amount") == null) {
        continue;
      }
      String category = (String) r.getField("category");
      category = category == null || category.isBlank() ? "unknown" : category.trim().toLowerCase(Locale.ROOT);
      groups.computeIfAbsent(List.of(String.valueOf(r.getField("customer_id")), category), k -> new ArrayList<>()).add(r);
    }
    List<List<Object>> rows = new ArrayList<>();
    groups.forEach((key, txns) -> {
      OffsetDateTime last = txns.stream().map(r -> (OffsetDateTime) r.getField("ts")).filter(Objects::nonNull)
          .max(Comparator.naturalOrder()).orElse(null);
      rows.add(row(key.get(0), key.get(1), (long) txns.size(),
          sum(txns.stream().map(r -> (Double) r.getField("amount")).toList()), last));
    });
    return rows;
  }

  /** The feature table's rows, as lists of values in column order, sorted by the first {@code keys} columns. */
  public static List<List<Object>> actual(Table features, int keys) {
    List<List<Object>> rows = new ArrayList<>();
    int columns = features.schema().columns().size();
    for (Record r : TxnSource.read(features, null)) {
      List<Object> row = new ArrayList<>();
      for (int i = 0; i < columns; i++) {
        row.add(r.get(i));
      }
      rows.add(row);
    }
    rows.sort((a, b) -> {
      for (int i = 0; i < keys; i++) {
        int c = String.valueOf(a.get(i)).compareTo(String.valueOf(b.get(i)));
        if (c != 0) {
          return c;
        }
      }
      return 0;
    });
    return rows;
  }

  /** Row for row, column for column; doubles to 1e-9 relative (sums depend on the order of additions). */
  public static void assertSameRows(List<List<Object>> actual, List<List<Object>> expected) {
    assertThat(actual).as("row count").hasSize(expected.size());
    for (int i = 0; i < expected.size(); i++) {
      List<Object> a = actual.get(i);
      List<Object> e = expected.get(i);
      assertThat(a).as("row %d columns", i).hasSize(e.size());
      for (int c = 0; c < e.size(); c++) {
        Object ev = e.get(c);
        Object av = a.get(c);
        if (ev instanceof Double d && av instanceof Double x) {
          assertThat(x).as("row %d (%s) column %d", i, e.get(0), c).isCloseTo(d, within(Math.abs(d) * 1e-9 + 1e-9));
        } else {
          assertThat(av).as("row %d (%s) column %d", i, e.get(0), c).isEqualTo(ev);
        }
      }
    }
  }

  public static List<String> columnNames(Table table) {
    return table.schema().columns().stream().map(Types.NestedField::name).toList();
  }

  private static Map<String, List<Record>> byCustomer(List<Record> source) {
    // nulls sort as "null", as actual() sorts them
    Map<String, List<Record>> byCustomer = new TreeMap<>(Comparator.comparing((String k) -> String.valueOf((Object) k)));
    for (Record r : source) {
      byCustomer.computeIfAbsent((String) r.getField("customer_id"), k -> new ArrayList<>()).add(r);
    }
    return byCustomer;
  }

  private static Double sum(List<Double> values) {
    if (values.isEmpty()) {
      return null;
    }
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum;
  }

  private static Double mean(List<Double> values) {
    Double sum = sum(values);
    return sum == null ? null : sum / values.size();
  }

  private static List<Object> row(Object... values) {
    return new ArrayList<>(java.util.Arrays.asList(values));
  }
}
