package org.rollbackjobs.iceberg.features.yaml;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.yaml.StrictYaml;
import org.rollbackjobs.iceberg.features.FeaturePipeline;
import org.rollbackjobs.iceberg.features.PipelineHash;
import org.rollbackjobs.iceberg.features.aggregate.Aggregate;
import org.rollbackjobs.iceberg.features.aggregate.Aggregates;

/**
 * Loads declarative pipeline definitions written in YAML:
 *
 * <pre>
 * name: customer_txn_features
 * version: "2"
 * description: per-customer transaction features
 * inputs:                      # source columns read, with their types (Iceberg type names)
 *   customer_id: string
 *   amount: double
 *   category: string
 * filter: "amount != null"     # optional: rows to keep (JEXL, true/false)
 * columns:                     # row-wise columns: a bare name or a JEXL expression (then give the type)
 *   capped: {expr: "math:min(amount, 10000.0)", type: double}
 * group-by: [customer_id]      # per-key pipeline: one output row per key (inputs or columns)
 * window: {column: ts, size: P1D, as: window_start}   # optional tumbling window: adds its start as a key
 * time-column: ts              # the time of a row, for trailing windows ('within')
 * aggregates:                  # one output column each: {FUNCTION: expression} (count: "*" counts rows)
 *   txn_count: {count: "*"}
 *   amount_mean: {mean: "amount > 10000.0 ? 10000.0 : amount"}
 *   amount_sum_30d: {sum: amount, within: P30D}   # rows of the 30 days up to the source snapshot's time
 * </pre>
 *
 * Without {@code group-by}, {@code window} and {@code aggregates} the pipeline is row-wise and its output is
 * {@code columns}. Functions: count, sum, mean, min, max, distinct-count. Expressions are JEXL (see
 * {@link Expressions}); arithmetic with a null gives null and aggregates ignore nulls, as in SQL.
 */
public final class YamlPipelines {
  private static final YAMLMapper YAML = new YAMLMapper(StrictYaml.factory());
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .build();
  private static final Set<String> TOP_LEVEL = Set.of("name", "version", "description", "inputs", "filter",
      "columns", "group-by", "window", "time-column", "aggregates");
  private static final Set<String> AGGREGATE_OPTIONS = Set.of("type", "within");
  private static final Set<String> FUNCTIONS = Set.of("count", "sum", "mean", "avg", "min", "max",
      "distinct-count", "count-distinct");

  private YamlPipelines() {}

  public static FeaturePipeline load(Path file) {
    byte[] bytes = StrictYaml.read("pipeline file", file);
    StrictYaml.check("pipeline file", file, bytes); // alias bombs and explicit tags, before anything is built
    return parse(new String(bytes, StandardCharsets.UTF_8), "file " + file.toAbsolutePath());
  }

