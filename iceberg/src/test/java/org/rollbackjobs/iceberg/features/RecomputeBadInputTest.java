package org.rollbackjobs.iceberg.features;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.Fixtures;
import org.rollbackjobs.iceberg.catalog.TableName;

/** Bad requests are refused before anything is written: no feature table created, an existing one unchanged. */
class RecomputeBadInputTest {
  @TempDir static Path warehouse;
  static Catalog catalog;
  static PipelineCatalog pipelines = PipelineCatalog.fromClasspath();
  static long withoutCategory;
  static long withCategory;

  @BeforeAll
  static void source() {
    catalog = Fixtures.catalog("recompute_bad", warehouse);
    // the source gained its category column later: its first snapshot has none
    Schema early = new Schema(TxnSource.SCHEMA.findField("customer_id"), TxnSource.SCHEMA.findField("amount"),
        TxnSource.SCHEMA.findField("ts"));
    Table source = TxnSource.create(catalog, "bad.txn", early);
    withoutCategory = TxnSource.append(source, TxnSource.rows(early, 1, 500, 20), 1);
    source.updateSchema().addColumn("category", Types.StringType.get()).commit();
    source.refresh();
    withCategory = TxnSource.append(source, TxnSource.rows(source.schema(), 2, 500, 20), 1);
  }

  private static RecomputeFeatures recompute(String version, String source, Long snapshot, String target) {
    return RecomputeFeatures.of(catalog).pipeline(pipelines.get("customer_txn_features", version))
        .source(source).sourceSnapshot(snapshot).target(target);
  }

  @Test
  void aColumnTheSnapshotLacksIsNamedWithTheSnapshot() {
    assertThatThrownBy(() -> recompute("2", "bad.txn", withoutCategory, "bad.features").commit())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("pipeline customer_txn_features version 2 needs column 'category' (string)")
        .hasMessageContaining("snapshot " + withoutCategory)
        .hasMessageContaining("Columns of snapshot " + withoutCategory + ": customer_id string, amount double, ts timestamptz");
    assertThat(catalog.tableExists(TableName.parse("bad.features"))).isFalse();
    assertThat(warehouse.resolve("bad").resolve("features")).doesNotExist();

    // version 1 needs no category; version 2 works on the later snapshot
    assertThat(recompute("1", "bad.txn", withoutCategory, "bad.features_v1").plan().rows()).isEqualTo(500);
    assertThat(recompute("2", "bad.txn", withCategory, "bad.features_v2").plan().rows()).isEqualTo(1_000);
  }

  @Test
  void aColumnOfAnotherTypeIsNamedWithBothTypes() {
    Schema textAmounts = new Schema(TxnSource.SCHEMA.findField("customer_id"),
        Types.NestedField.optional(2, "amount", Types.StringType.get()));
    Table source = TxnSource.create(catalog, "bad.text_amounts", textAmounts);
    Record row = org.apache.iceberg.data.GenericRecord.create(textAmounts);
    row.setField("customer_id", "c1");
    row.setField("amount", "12.50");
    long snapshot = TxnSource.append(source, List.of(row), 1);

    assertThatThrownBy(() -> recompute("1", "bad.text_amounts", null, "bad.features_text").plan())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("needs column 'amount' as double, but in snapshot " + snapshot)
        .hasMessageContaining("it is string");
  }

  @Test
  void unknownSnapshotsAndTablesAreRefused() {
    assertThatThrownBy(() -> recompute("1", "bad.txn", 42L, "bad.features").commit())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("snapshot 42 does not exist").hasMessageContaining("available snapshots");
    assertThatThrownBy(() -> recompute("1", "bad.nothing", null, "bad.features").commit())
        .isInstanceOf(BadInputException.class).hasMessageContaining("table 'bad.nothing' does not exist");
    assertThatThrownBy(() -> recompute("1", "bad.txn", null, "bad.txn").commit())
        .isInstanceOf(BadInputException.class).hasMessageContaining("must not be the source table");
    assertThat(catalog.tableExists(TableName.parse("bad.features"))).isFalse();
  }

  @Test
  void anExistingFeatureTableIsLeftUnchangedByABadRequest() {
    recompute("1", "bad.txn", withCategory, "bad.existing").commit();
    String before = Fixtures.metadataLocation(catalog.loadTable(TableName.parse("bad.existing")));

    assertThatThrownBy(() -> recompute("2", "bad.txn", withoutCategory, "bad.existing").commit())
        .isInstanceOf(BadInputException.class);

    assertThat(Fixtures.metadataLocation(catalog.loadTable(TableName.parse("bad.existing")))).isEqualTo(before);
  }

  @Test
  void aPartitionedFeatureTableIsRefused() {
    Table partitioned = catalog.createTable(TableName.parse("bad.partitioned"),
        new Schema(Types.NestedField.optional(1, "customer_id", Types.StringType.get())),
        PartitionSpec.builderFor(new Schema(Types.NestedField.optional(1, "customer_id", Types.StringType.get())))
            .identity("customer_id").build(), Map.of());
    String before = Fixtures.metadataLocation(partitioned);

    assertThatThrownBy(() -> recompute("1", "bad.txn", null, "bad.partitioned").plan())
        .isInstanceOf(BadInputException.class).hasMessageContaining("is partitioned");
    assertThat(Fixtures.metadataLocation(catalog.loadTable(TableName.parse("bad.partitioned")))).isEqualTo(before);
  }

  @Test
  void aJavaPipelineWhoseDeclarationsDisagreeIsRefused() {
    FeaturePipeline keysNotFirst = new org.rollbackjobs.iceberg.features.examples.CustomerCategorySpendPipeline() {
      @Override
      public List<String> keyColumns() {
        return List.of("category", "customer_id");
      }
    };
    FeaturePipeline wrongType = new org.rollbackjobs.iceberg.features.examples.CustomerCategorySpendPipeline() {
      @Override
      public List<org.rollbackjobs.iceberg.features.aggregate.Aggregate<?>> aggregates() {
        return List.of(org.rollbackjobs.iceberg.features.aggregate.Aggregates.count(),
            org.rollbackjobs.iceberg.features.aggregate.Aggregates.count(),
            org.rollbackjobs.iceberg.features.aggregate.Aggregates.max(Types.TimestampType.withZone()));
      }
    };
    assertThatThrownBy(() -> RecomputeFeatures.of(catalog).pipeline(keysNotFirst).source("bad.txn")
        .target("bad.shape").plan())
        .isInstanceOf(BadInputException.class).hasMessageContaining("must be the first output columns");
    assertThatThrownBy(() -> RecomputeFeatures.of(catalog).pipeline(wrongType).source("bad.txn")
        .target("bad.shape").plan())
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("output column amount_sum is double but its aggregate count gives long");
  }
}
