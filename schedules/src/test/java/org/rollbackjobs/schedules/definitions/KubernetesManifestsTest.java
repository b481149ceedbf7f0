package org.rollbackjobs.schedules.definitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.gson.JsonParser;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1CronJob;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes definitions of {@code schedules/definitions/kubernetes}: each manifest validated against the
 * Kubernetes API schemas (the OpenAPI models of the official Java client, Kubernetes 1.33: unknown fields, missing
 * required fields and wrong types are errors), the fields that make a drill safe on a schedule, and the containers'
 * command lines run against the job JAR. No cluster here: nothing is applied.
 */
class KubernetesManifestsTest {
  private static final Path K8S = JobSuite.DEFINITIONS.resolve("kubernetes");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Map<String, String> JOB_VALUES = Map.of("SYSTEM", JobSuite.SYSTEM, "MANIFEST", "1",
      "REASON", "incident-42: a bad load, \"quoted\"");

  /** The Kubernetes schema check: the model's validator for the manifest's kind. */
  static void validate(JsonNode manifest) throws IOException {
    var json = JsonParser.parseString(manifest.toString());
    switch (manifest.path("kind").asText()) {
      case "CronJob" -> V1CronJob.validateJsonElement(json);
      case "Job" -> V1Job.validateJsonElement(json);
      case "Secret" -> V1Secret.validateJsonElement(json);
      default -> throw new AssertionError("no schema check for kind " + manifest.path("kind"));
    }
  }

  static JsonNode read(String file) throws IOException {
    return YAML.readTree(Files.readString(K8S.resolve(file)));
  }

