package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.iceberg.yaml.StrictYaml;

/**
 * Reads system files. Every problem becomes a {@link BadInputException} naming the file, the line and the key
 * path ({@code features[1].target}), and what would be valid.
 */
public final class SystemFiles {
  private static final String WHAT = "system file";
  private static final ObjectMapper YAML = YAMLMapper.builder(StrictYaml.factory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .build();

  private SystemFiles() {}

  public static SystemDefinition read(Path file) {
    return parse(file, StrictYaml.read(WHAT, file));
  }

  static SystemDefinition parse(Path file, byte[] bytes) {
    StrictYaml.check(WHAT, file, bytes); // alias bombs and explicit tags are refused before any binding
    try {
      SystemDefinition system = YAML.readValue(bytes, SystemDefinition.class);
      if (system == null) {
        throw new BadInputException("system file " + file + " is empty; it needs at least 'name' and a component");
      }
      return system.withFile(file.toAbsolutePath().normalize(), sha256(bytes));
    } catch (JsonMappingException e) {
      BadInputException typo = unknownKeyBesideMissing(file, bytes, e);
      if (typo != null) {
        throw typo;
      }
      String problem = problem(e);
      int line = lineOf(bytes, e, problem);
      throw new BadInputException(where(file, line, path(e)) + problem);
    } catch (JacksonException e) {
      throw new BadInputException(where(file, e.getLocation() == null ? 0 : e.getLocation().getLineNr(), "")
          + "not valid YAML: " + e.getOriginalMessage().replaceAll("\\s*\\n.*", ""));
    } catch (IOException e) {
      throw new BadInputException("cannot read system file " + file + ": " + e.getMessage());
    }
  }

  /**
   * A required key reported missing where the same item has a key the item does not know is almost always a typo
   * of it ({@code tabel:}): Jackson reports the missing key first, at the end of the item. Name the unknown key,
   * on its own line, with the valid ones.
   */
  private static BadInputException unknownKeyBesideMissing(Path file, byte[] bytes, JsonMappingException e) {
    List<JsonMappingException.Reference> refs = e.getPath();
    if (refs.isEmpty() || !String.valueOf(e.getOriginalMessage()).startsWith("Missing required creator property")) {
      return null;
    }
    Object from = refs.get(refs.size() - 1).getFrom();
    Class<?> type = from instanceof Class<?> c ? c : from == null ? null : from.getClass();
    if (type == null) {
      return null;
    }
    Set<String> valid = new TreeSet<>();
    YAML.getDeserializationConfig().introspect(YAML.constructType(type)).findProperties().stream()
        .filter(BeanPropertyDefinition::hasConstructorParameter)
        .forEach(p -> valid.add(p.getName()));
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference ref : refs.subList(0, refs.size() - 1)) {
      pointer.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
    }
    JsonNode item;
    try {
      item = YAML.readTree(bytes).at(pointer.toString());
    } catch (IOException unreadable) {
      return null;
    }
    if (valid.isEmpty() || !item.isObject()) {
      return null;
    }
    for (Iterator<String> names = item.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!valid.contains(name)) {
        String path = path(refs.subList(0, refs.size() - 1));
        Integer line = keyLines(bytes).get(pointer + "/" + name);
        return new BadInputException(where(file, line == null ? 0 : line, path.isEmpty() ? name : path + "." + name)
            + "unknown key (valid keys here: " + String.join(", ", valid) + ")");
      }
    }
    return null;
  }

  private static String where(Path file, int line, String path) {
    StringBuilder where = new StringBuilder("system file ").append(file);
    if (line > 0) {
      where.append(" line ").append(line);
    }
    where.append(": ");
    if (!path.isEmpty()) {
      where.append(path).append(": ");
    }
    return where.toString();
  }

  /**
   * The line of the offending key: Jackson reports where the parser stood (often the end of the item), so the
   * line is looked up by the error's path, refined by the key the message starts with ({@code table: ...}).
   */
  private static int lineOf(byte[] bytes, JsonMappingException e, String problem) {
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      pointer.append('/').append(ref.getFieldName() != null ? ref.getFieldName() : String.valueOf(ref.getIndex()));
    }
    Map<String, Integer> lines = keyLines(bytes);
    java.util.regex.Matcher key = java.util.regex.Pattern.compile("^([a-z-]+)(\\[(\\d+)\\])?: ").matcher(problem);
    if (key.find()) {
      String refined = pointer + "/" + key.group(1) + (key.group(3) == null ? "" : "/" + key.group(3));
      if (lines.containsKey(refined)) {
        return lines.get(refined);
      }
    }
    Integer line = lines.get(pointer.toString());
    return line != null ? line : e.getLocation() == null ? 0 : e.getLocation().getLineNr();
  }

  /** JSON pointer of every key and item of the file -> the line where it starts. */
  private static Map<String, Integer> keyLines(byte[] bytes) {
    Map<String, Integer> lines = new HashMap<>();
    try (JsonParser parser = YAML.getFactory().createParser(bytes)) {
      while (parser.nextToken() != null) {
        lines.putIfAbsent(parser.getParsingContext().pathAsPointer().toString(),
            parser.currentTokenLocation().getLineNr());
      }
    } catch (IOException e) {
      // the binder has reported what is wrong with the file; lines found so far are still right
    }
    return lines;
  }

  /** {@code features[1].target}, without the key the message itself starts with. */
  private static String path(JsonMappingException e) {
    return path(e.getPath());
  }

  private static String path(List<JsonMappingException.Reference> refs) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : refs) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String problem(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      String valid = unknown.getKnownPropertyIds().stream().map(Object::toString)
          .collect(Collectors.toCollection(TreeSet::new)).toString();
      return "unknown key (valid keys here: " + valid.substring(1, valid.length() - 1) + ")";
    }
    if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException invalid) {
      return invalid.getMessage();
    }
    String message = e.getOriginalMessage();
    java.util.regex.Matcher missing = java.util.regex.Pattern.compile("Missing required creator property '([^']+)'")
        .matcher(message);
    if (missing.find()) {
      return "missing key '" + missing.group(1) + "'";
    }
    if (message.startsWith("Cannot deserialize value of type")) {
      return "wrong kind of value: " + message.replaceFirst("^Cannot deserialize value of type `([^`]*)`.*", "expected $1")
          .replace("java.util.List<java.lang.String>", "a list of names").replace("java.lang.String", "a string")
          .replace("java.net.URI", "a URL");
    }
    return message.replaceAll("\\s*\\n.*", "");
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
