package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;

/**
 * How a model's retraining is requested, besides the outbox row that every request gets: an HTTP webhook
 * receiving the request as JSON, and/or an Airflow DAG run whose conf is the request.
 */
public record TriggerSpec(@JsonProperty("webhook") URI webhook, @JsonProperty("airflow") AirflowTrigger airflow) {
  public static final TriggerSpec NONE = new TriggerSpec(null, null);

  public TriggerSpec {
    if (webhook != null) {
      httpUrl("webhook", webhook);
    }
  }

  /**
   * Airflow's stable REST API ({@code POST {url}/api/v1/dags/{dag}/dagRuns}). Credentials are read from the
   * environment variables named here, never from the file.
   *
   * @param usernameEnv variable holding the basic-auth user name
   * @param passwordEnv variable holding the basic-auth password
   * @param tokenEnv variable holding a bearer token (instead of basic auth)
   */
  public record AirflowTrigger(
      @JsonProperty(value = "url", required = true) URI url,
      @JsonProperty(value = "dag", required = true) String dag,
      @JsonProperty("username-env") String usernameEnv,
      @JsonProperty("password-env") String passwordEnv,
      @JsonProperty("token-env") String tokenEnv) {

    public AirflowTrigger {
      httpUrl("airflow.url", url);
      Specs.require(dag != null && dag.matches("[A-Za-z0-9_.-]{1,250}"), "airflow.dag: '" + dag
          + "' is not a DAG id (letters, digits, '_', '-', '.')");
      Specs.require((usernameEnv == null) == (passwordEnv == null),
          "airflow: give both username-env and password-env, or neither");
      Specs.require(tokenEnv == null || usernameEnv == null, "airflow: give token-env or username-env/password-env,"
          + " not both");
    }
  }

  static void httpUrl(String key, URI url) {
    Specs.require(url != null, key + " is required");
    Specs.require(("http".equals(url.getScheme()) || "https".equals(url.getScheme())) && url.getHost() != null,
        key + ": '" + url + "' is not an http(s) URL");
  }
}
