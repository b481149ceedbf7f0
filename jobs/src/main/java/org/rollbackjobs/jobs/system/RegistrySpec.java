package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * Where a model's (or a prompt's) serving version is kept: an alias in a model registry. The rollback sets the
 * alias back to the version the manifest pins; {@code verify} checks it. Only MLflow's model registry for now
 * ({@code registry: {mlflow: {url, name, alias, token-env}}}); MLflow's prompt registry uses the same API.
 */
public record RegistrySpec(@JsonProperty(value = "mlflow", required = true) Mlflow mlflow) {

  public RegistrySpec {
    Specs.require(mlflow != null, "mlflow: give the MLflow registry: {url, name, alias} (and token-env if the"
        + " server needs a bearer token)");
  }

  /**
   * A registered model (or prompt) of an MLflow tracking server and the alias that serves it.
   *
   * @param url the tracking server's base URL ({@code http://mlflow:5000}; the REST API is under {@code /api/2.0})
   * @param name the registered model's (or prompt's) name in MLflow
   * @param alias the alias serving it ({@code champion}, {@code production})
   * @param tokenEnv the environment variable holding a bearer token (optional; never the token itself)
   */
  public record Mlflow(
      @JsonProperty(value = "url", required = true) URI url,
      @JsonProperty(value = "name", required = true) String name,
      @JsonProperty(value = "alias", required = true) String alias,
      @JsonProperty("token-env") String tokenEnv) {

    /** MLflow's rule for alias names; {@code latest} and {@code v<number>} are reserved by MLflow. */
    static final Pattern ALIAS = Pattern.compile("[A-Za-z0-9_-]{1,255}");
    static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

    public Mlflow {
      TriggerSpec.httpUrl("url", url);
      Specs.require(url.getRawUserInfo() == null, "url: '" + url.getHost() + "' with credentials in the URL;"
          + " give the token in an environment variable named by token-env instead");
      Specs.require(url.getRawQuery() == null && url.getRawFragment() == null, "url: '" + url
          + "' has a query or fragment; give the tracking server's base URL (http://host:5000)");
      Specs.require(name != null && !name.isBlank() && name.chars().noneMatch(Character::isISOControl),
          "name: give the registered model's name in MLflow");
      Specs.require(alias != null && ALIAS.matcher(alias).matches(), "alias: '" + alias
          + "' is not an MLflow alias (letters, digits, '_', '-')");
      Specs.require(!alias.equalsIgnoreCase("latest") && !alias.matches("[vV]\\d+"), "alias: '" + alias
          + "' is reserved by MLflow (latest, v1, v2, ...); name the alias that serves the model");
      Specs.require(tokenEnv == null || ENV.matcher(tokenEnv).matches(), "token-env: '" + tokenEnv
          + "' is not an environment variable name (letters, digits, '_'); it names the variable holding the"
          + " token, never the token itself");
    }

    /** The tracking server's base URL without a trailing slash. */
    public String base() {
      String base = url.toString();
      while (base.endsWith("/")) {
        base = base.substring(0, base.length() - 1);
      }
      return base;
    }
  }
}
