package org.rollbackjobs.schedules.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rollbackjobs.schedules.SchedulerProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;

/** The job JAR the scheduler runs, and the configuration it hands on to it. */
@Configuration(proxyBeanMethods = false)
public class JobCommandConfiguration {
  /** Properties the jobs need as the scheduler has them: the same database, catalog, systems, notifications. */
  private static final List<String> HANDED_ON = List.of("spring.datasource.", "rollback.");

  @Bean
  JobCommand jobCommand(SchedulerProperties properties, ConfigurableEnvironment environment) {
    return new JobCommand(launcher(properties.jobCommand()), Map.of("SPRING_APPLICATION_JSON",
        handedOn(environment)));
  }

  static List<String> launcher(List<String> configured) {
    if (!configured.isEmpty()) {
      return configured;
    }
    Path here = Path.of("").toAbsolutePath();
    for (Path candidate : List.of(here.resolve("jobs/bin/rollback-jobs"), here.resolve("../jobs/bin/rollback-jobs"),
        besideThisJar().resolve("../../jobs/bin/rollback-jobs"))) {
      if (Files.isExecutable(candidate)) {
        return List.of(candidate.normalize().toString());
      }
    }
    throw new IllegalStateException("cannot find the job suite's launcher jobs/bin/rollback-jobs from " + here
        + "; set rollback.scheduler.job-command, for example java,-jar,/opt/rollback/rollback-jobs.jar");
  }

  private static Path besideThisJar() {
    try {
      return Path.of(JobCommandConfiguration.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .getParent();
    } catch (Exception e) {
      return Path.of("");
    }
  }

  /** As SPRING_APPLICATION_JSON: what the scheduler was given of {@link #HANDED_ON}, its own settings left out. */
  static String handedOn(ConfigurableEnvironment environment) {
    Map<String, String> properties = new TreeMap<>();
    environment.getPropertySources().forEach(source -> {
      if (source instanceof EnumerablePropertySource<?> enumerable) {
        for (String name : enumerable.getPropertyNames()) {
          if (HANDED_ON.stream().anyMatch(name::startsWith) && !name.startsWith("rollback.scheduler.")
              && !properties.containsKey(name)) {
            String value = environment.getProperty(name);
            if (value != null) {
              properties.put(name, value);
            }
          }
        }
      }
    });
    try {
      return new ObjectMapper().writeValueAsString(properties);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
