package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * Reads system files. Every problem becomes a {@link BadInputException} naming the file, the line and the key
 * path ({@code features[1].target}), and what would be valid.
 */
public final class SystemFiles {
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .build();

  private SystemFiles() {}

  public static SystemDefinition read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException("system file " + file + " does not exist");
    } catch (IOException e) {
      throw new BadInputException("cannot read system file " + file + ": " + e.getMessage());
    }
    return parse(file, bytes);
  }

  static SystemDefinition parse(Path file, byte[] bytes) {
    try {
      SystemDefinition system = YAML.readValue(bytes, SystemDefinition.class);
      if (system == null) {
        throw new BadInputException("system file " + file + " is empty; it needs at least 'name' and a component");
      }
      return system.withFile(file.toAbsolutePath().normalize(), sha256(bytes));
    } catch (JsonMappingException e) {
      throw new BadInputException(where(file, e.getLocation(), path(e)) + problem(e));
    } catch (JacksonException e) {
      throw new BadInputException(where(file, e.getLocation(), "") + "not valid YAML: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new BadInputException("cannot read system file " + file + ": " + e.getMessage());
    }
  }

  private static String where(Path file, JsonLocation location, String path) {
    StringBuilder where = new StringBuilder("system file ").append(file);
    if (location != null && location.getLineNr() > 0) {
      where.append(" line ").append(location.getLineNr());
    }
    where.append(": ");
    if (!path.isEmpty()) {
      where.append(path).append(": ");
    }
    return where.toString();
  }

  /** {@code features[1].target}, without the key the message itself starts with. */
  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
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
