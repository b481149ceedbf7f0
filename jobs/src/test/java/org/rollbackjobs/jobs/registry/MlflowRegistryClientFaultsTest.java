package org.rollbackjobs.jobs.registry;

import java.net.URI;
import java.util.Optional;
import org.rollbackjobs.jobs.system.RegistrySpec.Mlflow;
import org.rollbackjobs.vector.http.EndpointFaultMatrix;
import org.rollbackjobs.vector.http.ScriptedHttpServer.Received;

/** An MLflow registry that misbehaves while an alias is read ({@link EndpointFaultMatrix}). */
class MlflowRegistryClientFaultsTest extends EndpointFaultMatrix {

  @Override
  protected String successBody(Received request) {
    return "{\"model_version\":{\"name\":\"churn\",\"version\":\"7\",\"aliases\":[\"champion\"]}}";
  }

  @Override
  protected Result callOnce() {
    MlflowRegistryClient client = new MlflowRegistryClient(new RegistryProperties(MAX_ATTEMPTS, INITIAL_BACKOFF,
        MAX_BACKOFF, TIMEOUT), name -> Optional.of("tok-9"));
    try {
      Optional<String> version = client.aliasVersion("model churn",
          new Mlflow(URI.create(server.url("/")), "churn", "champion", "MLFLOW_TOKEN"));
      return version.equals(Optional.of("7")) ? Result.success() : Result.failure("alias read as " + version);
    } catch (RegistryException e) {
      return Result.failure(e.getMessage());
    }
  }

  @Override
  protected String endpointShown() {
    return "model churn: MLflow GET " + server.url(MlflowRegistryClient.ALIAS_PATH + "?name=churn&alias=champion");
  }
}
