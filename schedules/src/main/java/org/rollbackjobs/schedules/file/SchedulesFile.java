package org.rollbackjobs.schedules.file;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads a schedules file. Every problem is a {@link BadSchedulesException} naming the file, the line and the key
 * path ({@code drills[1].cron}), and what would be valid. Aliases are limited (no "billion laughs"), unknown keys
 * and duplicate keys are refused.
 */
public final class SchedulesFile {
  /** Larger files are refused unread: a schedules file is a few dozen lines. */
  static final long MAX_BYTES = 1 << 20;

  private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
          .loaderOptions(limits()).build())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
      .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
      .build();

  private SchedulesFile() {}

  private static LoaderOptions limits() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setAllowDuplicateKeys(false);
    options.setNestingDepthLimit(20);
    options.setCodePointLimit((int) MAX_BYTES);
    return options;
  }

  public static Schedules read(Path file) {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new BadSchedulesException("schedules file " + file + " is larger than 1 MiB; a schedules file is a"
            + " list of drills and alert rules");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadSchedulesException("schedules file " + file + " does not exist");
    } catch (IOException e) {
      throw new BadSchedulesException("cannot read schedules file " + file + ": " + e.getMessage());
    }
    return parse(file, bytes);
  }

  static Schedules parse(Path file, byte[] bytes) {
    try {
      Schedules schedules = YAML.readValue(bytes, Schedules.class);
      if (schedules == null) {
        throw new BadSchedulesException("schedules file " + file + " is empty; it needs 'drills' or 'alerts'");
      }
      return schedules;
    } catch (UnrecognizedPropertyException e) {
      throw new BadSchedulesException(where(file, e) + "unknown key '" + e.getPropertyName() + "'; valid here: "
          + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      String problem = cause instanceof IllegalArgumentException ? cause.getMessage()
          : e.getOriginalMessage().replaceAll("\\s*\\n.*", "").replaceAll(" \\(for .*\\)$", "");
      throw new BadSchedulesException(where(file, e) + problem);
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new BadSchedulesException(file + (line > 0 ? ":" + line : "") + ": not valid YAML: "
          + e.getOriginalMessage().replaceAll("\\s*\\n.*", ""));
    } catch (IOException e) {
      throw new BadSchedulesException("cannot read schedules file " + file + ": " + e.getMessage());
    }
  }

  private static String where(Path file, JsonMappingException e) {
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return file + (line > 0 ? ":" + line : "") + (path.length() > 0 ? " (" + path + ")" : "") + ": ";
  }
}
