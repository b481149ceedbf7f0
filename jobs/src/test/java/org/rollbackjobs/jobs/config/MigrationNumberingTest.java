package org.rollbackjobs.jobs.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.config.YamlPropertiesFactoryBean;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

/**
 * The Flyway migrations of every location the application runs (jobs' {@code db/migration/rollback}, vector's
 * {@code db/migration/vector}) share one global sequence of versions: {@code V<n>__<what>.sql}, each {@code n} used
 * once across all locations, 1 to the highest without a gap (see the README.md beside the migrations). Released
 * migrations are never renumbered, so this is checked before a second V7 reaches a database.
 */
class MigrationNumberingTest {
  static final Pattern NAME = Pattern.compile("V([1-9][0-9]*)__[a-z0-9]+(_[a-z0-9]+)*\\.sql");

  @Test
  void migrationsOfAllLocationsFormOneSequenceOfUniqueVersions() throws IOException {
    List<String> locations = locations();
    assertThat(locations).containsExactlyInAnyOrder("classpath:db/migration/rollback", "classpath:db/migration/vector");

    Map<Long, List<String>> byVersion = new TreeMap<>();
    List<String> badNames = new ArrayList<>();
    PathMatchingResourcePatternResolver resolver = new PathMatchingResourcePatternResolver();
    for (String location : locations) {
      String folder = location.substring("classpath:".length());
      Resource[] files = resolver.getResources("classpath*:" + folder + "/*.sql");
      assertThat(files).as("migrations in " + location).isNotEmpty();
      for (Resource file : files) {
        String name = file.getFilename();
        Matcher m = NAME.matcher(name);
        if (!m.matches()) {
          badNames.add(folder + "/" + name);
          continue;
        }
        byVersion.computeIfAbsent(Long.parseLong(m.group(1)), v -> new ArrayList<>()).add(folder + "/" + name);
      }
    }

    assertThat(badNames).as("migration names not of the form V<n>__<what_it_does>.sql").isEmpty();
    assertThat(byVersion.entrySet().stream().filter(e -> e.getValue().size() > 1)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)))
        .as("versions used by more than one migration").isEmpty();
    long highest = byVersion.isEmpty() ? 0 : ((TreeMap<Long, List<String>>) byVersion).lastKey();
    assertThat(byVersion.keySet()).as("one sequence from 1 without gaps (the next one is %d)", highest + 1)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, highest).boxed().toList());
    // the numbers installed databases already have: never renumbered
    assertThat(byVersion.get(3L)).containsExactly("db/migration/vector/V3__embedding_registry_and_index_builds.sql");
  }

  @Test
  void theNamingRuleAcceptsTheSchemeAndRejectsTheRest() {
    assertThat("V7__retrain_outcomes.sql").matches(NAME);
    assertThat("V12__x.sql").matches(NAME);
    assertThat(List.of("V07__leading_zero.sql", "V7_one_underscore.sql", "V7.1__dotted.sql", "V7__Upper.sql",
        "R__repeatable.sql", "v7__lower_v.sql", "V0__zero.sql")).noneMatch(n -> NAME.matcher(n).matches());
  }

  /** {@code spring.flyway.locations} of the application's own configuration. */
  private static List<String> locations() {
    YamlPropertiesFactoryBean yaml = new YamlPropertiesFactoryBean();
    yaml.setResources(new ClassPathResource("application.yml"));
    Properties properties = yaml.getObject();
    return List.of(properties.getProperty("spring.flyway.locations").split("\\s*,\\s*"));
  }
}
