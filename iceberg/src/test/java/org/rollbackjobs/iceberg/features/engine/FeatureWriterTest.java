package org.rollbackjobs.iceberg.features.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.LocationProviders;
import org.apache.iceberg.Metrics;
import org.apache.iceberg.MetricsConfig;
import org.apache.iceberg.Schema;
import org.apache.iceberg.hadoop.HadoopFileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.parquet.ParquetUtil;
import org.apache.iceberg.types.Types;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Feature files: no dictionary for unique keys and double aggregates (written as plain values, not encoded
 * twice), unless the table asks for one; the commit's footer metrics equal Iceberg's own.
 */
class FeatureWriterTest {
  private static final Schema SCHEMA = new Schema(
      Types.NestedField.optional(1, "customer_id", Types.StringType.get()),
      Types.NestedField.optional(2, "txn_count", Types.LongType.get()),
      Types.NestedField.optional(3, "amount_sum", Types.DoubleType.get()));

  @TempDir
  Path table;

  private String write(Map<String, String> properties) {
    HadoopFileIO io = new HadoopFileIO(new Configuration());
    List<String> announced = new ArrayList<>();
    try (FeatureWriter writer = new FeatureWriter(io, LocationProviders.locationsFor(table.toString(), properties),
        SCHEMA, properties, "test", announced::add)) {
      for (int i = 0; i < 20_000; i++) {
        writer.write(new Object[] {"customer-" + i, (long) (i % 7), i * 1.37 + 0.001 * (i % 13)});
      }
      List<String> files = writer.finish();
      assertThat(files).hasSize(1).isEqualTo(announced);
      return files.get(0);
    }
  }

  private static List<Encoding> dictionaryEncodings(String file) throws Exception {
    List<Encoding> found = new ArrayList<>();
    try (ParquetFileReader reader = ParquetFileReader.open(HadoopInputFile.fromPath(
        new org.apache.hadoop.fs.Path(file), new Configuration()))) {
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        for (ColumnChunkMetaData column : block.getColumns()) {
          column.getEncodings().stream().filter(Encoding::usesDictionary).forEach(found::add);
        }
      }
    }
    return found;
  }

  @Test
  void noDictionaryForStringKeysAndDoubles() throws Exception {
    assertThat(FeatureWriter.dictionaryPays(SCHEMA)).isFalse();
    assertThat(FeatureWriter.dictionaryPays(SCHEMA.select("txn_count"))).isTrue();
    String file = write(Map.of());
    assertThat(dictionaryEncodings(file)).isEmpty();

    String withDictionary = write(Map.of(FeatureWriter.DICTIONARY, "true"));
    assertThat(dictionaryEncodings(withDictionary)).isNotEmpty();
  }

  @Test
  void footerMetricsAsIcebergReadsThem() {
    String file = write(Map.of());
    InputFile input = new HadoopFileIO(new Configuration()).newInputFile(file);
    Metrics expected = ParquetUtil.fileMetrics(input, MetricsConfig.getDefault());
    Metrics actual = FeatureCommit.footerMetrics(input, MetricsConfig.getDefault());
    assertThat(actual.recordCount()).isEqualTo(20_000L).isEqualTo(expected.recordCount());
    assertThat(actual.columnSizes()).isEqualTo(expected.columnSizes());
    assertThat(actual.valueCounts()).isEqualTo(expected.valueCounts());
    assertThat(actual.nullValueCounts()).isEqualTo(expected.nullValueCounts());
    assertThat(actual.nanValueCounts()).isEqualTo(expected.nanValueCounts());
    assertThat(actual.lowerBounds()).isEqualTo(expected.lowerBounds());
    assertThat(actual.upperBounds()).isEqualTo(expected.upperBounds());
  }
}
