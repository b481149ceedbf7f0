package org.rollbackjobs.iceberg.yaml;

import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import org.rollbackjobs.iceberg.BadInputException;
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
 * YAML files a person writes (system files, pipeline definitions), read with limits: at most 1 MiB, few aliases
 * (no "billion laughs"), shallow nesting, no duplicate keys, and no explicit tags ({@code !!java.io.File},
 * {@code !custom}), which mean nothing in these files and are refused rather than silently read as strings. The
 * scheduler's {@code SchedulesFile} applies the same rules (it does not depend on this module).
 */
public final class StrictYaml {
  public static final int MAX_BYTES = 1 << 20;
  private static final Set<Tag> STANDARD_TAGS = Set.of(Tag.MAP, Tag.SEQ, Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL,
      Tag.NULL, Tag.TIMESTAMP);

  private StrictYaml() {}

  public static LoaderOptions limits() {
    LoaderOptions options = new LoaderOptions();
    options.setMaxAliasesForCollections(20);
    options.setAllowDuplicateKeys(false);
    options.setNestingDepthLimit(20);
    options.setCodePointLimit(MAX_BYTES);
    return options;
  }

  /** A Jackson YAML factory with {@link #limits()}. */
  public static YAMLFactory factory() {
    return YAMLFactory.builder().loaderOptions(limits()).build();
  }

  /** The file's bytes; a missing, unreadable or too large file is a {@link BadInputException} naming {@code what}. */
  public static byte[] read(String what, Path file) {
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new BadInputException(what + " " + file + " is larger than 1 MiB; refused unread");
      }
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new BadInputException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new BadInputException("cannot read " + what + " " + file + ": " + e.getMessage());
    }
  }

  /**
   * Composes the node tree with {@link #limits()} (so an alias bomb stops here, quickly) and refuses any
   * explicit tag: {@code what file line N: ...}.
   */
  public static void check(String what, Path file, byte[] bytes) {
    Node root;
    try {
      root = new Yaml(new SafeConstructor(limits()), new Representer(new DumperOptions()), new DumperOptions(),
          limits()).compose(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (MarkedYAMLException e) {
      int line = e.getProblemMark() == null ? 0 : e.getProblemMark().getLine() + 1;
      throw new BadInputException(what + " " + file + (line > 0 ? " line " + line : "") + ": not valid YAML: "
          + e.getProblem());
    } catch (YAMLException e) {
      throw new BadInputException(what + " " + file + ": not valid YAML: " + e.getMessage());
    }
    Deque<Node> nodes = new ArrayDeque<>();
    if (root != null) {
      nodes.push(root);
    }
    while (!nodes.isEmpty()) {
      Node node = nodes.pop();
      if (!STANDARD_TAGS.contains(node.getTag())) {
        throw new BadInputException(what + " " + file + " line " + (node.getStartMark().getLine() + 1) + ": the tag "
            + BadInputException.shown(node.getTag().getValue()) + " has no meaning in a " + what + "; remove it");
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
}