  public static FeaturePipeline load(URL resource) {
    try (InputStream in = resource.openStream()) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "resource " + resource);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read pipeline resource " + resource, e);
    }
  }

  /** Every {@code *.yaml} and {@code *.yml} file directly in {@code directory}, in name order. */
  public static List<FeaturePipeline> loadDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new BadInputException("pipeline folder " + directory.toAbsolutePath() + " does not exist or is not a folder");
    }
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> {
        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(f) && (name.endsWith(".yaml") || name.endsWith(".yml"));
      }).sorted().map(YamlPipelines::load).toList();
    } catch (IOException e) {
      throw new BadInputException("cannot list pipeline folder " + directory + ": " + e.getMessage(), e);
    }
  }

  /** Parses and compiles one definition; {@code origin} names where it came from, for messages. */
  public static FeaturePipeline parse(String yaml, String origin) {
    JsonNode root;
    try {
      root = YAML.readTree(yaml);
    } catch (JsonProcessingException e) {
      throw new BadInputException("pipeline " + origin + " is not valid YAML: " + e.getOriginalMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new BadInputException("pipeline " + origin + " must be a YAML mapping with name, version, inputs, ...");
    }
    return new Compiler(root, origin).compile();
  }

  /** SHA-256 of the canonical JSON of a definition's tree. */
  static String hash(JsonNode root) {
    try {
      // "version: 2" and "version: \"2\"" are the same version
      com.fasterxml.jackson.databind.node.ObjectNode normalised = ((com.fasterxml.jackson.databind.node.ObjectNode) root).deepCopy();
      normalised.put("version", root.path("version").asText());
      Object plain = CANONICAL.treeToValue(normalised, Object.class);
      return PipelineHash.sha256(CANONICAL.writeValueAsString(plain));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot hash a pipeline definition", e);
    }
  }

  private static final class Compiler {
    private final JsonNode root;
    private final String origin;
    private final Map<String, Integer> positions = new LinkedHashMap<>();
    private final Map<String, Type> types = new HashMap<>();
    private final Set<String> inputNames = new java.util.HashSet<>();
    private int slots;
    private String where;

    Compiler(JsonNode root, String origin) {
      this.root = root;
      this.origin = origin;
    }

    FeaturePipeline compile() {
      where = "pipeline " + origin;
      for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (!TOP_LEVEL.contains(key)) {
          throw bad(where, "unknown key '" + key + "'; known: " + String.join(", ", new TreeSet<>(TOP_LEVEL)));
        }
      }
      String name = requiredText("name");
      String version = requiredText("version");
      where = "pipeline " + name + " version " + version + " (" + origin + ")";
      if (!name.matches("[A-Za-z0-9_.-]+")) {
        throw bad(where, "name '" + name + "' may only hold letters, digits, '_', '.' and '-'");
      }
      String description = root.path("description").asText("");

      List<Types.NestedField> inputs = inputs();
      Expression filter = root.hasNonNull("filter")
          ? Expression.parse(root.get("filter").asText(), positions, where + ", filter") : null;
      List<YamlPipeline.Derived> derived = columns();

      boolean keyed = root.has("group-by") || root.has("window") || root.has("aggregates");
      List<Types.NestedField> output = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      List<Integer> sources = new ArrayList<>();
      YamlPipeline.Window window = null;
      List<Aggregate<?>> aggregates = new ArrayList<>();
      List<YamlPipeline.AggregateInput> aggregateInputs = new ArrayList<>();
      if (keyed) {
        for (JsonNode key : arrayOf("group-by")) {
          String column = key.asText();
          requireKnown(column, "group-by");
          addOutput(output, column, types.get(column));
          keys.add(column);
          sources.add(positions.get(column));
        }
        if (root.has("window")) {
          JsonNode node = root.get("window");
          String column = textIn(node, "column", "window");
          requireTime(column, "window.column");
          Duration size = duration(textIn(node, "size", "window"), "window.size");
          String as = node.path("as").asText("window_start");
          window = new YamlPipeline.Window(positions.get(column), size.toNanos() / 1_000);
          addOutput(output, as, types.get(column));
          keys.add(as);
          sources.add(YamlPipeline.WINDOW_KEY);
        }
        if (keys.isEmpty()) {
          throw bad(where, "aggregates need keys: add group-by (and/or a window)");
        }
        String timeColumn = root.hasNonNull("time-column") ? root.get("time-column").asText()
            : root.has("window") ? root.get("window").path("column").asText() : null;
        if (root.hasNonNull("time-column")) {
          requireTime(timeColumn, "time-column");
        }
        JsonNode aggregateNodes = root.path("aggregates");
        if (!aggregateNodes.isMissingNode() && !aggregateNodes.isObject()) {
          throw bad(where, "aggregates must be a mapping of output column to {FUNCTION: expression}");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = aggregateNodes.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> entry = it.next();
          compileAggregate(entry.getKey(), entry.getValue(), timeColumn, output, aggregates, aggregateInputs);
        }
      } else {
        if (derived.isEmpty()) {
          throw bad(where, "nothing to output: give columns (row-wise) or group-by and aggregates (per key)");
        }
        for (YamlPipeline.Derived column : derived) {
          addOutput(output, column.name(), column.type());
          sources.add(column.position());
        }
      }
      return new YamlPipeline(name, version, description, origin, hash(root), inputs, new Schema(output), keys,
          aggregates, slots, filter, derived, sources.stream().mapToInt(Integer::intValue).toArray(), window,
          aggregateInputs);
    }

    private List<Types.NestedField> inputs() {
      JsonNode node = root.path("inputs");
      if (!node.isObject() || node.isEmpty()) {
        throw bad(where, "inputs must map each source column read to its type, for example {customer_id: string, amount: double}");
      }
      List<Types.NestedField> inputs = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        Type type = type(entry.getValue().asText(), "inputs." + entry.getKey());
        inputs.add(Types.NestedField.optional(inputs.size() + 1, entry.getKey(), type));
        declare(entry.getKey(), type, "inputs");
      }
      return inputs;
    }

    private List<YamlPipeline.Derived> columns() {
      JsonNode node = root.path("columns");
      if (node.isMissingNode() || node.isNull()) {
        return List.of();
      }
      if (!node.isObject()) {
        throw bad(where, "columns must map each column name to an expression or to {expr: ..., type: ...}");
      }
      List<YamlPipeline.Derived> derived = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String name = entry.getKey();
        String at = where + ", columns." + name;
        JsonNode spec = entry.getValue();
        String source = spec.isObject() ? textIn(spec, "expr", "columns." + name) : spec.asText();
        Expression expression = Expression.parse(source, positions, at);
        Type type;
        if (spec.isObject() && spec.hasNonNull("type")) {
          type = type(spec.get("type").asText(), "columns." + name + ".type");
        } else if (expression.directPosition() >= 0) {
          type = types.get(expression.source());
        } else {
          throw bad(at, "give the column's type ({expr: \"...\", type: double}): the expression is not a bare column");
        }
        int position = slots;
        declare(name, type, "columns");
        derived.add(new YamlPipeline.Derived(name, type, expression, position, at));
      }
      return derived;
    }

    private void compileAggregate(String name, JsonNode spec, String timeColumn, List<Types.NestedField> output,
        List<Aggregate<?>> aggregates, List<YamlPipeline.AggregateInput> inputs) {
      String at = where + ", aggregates." + name;
      if (!spec.isObject()) {
        throw bad(at, "expected {FUNCTION: expression}, for example {sum: amount}; functions: " + Aggregates.NAMES);
      }
      String function = null;
      for (Iterator<String> it = spec.fieldNames(); it.hasNext(); ) {
        String key = it.next();
        if (FUNCTIONS.contains(key.toLowerCase(Locale.ROOT))) {
          if (function != null) {
            throw bad(at, "one function per aggregate, found " + function + " and " + key);
          }
          function = key.toLowerCase(Locale.ROOT);
        } else if (!AGGREGATE_OPTIONS.contains(key)) {
          throw bad(at, "unknown key '" + key + "'; expected one of " + Aggregates.NAMES + " and optionally type, within");
        }
      }
      if (function == null) {
        throw bad(at, "no function; expected one of " + Aggregates.NAMES);
      }
      String source = spec.get(function).asText();
      Expression value = null;
      Type inputType = Types.LongType.get();
      if ("*".equals(source.trim())) {
        if (!function.equals("count")) {
          throw bad(at, "'*' is only for count");
        }
      } else {
        value = Expression.parse(source, positions, at);
        if (spec.hasNonNull("type")) {
          inputType = type(spec.get("type").asText(), "aggregates." + name + ".type");
        } else if (value.directPosition() >= 0) {
          inputType = types.get(value.source());
        } else if (function.equals("sum") || function.equals("mean") || function.equals("avg")) {
          inputType = Types.DoubleType.get();
        } else if (!function.equals("count")) {
          throw bad(at, "give the type of the expression's values (type: ...): it is not a bare column");
        }
      }
      Duration within = null;
      int timePosition = -1;
      if (spec.hasNonNull("within")) {
        if (timeColumn == null) {
          throw bad(at, "'within' needs a time-column (or a window) to say when each row happened");
        }
        within = duration(spec.get("within").asText(), "aggregates." + name + ".within");
        timePosition = positions.get(timeColumn);
      }
      Aggregate<?> aggregate;
      try {
        aggregate = Aggregates.byName(function, inputType);
      } catch (BadInputException e) {
        throw bad(at, e.getMessage());
      }
      addOutput(output, name, aggregate.resultType());
      aggregates.add(aggregate);
      inputs.add(new YamlPipeline.AggregateInput(function, value, inputType, within, timePosition, at));
    }

    private void addOutput(List<Types.NestedField> output, String name, Type type) {
      if (output.stream().anyMatch(f -> f.name().equals(name))) {
        throw bad(where, "output column '" + name + "' is defined twice");
      }
      output.add(Types.NestedField.optional(output.size() + 1, name, type));
    }

    /** A column may take an input's name (the output column then replaces the input for later expressions). */
    private void declare(String name, Type type, String section) {
      boolean input = section.equals("inputs");
      if (positions.containsKey(name) && (input || !inputNames.remove(name))) {
        throw bad(where + ", " + section, "name '" + name + "' is already " + (input ? "an input" : "a column"));
      }
      if (input) {
        inputNames.add(name);
      }
      positions.put(name, slots++);
      types.put(name, type);
    }

    private void requireKnown(String name, String section) {
      if (!positions.containsKey(name)) {
        throw bad(where + ", " + section, "'" + name + "' is not an input or a column; known: "
            + String.join(", ", positions.keySet()));
      }
    }

    private void requireTime(String name, String section) {
      requireKnown(name, section);
      if (types.get(name).typeId() != Type.TypeID.TIMESTAMP) {
        throw bad(where + ", " + section, "'" + name + "' is a " + types.get(name) + ", not a timestamp or timestamptz");
      }
    }

    private Iterable<JsonNode> arrayOf(String key) {
      JsonNode node = root.path(key);
      if (node.isMissingNode() || node.isNull()) {
        return List.of();
      }
      if (node.isTextual()) {
        return List.of(node);
      }
      if (!node.isArray()) {
        throw bad(where, key + " must be a list of column names");
      }
      return node;
    }

    private String requiredText(String key) {
      JsonNode node = root.get(key);
      if (node == null || node.isNull() || !node.isValueNode() || node.asText().isBlank()) {
        throw bad(where, "'" + key + "' is required");
      }
      return node.asText().trim();
    }

    private String textIn(JsonNode node, String key, String section) {
      JsonNode value = node.get(key);
      if (value == null || value.isNull() || value.asText().isBlank()) {
        throw bad(where + ", " + section, "'" + key + "' is required");
      }
      return value.asText();
    }

    private Type type(String name, String at) {
      try {
        return Types.fromPrimitiveString(name.trim());
      } catch (IllegalArgumentException e) {
        throw bad(where + ", " + at, "unknown type '" + name + "'; use an Iceberg type name: string, long, int,"
            + " double, float, boolean, date, timestamp, timestamptz, decimal(P,S), uuid, binary");
      }
    }

    private Duration duration(String text, String at) {
      try {
        Duration duration = Duration.parse(text.trim());
        if (duration.isNegative() || duration.isZero() || duration.toNanos() % 1_000 != 0) {
          throw bad(where + ", " + at, "duration '" + text + "' must be positive and a whole number of microseconds");
        }
        return duration;
      } catch (DateTimeParseException e) {
        throw bad(where + ", " + at, "'" + text + "' is not an ISO-8601 duration such as P1D, PT1H or P30D");
      }
    }

    private static BadInputException bad(String at, String message) {
      return new BadInputException(at + ": " + message);
    }
  }
}