  /** rollback-job.yaml as its documented command fills it in: envsubst '$SYSTEM $MANIFEST $REASON'. */
  static JsonNode rollbackJob(Map<String, String> values) throws Exception {
    ProcessBuilder builder = new ProcessBuilder("envsubst", "$SYSTEM $MANIFEST $REASON")
        .redirectInput(K8S.resolve("rollback-job.yaml").toFile());
    builder.environment().putAll(values);
    Process process = builder.start();
    String text;
    try (var in = process.getInputStream()) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).isZero();
    return YAML.readTree(text);
  }

  @Test
  void everyManifestIsValidAgainstTheKubernetesSchemas() throws Exception {
    try (var files = Files.list(K8S)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
          .containsExactly("drill-cronjob.yaml", "rollback-job.yaml", "secret.example.yaml");
    }
    validate(read("drill-cronjob.yaml"));
    validate(read("secret.example.yaml"));
    validate(rollbackJob(JOB_VALUES));
  }

  @Test
  void theSchemaCheckRefusesWhatKubernetesWouldRefuse() throws Exception {
    ObjectNode typo = (ObjectNode) read("drill-cronjob.yaml");
    ObjectNode spec = (ObjectNode) typo.path("spec");
    spec.set("concurencyPolicy", spec.remove("concurrencyPolicy"));
    assertThatThrownBy(() -> validate(typo)).hasMessageContaining("concurencyPolicy")
        .hasMessageContaining("is not defined");

    ObjectNode noImage = (ObjectNode) read("drill-cronjob.yaml");
    ((ObjectNode) noImage.at("/spec/jobTemplate/spec/template/spec/containers/0")).remove("name");
    assertThatThrownBy(() -> validate(noImage)).hasMessageContaining("name");

    ObjectNode wrongType = (ObjectNode) rollbackJob(JOB_VALUES);
    ((ObjectNode) wrongType.at("/spec/template/spec/containers/0")).put("args", "rollback --system x");
    assertThatThrownBy(() -> validate(wrongType)).hasMessageContaining("args");
  }

  @Test
  void theWeeklyDrillIsOneAtATimeFromTheJobImageWithItsSecrets() throws Exception {
    JsonNode cron = read("drill-cronjob.yaml");
    JsonNode spec = cron.path("spec");
    assertThat(spec.path("concurrencyPolicy").asText()).isEqualTo("Forbid");
    assertThat(spec.path("startingDeadlineSeconds").asInt()).isBetween(60, 24 * 3600);
    assertThat(spec.path("schedule").asText()).isEqualTo("0 3 * * 1");
    assertThat(spec.path("jobTemplate").path("spec").path("backoffLimit").asInt()).isZero();
    JsonNode pod = spec.at("/jobTemplate/spec/template/spec");
    assertThat(pod.path("restartPolicy").asText()).isEqualTo("Never");
    checkContainer(pod);
    assertThat(args(pod.path("containers").get(0))).startsWith("drill", "--system", JobSuite.SYSTEM);

    JsonNode job = rollbackJob(JOB_VALUES);
    assertThat(job.path("spec").path("backoffLimit").asInt()).isZero();
    checkContainer(job.at("/spec/template/spec"));
    JsonNode container = job.at("/spec/template/spec/containers/0");
    assertThat(args(container)).startsWith("rollback", "--system", "$(SYSTEM)", "--to-manifest", "$(MANIFEST)");
    assertThat(env(container)).containsAllEntriesOf(JOB_VALUES);
  }

  private static void checkContainer(JsonNode pod) throws Exception {
    assertThat(pod.path("containers")).hasSize(1);
    JsonNode container = pod.path("containers").get(0);
    assertThat(container.path("image").asText()).isEqualTo("rollback-jobs:" + JobSuite.projectVersion());
    // every secret from the Secret of secret.example.yaml, none in the manifest
    assertThat(container.path("envFrom").findValuesAsText("name"))
        .containsExactly(read("secret.example.yaml").at("/metadata/name").asText());
    assertThat(env(container).keySet()).noneMatch(k -> k.contains("PASSWORD") || k.startsWith("SPRING_DATASOURCE"));
    // requests cover the peak resident set measured in drills of the example system (600 MB, README), the limit
    // is above the request
    JsonNode resources = container.path("resources");
    Quantity memory = new Quantity(resources.at("/requests/memory").asText());
    assertThat(memory.getNumber().longValue()).isGreaterThanOrEqualTo(600L * 1024 * 1024);
    assertThat(new Quantity(resources.at("/requests/cpu").asText()).getNumber().doubleValue()).isPositive();
    assertThat(new Quantity(resources.at("/limits/memory").asText()).getNumber())
        .isGreaterThan(memory.getNumber());
    assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
  }

  @Test
  void theContainersRunCommandsOfTheJar() throws Exception {
    JobSuite suite = JobSuite.withExampleSystem();
    JsonNode drill = read("drill-cronjob.yaml").at("/spec/jobTemplate/spec/template/spec/containers/0");
    JsonNode json = run(suite, args(drill), env(drill)).expectExit(0).json();
    assertThat(json.path("command").asText()).isEqualTo("drill");
    assertThat(json.path("status").asText()).isEqualTo("planned");
    assertThat(json.path("inject").asText()).isEqualTo("bad-load");

    JsonNode rollback = rollbackJob(JOB_VALUES).at("/spec/template/spec/containers/0");
    json = run(suite, args(rollback), env(rollback)).expectExit(0).json();
    assertThat(json.path("command").asText()).isEqualTo("rollback");
    assertThat(json.path("status").asText()).isEqualTo("planned");
    assertThat(json.path("manifest-id").asLong()).isEqualTo(1);
  }

  /** The container's args as the kubelet gives them to the entrypoint: $(NAME) expanded from the container's env. */
  private static JobSuite.Run run(JobSuite suite, List<String> args, Map<String, String> env) throws Exception {
    List<String> command = new ArrayList<>(List.of(suite.dryRunLauncher.toString()));
    for (String arg : args) {
      Matcher m = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)").matcher(arg);
      StringBuilder expanded = new StringBuilder();
      while (m.find()) {
        m.appendReplacement(expanded, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group())));
      }
      m.appendTail(expanded);
      command.add(expanded.toString());
    }
    Map<String, String> extra = new HashMap<>(env);
    return suite.run(command, extra);
  }

  private static List<String> args(JsonNode container) {
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    return args;
  }

  private static Map<String, String> env(JsonNode container) {
    Map<String, String> env = new HashMap<>();
    container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText()));
    return env;
  }
}
