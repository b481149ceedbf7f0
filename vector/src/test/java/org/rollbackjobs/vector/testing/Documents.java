package org.rollbackjobs.vector.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.GenericRecord;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.catalog.TableName;
import org.rollbackjobs.iceberg.data.GenericDataFiles;

/**
 * Document tables for the tests and benchmarks: real Iceberg tables (id long, text string) whose texts are short,
 * varied English sentences generated from a seed, so that real models give them distinct, meaningful vectors.
 */
public final class Documents {
  public static final Schema SCHEMA = new Schema(
      Types.NestedField.required(1, "id", Types.LongType.get()),
      Types.NestedField.optional(2, "text", Types.StringType.get()),
      Types.NestedField.optional(3, "lang", Types.StringType.get()));

  private static final String[] SUBJECTS = {"The river", "A tired engineer", "Our new database", "The old lighthouse",
      "A quiet library", "The mountain village", "A hungry fox", "The orbiting satellite", "Her violin", "The bakery",
      "A broken bicycle", "The city council", "A migrating flock", "The solar panel", "A chess grandmaster",
      "The vaccine trial", "A desert caravan", "The stock market", "A coral reef", "The night train"};
  private static final String[] VERBS = {"slowly floods", "carefully repairs", "quietly indexes", "brightly guides",
      "patiently welcomes", "loudly celebrates", "secretly hunts", "precisely measures", "softly plays", "early bakes",
      "sadly abandons", "narrowly approves", "steadily crosses", "efficiently powers", "boldly sacrifices",
      "cautiously tests", "wearily carries", "sharply drops", "vividly shelters", "punctually connects"};
  private static final String[] OBJECTS = {"the lower meadows", "a leaking pipeline", "millions of vectors",
      "lost fishing boats", "curious students", "the harvest festival", "a sleeping rabbit", "distant galaxies",
      "an old sonata", "sourdough loaves", "its rusty chain", "the new budget", "the warm south", "the family home",
      "a knight and a pawn", "ten thousand volunteers", "salt and spices", "bank shares", "tropical fish",
      "two distant capitals"};
  private static final String[] ENDINGS = {"before dawn.", "after the storm.", "during the long winter.",
      "while everyone watches.", "for the third time this year.", "without any warning.", "under a red sky.",
      "despite the budget cuts.", "with surprising grace.", "as the report predicted."};

  private Documents() {}

  /** The text of document {@code id} for {@code seed}: the same arguments always give the same sentence. */
  public static String text(long id, long seed) {
    SplittableRandom random = new SplittableRandom(seed * 1_000_003L + id);
    return SUBJECTS[random.nextInt(SUBJECTS.length)] + " " + VERBS[random.nextInt(VERBS.length)] + " "
        + OBJECTS[random.nextInt(OBJECTS.length)] + " " + ENDINGS[random.nextInt(ENDINGS.length)]
        + " (note " + id + ")";
  }

  /**
   * Creates {@code name} and appends documents {@code 1..count} in {@code files} Parquet files, one snapshot.
   * Returns the table (refreshed).
   */
  public static Table create(Catalog catalog, String name, int count, int files, long seed) {
    TableIdentifier id = TableName.parse(name);
    if (catalog instanceof SupportsNamespaces namespaces && !namespaces.namespaceExists(id.namespace())) {
      namespaces.createNamespace(id.namespace());
    }
    if (catalog.tableExists(id)) {
      catalog.dropTable(id, true);
    }
    Table table = catalog.createTable(id, SCHEMA, PartitionSpec.unpartitioned(),
        Map.of(TableProperties.FORMAT_VERSION, "2"));
    append(table, 1, count, files, seed);
    return table;
  }

  /** Appends documents {@code first..first+count-1} in {@code files} files as one snapshot. */
  public static void append(Table table, long first, int count, int files, long seed) {
    AppendFiles append = table.newAppend();
    int perFile = Math.max(1, (count + files - 1) / files);
    for (long start = first; start < first + count; start += perFile) {
      List<Record> records = new ArrayList<>();
      for (long i = start; i < Math.min(first + count, start + perFile); i++) {
        GenericRecord record = GenericRecord.create(SCHEMA);
        record.setField("id", i);
        record.setField("text", text(i, seed));
        record.setField("lang", "en");
        records.add(record);
      }
      DataFile file = GenericDataFiles.write(table, records);
      append.appendFile(file);
    }
    append.commit();
    table.refresh();
  }
}
