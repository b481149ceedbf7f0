package org.rollbackjobs.jobs.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.system.RegistrySpec.Mlflow;

/**
 * The MLflow client against a real local HTTP server: exact requests, errors. Timeouts, retries and Retry-After:
 * {@link MlflowRegistryClientFaultsTest}.
 */
class MlflowRegistryClientTest {
  private final MlflowServer server = newServer();
  private final MlflowRegistryClient client = new MlflowRegistryClient(
      new RegistryProperties(3, Duration.ofMillis(10), Duration.ofSeconds(5), Duration.ofSeconds(5)),
      name -> name.equals("MLFLOW_TOKEN") ? Optional.of("tok-9") : Optional.empty());

  private static MlflowServer newServer() {
    try {
      return new MlflowServer();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private Mlflow spec(String name, String tokenEnv) {
    return new Mlflow(URI.create(server.url() + "/"), name, "champion", tokenEnv);
  }

  @Test
  void readsAndSetsAnAliasWithTheExactRequests() {
    server.register("fraud detector", false, "1", "2").alias("fraud detector", "champion", "2");
    Mlflow spec = spec("fraud detector", "MLFLOW_TOKEN");
    assertThat(client.aliasVersion("model fraud", spec)).contains("2");
    client.setAlias("model fraud", spec, "1");
    assertThat(server.aliasOf("fraud detector", "champion")).isEqualTo("1");

    var get = server.received("GET").get(0);
    assertThat(get.path()).isEqualTo("/api/2.0/mlflow/registered-models/alias");
    assertThat(get.query()).isEqualTo("name=fraud%20detector&alias=champion");
    assertThat(get.header("Authorization")).isEqualTo("Bearer tok-9");
    var post = server.received("POST").get(0);
    assertThat(post.path()).isEqualTo("/api/2.0/mlflow/registered-models/alias");
    assertThat(post.query()).isNull();
    assertThat(post.body()).isEqualTo("{\"name\":\"fraud detector\",\"alias\":\"champion\",\"version\":\"1\"}");
    assertThat(post.header("Content-Type")).isEqualTo("application/json");
    assertThat(post.header("Authorization")).isEqualTo("Bearer tok-9");
  }

  @Test
  void noTokenEnvSendsNoAuthorizationAndAnUnsetAliasIsEmpty() {
    server.register("m", false, "1");
    assertThat(client.aliasVersion("model m", spec("m", null))).isEmpty();
    assertThat(server.received().get(0).header("Authorization")).isNull();
  }

  @Test
  void failuresNameTheEndpointAndTheStatus() {
    server.register("m", false, "1").thenFail(503, "0").thenFail(503, "0").thenFail(503, "0");
    assertThatThrownBy(() -> client.aliasVersion("model m", spec("m", null)))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("model m: MLflow GET " + server.url() + "/api/2.0/mlflow/registered-models/alias?name=m")
        .hasMessageContaining("HTTP 503 (after 3 attempts)");
    assertThat(server.received()).hasSize(3);
    assertThatThrownBy(() -> client.setAlias("model m", spec("m", null), "9"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("MLflow POST " + server.url() + "/api/2.0/mlflow/registered-models/alias answered HTTP 404")
        .hasMessageContaining("RESOURCE_DOES_NOT_EXIST");
    assertThat(server.received()).as("a 404 is not retried").hasSize(4);
  }

  @Test
  void aTokenVariableThatIsNotSetIsBadInputAndNothingIsSent() {
    assertThatThrownBy(() -> client.aliasVersion("model m", spec("m", "NOT_SET_ANYWHERE")))
        .isInstanceOf(BadInputException.class)
        .hasMessageContaining("NOT_SET_ANYWHERE")
        .hasMessageContaining("token-env");
    assertThat(server.received()).isEmpty();
  }
}
