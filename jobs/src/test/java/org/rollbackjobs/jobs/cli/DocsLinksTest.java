package org.rollbackjobs.jobs.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in {@code README.md}, {@code schedules/README.md} and {@code docs/**}{@code /*.md} points at a
 * file or folder that exists, and a {@code #fragment} into a Markdown file names one of its headings (GitHub's
 * anchors). Links to web pages are not checked. No database needed.
 */
class DocsLinksTest {
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
  private static final Pattern FENCE = Pattern.compile("(?ms)^\\s*```.*?^\\s*```");

  @Test
  void relativeLinksResolve() throws IOException {
    Path root = CommandReferenceTest.repositoryRoot();
    List<Path> pages = new ArrayList<>(List.of(root.resolve("README.md"), root.resolve("schedules/README.md")));
    try (Stream<Path> docs = Files.walk(root.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
    }
    List<String> broken = new ArrayList<>();
    for (Path page : pages) {
      String text = FENCE.matcher(Files.readString(page, StandardCharsets.UTF_8)).replaceAll("");
      Matcher m = LINK.matcher(text);
      while (m.find()) {
        String link = m.group(1);
        if (link.matches("^[a-z][a-z0-9+.-]*:.*")) {
          continue; // http:, https:, mailto:
        }
        int hash = link.indexOf('#');
        String file = hash < 0 ? link : link.substring(0, hash);
        String fragment = hash < 0 ? null : link.substring(hash + 1);
        Path target = file.isEmpty() ? page : page.getParent().resolve(file).normalize();
        String where = root.relativize(page) + ": " + link;
        if (!Files.exists(target)) {
          broken.add(where + " (no such file)");
        } else if (fragment != null && target.toString().endsWith(".md")
            && !anchors(target).contains(fragment)) {
          broken.add(where + " (no such heading)");
        }
      }
    }
    assertTrue(broken.isEmpty(), "broken links:\n  " + String.join("\n  ", broken));
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
  static Set<String> anchors(Path markdown) throws IOException {
    String text = FENCE.matcher(Files.readString(markdown, StandardCharsets.UTF_8)).replaceAll("");
    Set<String> anchors = new HashSet<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("#")) {
        String slug = line.replaceFirst("^#+\\s*", "").strip().toLowerCase(Locale.ROOT)
            .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
        String anchor = slug;
        for (int n = 1; !anchors.add(anchor); n++) {
          anchor = slug + "-" + n;
        }
      }
    }
    return anchors;
  }
}
