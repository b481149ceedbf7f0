package org.rollbackjobs.schedules.definitions;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.util.FileSystemUtils;

/**
 * The Airflow DAGs of {@code schedules/definitions/airflow}. Airflow is not installed here: each file must parse and
 * compile (Python's {@code ast}, by {@code src/test/resources/definitions/airflow_dags.py}), every operator must run
 * one of {@code rollback_jobs_commands.COMMANDS} with an environment that sets what the command uses, and every task
 * is then run as its operator would run it, against the job JAR and the test database: bash with the task's
 * environment (its Jinja rendered with a test conf); for a pod, the bash script the pod runs, with the XCom file in a
 * folder of the test's. {@code --dry-run} is added to drill and rollback.
 */
class AirflowDagsTest {
  private static final Path AIRFLOW = JobSuite.DEFINITIONS.resolve("airflow");
  private static final Pattern JINJA = Pattern.compile("\\{\\{\\s*(.*?)\\s*}}");
  private static final Pattern VARIABLE_DEFAULT = Pattern.compile("var\\.value\\.get\\('[^']*', '([^']*)'\\)");

  @TempDir Path dir;

  static JsonNode analyse(Path folder) throws Exception {
    Path script = Path.of(AirflowDagsTest.class.getResource("/definitions/airflow_dags.py").toURI());
    Process process = new ProcessBuilder("python3", script.toString(), folder.toString()).start();
    byte[] out = process.getInputStream().readAllBytes();
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(process.exitValue()).as("python3 %s: %s", script, err).isZero();
    return JobSuite.JSON.readTree(out);
  }

  @Test
  void everyDagParsesAndRunsOnlyTheTestedCommands() throws Exception {
    JsonNode result = analyse(AIRFLOW);
    assertThat(result.path("problems")).as("problems").isEmpty();

    Map<String, JsonNode> dags = new LinkedHashMap<>();
    result.path("dags").forEach(d -> dags.put(d.path("dag_id").asText(), d));
    assertThat(dags).containsOnlyKeys("rollback_drill_weekly", "rollback_drill_weekly_pod", "rollback_on_demand",
        "rollback_on_demand_pod");

    for (String id : List.of("rollback_drill_weekly", "rollback_drill_weekly_pod")) {
      JsonNode dag = dags.get(id);
      // weekly: Airflow's cron (minute hour day month weekday), as Spring's with seconds
      CronExpression cron = CronExpression.parse("0 " + dag.path("schedule").asText());
      ZonedDateTime first = cron.next(ZonedDateTime.of(2026, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC));
      assertThat(Duration.between(first, cron.next(first))).as(id).isEqualTo(Duration.ofDays(7));
      assertThat(tasks(dag)).as(id).containsExactly("drill:DRILL_COMMAND", "report:REPORT_COMMAND");
      assertThat(dag.path("params").path("system").path("default").asText()).isEqualTo(JobSuite.SYSTEM);
    }
    for (String id : List.of("rollback_on_demand", "rollback_on_demand_pod")) {
      JsonNode dag = dags.get(id);
      assertThat(dag.path("schedule").isNull()).as("%s runs when triggered only", id).isTrue();
      assertThat(tasks(dag)).as(id).containsExactly("plan:PLAN_COMMAND", "rollback:ROLLBACK_COMMAND");
      assertThat(dag.path("params").fieldNames()).toIterable().containsExactlyInAnyOrder("system", "manifest",
          "reason");
      Pattern manifest = Pattern.compile(dag.path("params").path("manifest").path("pattern").asText());
      assertThat(List.of("1", "42", "previous")).allMatch(m -> manifest.matcher(m).find());
      assertThat(List.of("latest", "1; rm -rf /", "")).noneMatch(m -> manifest.matcher(m).find());
    }
    Pattern system = Pattern.compile(result.path("system_pattern").asText());
    for (JsonNode dag : dags.values()) {
      assertThat(dag.path("params").path("system").path("pattern").asText()).isEqualTo(system.pattern());
      String operator = dag.path("dag_id").asText().endsWith("_pod") ? "KubernetesPodOperator"
          : "RollbackJobsBashOperator";
      dag.path("tasks").forEach(t -> assertThat(t.path("operator").asText()).isEqualTo(operator));
    }
    assertThat(system.matcher(JobSuite.SYSTEM).find()).isTrue();
    assertThat(system.matcher("$(reboot)").find()).isFalse();
  }

  /** The checks of airflow_dags.py find what they look for. */
  @Test
  void aTaskOutsideTheTestedCommandsIsAProblem() throws Exception {
    FileSystemUtils.copyRecursively(AIRFLOW, dir);
    Path dag = dir.resolve("rollback_drill_weekly.py");
    String text = Files.readString(dag);
    Files.writeString(dag, text.replace("ENV = {\"ROLLBACK_JOBS\": LAUNCHER, **DRILL_ENV}", "ENV = {**DRILL_ENV}")
        .replace("bash_command=REPORT_COMMAND", "bash_command='rollback-jobs report'"));
    Files.writeString(dir.resolve("broken.py"), "def f(:\n");
    assertThat(analyse(dir).path("problems")).extracting(JsonNode::asText).satisfiesExactlyInAnyOrder(
        p -> assertThat(p).startsWith("broken.py:1: does not parse"),
        p -> assertThat(p).contains("rollback_drill_weekly.py:", "the command uses $ROLLBACK_JOBS, which env does not set"),
        p -> assertThat(p).contains("rollback_drill_weekly.py:", "bash_command must be one of"));
  }

