package org.rollbackjobs.schedules.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rollbackjobs.schedules.SchedulerCommandLines;

/**
 * The repository's docker-compose.yml: PostgreSQL, the scheduler and the job image. No Docker engine here: the file
 * is checked by Compose's own validation ({@code docker-compose config}, Debian's docker-compose, which needs no
 * engine), its services for what `docker compose up` needs, and the commands of the scheduler and job containers
 * are run: the scheduler's through its command-line check with the file it mounts, the job container's against
 * the job JAR and the test database.
 */
class DockerComposeTest {
  private static final Path COMPOSE = JobSuite.REPO.resolve("docker-compose.yml");
  private static final Pattern DEFAULTED = Pattern.compile("\\$\\{([A-Z_]+):-([^}]*)}");

  @TempDir Path dir;

  record Result(int exitCode, String output) {}

  static Result composeConfig(Path file) throws Exception {
    Process process;
    try {
      process = new ProcessBuilder("docker-compose", "-f", file.toString(), "config", "-q")
          .directory(file.getParent().toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("docker-compose is needed (Debian: apt-get install docker-compose; .ci/run installs"
          + " it)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Result(process.exitValue(), output);
  }

  @Test
  void composeValidatesTheFile() throws Exception {
    Result result = composeConfig(COMPOSE);
    assertThat(result.exitCode()).as(result.output()).isZero();

    Path broken = dir.resolve("docker-compose.yml");
    String text = Files.readString(COMPOSE);
    Files.writeString(broken, text.replace("    depends_on:\n      postgres:\n        condition:"
        + " service_healthy\n    healthcheck:", "    depends_on:\n      postgres:\n        condition: service_healthy\n"
        + "    helthcheck:"));
    assertThat(Files.readString(broken)).isNotEqualTo(text);
    Result refused = composeConfig(broken);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("helthcheck");
  }

  @Test
  void upStartsPostgresAndTheSchedulerOnTheJobImage() throws Exception {
    JsonNode services = services();
    assertThat(services.fieldNames()).toIterable().containsExactlyInAnyOrder("postgres", "scheduler", "jobs");
    String version = JobSuite.projectVersion();
    JsonNode scheduler = services.path("scheduler");
    JsonNode jobs = services.path("jobs");
    // the images Jib builds (profile image) and `docker load` tags, not pulled from anywhere
    assertThat(interpolate(scheduler.path("image").asText())).isEqualTo("rollback-scheduler:" + version);
    assertThat(interpolate(jobs.path("image").asText())).isEqualTo("rollback-jobs:" + version);
    assertThat(pom("schedules")).contains("<to><image>rollback-scheduler:${project.version}</image></to>");
    assertThat(pom("jobs")).contains("<to><image>rollback-jobs:${project.version}</image></to>");
    for (JsonNode service : List.of(scheduler, jobs)) {
      assertThat(service.path("pull_policy").asText()).isEqualTo("never");
      assertThat(service.at("/depends_on/postgres/condition").asText()).isEqualTo("service_healthy");
      assertThat(service.at("/environment/SPRING_DATASOURCE_URL").asText()).startsWith("jdbc:postgresql://postgres:");
      for (JsonNode volume : service.path("volumes")) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith("./")) {
          assertThat(JobSuite.REPO.resolve(source)).as("mounted %s", volume.asText()).exists();
        }
      }
    }
    assertThat(services.path("postgres").path("healthcheck").isMissingNode()).isFalse();
    assertThat(scheduler.path("profiles").isMissingNode()).as("`up` starts the scheduler").isTrue();
    assertThat(jobs.path("profiles").get(0).asText()).as("`up` leaves the command container alone").isEqualTo("tools");
    assertThat(scheduler.path("ports").get(0).asText()).endsWith(":8080");
    assertThat(scheduler.at("/environment/ROLLBACK_ALERT_TOKEN").asText()).isEqualTo("${ROLLBACK_ALERT_TOKEN:-}");
  }

  @Test
  void theContainersCommandsRun() throws Exception {
    JsonNode services = services();
    // the scheduler: the file it mounts at the path its command names
    List<String> command = strings(services.at("/scheduler/command"));
    assertThat(command).containsExactly("--schedules", "/etc/rollback/schedules.yml");
    String mounted = null;
    for (JsonNode volume : services.at("/scheduler/volumes")) {
      String[] parts = volume.asText().split(":");
      if (parts[1].equals(command.get(1))) {
        mounted = parts[0];
      }
    }
    assertThat(mounted).as("the schedules file is mounted").isNotNull();
    assertThat(SchedulerCommandLines.problem("--schedules", JobSuite.REPO.resolve(mounted).toString())).isNull();

    // the job container's default command, against the job JAR
    JobSuite suite = JobSuite.withExampleSystem();
    List<String> jobs = new ArrayList<>(List.of(JobSuite.LAUNCHER.toString()));
    jobs.addAll(strings(services.at("/jobs/command")));
    jobs.add("--json");
    JsonNode json = suite.run(jobs, java.util.Map.of()).expectExit(0).json();
    assertThat(json.path("command").asText()).isEqualTo("history");
  }

  /** The services, anchors and aliases resolved (SnakeYAML, as Compose reads YAML 1.1). */
  private static JsonNode services() throws IOException {
    Object compose = new org.yaml.snakeyaml.Yaml().load(Files.readString(COMPOSE));
    return JobSuite.JSON.valueToTree(compose).path("services");
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(s -> strings.add(s.asText()));
    return strings;
  }

  private static String interpolate(String value) {
    Matcher m = DEFAULTED.matcher(value);
    return m.replaceAll(r -> Matcher.quoteReplacement(r.group(2)));
  }

  private static String pom(String module) throws IOException {
    return Files.readString(JobSuite.REPO.resolve(module).resolve("pom.xml"));
  }
}
