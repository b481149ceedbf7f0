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
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.representer.Representer;

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

  private static final Pattern QUOTED_KEY = Pattern.compile("'([a-z-]+)' ");
  private static final Set<Tag> STANDARD_TAGS = Set.of(Tag.MAP, Tag.SEQ, Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL,
      Tag.NULL, Tag.TIMESTAMP);

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
      refuseTags(file, bytes);
      Schedules schedules = YAML.readValue(bytes, Schedules.class);
      if (schedules == null) {
        throw new BadSchedulesException("schedules file " + file + " is empty; it needs 'drills' or 'alerts'");
      }
      return schedules;
    } catch (UnrecognizedPropertyException e) {
      throw new BadSchedulesException(where(file, bytes, e, e.getPropertyName()) + "unknown key '" + e.getPropertyName() + "'; valid here: "
          + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().collect(Collectors.joining(", ")));
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      String problem = cause instanceof IllegalArgumentException ? cause.getMessage()
          : e.getOriginalMessage().replaceAll("\\s*\\n.*", "").replaceAll(" \\(for .*\\)$", "");
      Matcher key = QUOTED_KEY.matcher(problem);
      throw new BadSchedulesException(where(file, bytes, e, key.lookingAt() ? key.group(1) : null) + problem);
    } catch (JacksonException e) {
      int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
      throw new BadSchedulesException(file + (line > 0 ? ":" + line : "") + ": not valid YAML: "
          + e.getOriginalMessage().replaceAll("\\s*\\n.*", ""));
    } catch (IOException e) {
      throw new BadSchedulesException("cannot read schedules file " + file + ": " + e.getMessage());
    }
  }

  /**
   * Explicit tags ({@code !!java.io.File}, {@code !custom}) have no meaning in a schedules file: refused rather than
   * silently read as strings. Composing the node tree also applies the alias and nesting limits.
   */
  private static void refuseTags(Path file, byte[] bytes) {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(limits()), new Representer(new DumperOptions()), new DumperOptions(),
          limits()).compose(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (MarkedYAMLException e) {
      throw new BadSchedulesException(file + ":" + (e.getProblemMark().getLine() + 1) + ": not valid YAML: "
          + e.getProblem());
    } catch (YAMLException e) {
      throw new BadSchedulesException(file + ": not valid YAML: " + e.getMessage());
    }
    Deque<Node> nodes = new ArrayDeque<>();
    if (root != null) {
      nodes.push(root);
    }
    while (!nodes.isEmpty()) {
      Node node = nodes.pop();
      if (!STANDARD_TAGS.contains(node.getTag())) {
        throw new BadSchedulesException(file + ":" + (node.getStartMark().getLine() + 1) + ": the tag "
            + node.getTag().getValue() + " has no meaning in a schedules file; remove it");
      }
      if (node instanceof MappingNode mapping) {
        mapping.getValue().forEach(tuple -> {
          nodes.push(tuple.getKeyNode());
          nodes.push(tuple.getValueNode());
        });
      } else if (node instanceof SequenceNode sequence) {
        sequence.getValue().forEach(nodes::push);
      }
    }
  }

  private static String where(Path file, byte[] bytes, JsonMappingException e, String key) {
    int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
    if (key != null) {
      line = lineOfKey(bytes, key, line);
    }
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

  /**
   * The line of {@code key} nearest before {@code reported}: Jackson reports a problem of an item where the item
   * ends, and of an unknown key after it.
   */
  private static int lineOfKey(byte[] bytes, String key, int reported) {
    Pattern pattern = Pattern.compile("^[\\s-]*(\\{\\s*)?[\"']?" + Pattern.quote(key) + "[\"']?\\s*:|[{,]\\s*"
        + Pattern.quote(key) + "\\s*:");
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    int found = reported;
    for (int i = 0; i < lines.length && (reported <= 0 || i < reported); i++) {
      if (pattern.matcher(lines[i]).find()) {
        found = i + 1;
      }
    }
    return found;
  }
}