  @Test
  void everyTaskRunsACommandOfTheJar() throws Exception {
    JsonNode result = analyse(AIRFLOW);
    JobSuite suite = JobSuite.withExampleSystem();
    Set<String> ran = new HashSet<>();
    int runs = 0;
    for (JsonNode dag : result.path("dags")) {
      boolean pod = dag.path("dag_id").asText().endsWith("_pod");
      for (JsonNode task : dag.path("tasks")) {
        String name = task.path("command").asText();
        Map<String, String> env = render(task.path("env"), dag, conf(dag));
        env.put("ROLLBACK_JOBS", suite.dryRunLauncher.toString());
        String what = dag.path("dag_id").asText() + "." + task.path("task_id").asText();
        if (!ran.add((pod ? "pod " : "bash ") + name + " " + env)) {
          continue; // the same command line with the same values ran already
        }
        runs++;
        String expected = name.equals("REPORT_COMMAND") ? "report" : name.equals("DRILL_COMMAND") ? "drill" : "rollback";
        JsonNode json;
        if (pod) {
          Path xcom = dir.resolve(what).resolve("return.json");
          String script = podScript(result, name, xcom);
          JobSuite.Run run = suite.bash(script, env).expectExit(0);
          json = run.json();
          assertThat(JobSuite.JSON.readTree(xcom.toFile())).as("the XCom of %s", what).isEqualTo(json);
        } else {
          json = suite.bash(result.path("commands").path(name).asText(), env).expectExit(0).json();
        }
        assertThat(json.path("command").asText()).as(what).isEqualTo(expected);
        if (!expected.equals("report")) {
          assertThat(json.path("status").asText()).as(what).isEqualTo("planned");
          assertThat(json.path("system").asText()).as(what).isEqualTo(JobSuite.SYSTEM);
        }
      }
    }
    assertThat(runs).isEqualTo(8);
  }

  /** A pod keeps the command's exit code, and its JSON result is the XCom: here bad input, exit 2. */
  @Test
  void aPodThatFailsKeepsItsExitCodeAndResult() throws Exception {
    JsonNode result = analyse(AIRFLOW);
    JobSuite suite = JobSuite.withExampleSystem();
    Path xcom = dir.resolve("xcom/return.json");
    Map<String, String> env = new HashMap<>(Map.of("ROLLBACK_JOBS", suite.dryRunLauncher.toString(),
        "SYSTEM", JobSuite.SYSTEM, "MANIFEST", "999", "REASON", "test", "ACTOR", "test"));
    JobSuite.Run run = suite.bash(podScript(result, "PLAN_COMMAND", xcom), env).expectExit(2);
    JsonNode returned = JobSuite.JSON.readTree(xcom.toFile());
    assertThat(returned).isEqualTo(run.json());
    assertThat(returned.path("exit-code").asInt()).isEqualTo(2);
    assertThat(returned.path("error").asText()).contains("999");

    // a command that ends without a JSON line (the JVM killed, say) leaves JSON null, never a broken file
    env.put("ROLLBACK_JOBS", "false");
    suite.bash(podScript(result, "PLAN_COMMAND", xcom), env).expectExit(1);
    assertThat(Files.readString(xcom).trim()).isEqualTo("null");
  }

  private static String podScript(JsonNode result, String command, Path xcom) {
    String xcomReturn = result.path("xcom_return").asText();
    String script = result.path("pod_scripts").path(command).asText();
    assertThat(script).contains(xcomReturn, result.path("commands").path(command).asText());
    return script.replace(xcomReturn, xcom.toString());
  }

  private static List<String> tasks(JsonNode dag) {
    List<String> tasks = new ArrayList<>();
    dag.path("tasks").forEach(t -> tasks.add(t.path("task_id").asText() + ":" + t.path("command").asText()));
    return tasks;
  }

  /** A trigger's conf: the params' defaults, and for the on-demand rollback manifest 1 (the example system's). */
  private static Map<String, String> conf(JsonNode dag) {
    Map<String, String> conf = new HashMap<>(Map.of("system", JobSuite.SYSTEM, "manifest", "1", "reason",
        "definitions test"));
    dag.path("params").fields().forEachRemaining(p -> {
      if (p.getValue().has("default") && !p.getKey().equals("manifest")) {
        conf.put(p.getKey(), p.getValue().path("default").asText());
      }
    });
    return conf;
  }

  /** The Jinja of the task's environment, as Airflow renders it for a run with this conf. */
  private static Map<String, String> render(JsonNode env, JsonNode dag, Map<String, String> conf) {
    Map<String, String> rendered = new LinkedHashMap<>();
    env.fields().forEachRemaining(e -> {
      Matcher m = JINJA.matcher(e.getValue().asText());
      StringBuilder value = new StringBuilder();
      while (m.find()) {
        String expression = m.group(1);
        Matcher variable = VARIABLE_DEFAULT.matcher(expression);
        String replacement = expression.startsWith("params.") ? conf.get(expression.substring(7))
            : expression.equals("ds") ? "2026-01-05"
            : expression.equals("run_id") ? "manual__2026-01-05T03:00:00+00:00"
            : expression.equals("dag.dag_id") ? dag.path("dag_id").asText()
            : variable.matches() ? variable.group(1) : null;
        assertThat(replacement).as("the Jinja expression %s of %s", expression, e.getKey()).isNotNull();
        m.appendReplacement(value, Matcher.quoteReplacement(replacement));
      }
      m.appendTail(value);
      rendered.put(e.getKey(), value.toString());
    });
    return rendered;
  }
}
