package org.rollbackjobs.jobs.rollback;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.registry.MlflowRegistryClient;
import org.rollbackjobs.jobs.retrain.RetrainChannel;
import org.rollbackjobs.jobs.system.ModelSpec;
import org.rollbackjobs.jobs.system.RegistrySpec;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.springframework.stereotype.Component;

/**
 * What a drill does for a model or prompt instead of retraining it or setting its alias: nothing is sent or moved.
 * A retrain trigger is probed (an HTTP OPTIONS: any answer means reachable), a registry alias is read and the pinned
 * version looked up (it must exist: the alias would be pointed at it); the alias and the pinned version are recorded. A component that cannot be reached fails the
 * drill's component step: the real rollback would fail there too.
 */
@Component
class SandboxModelCheck {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MlflowRegistryClient mlflow;

  SandboxModelCheck(MlflowRegistryClient mlflow) {
    this.mlflow = mlflow;
  }

  Map<String, Object> check(ComponentAction action, SystemDefinition system) {
    Map<String, Object> result = new LinkedHashMap<>();
    if (ComponentAction.SET_ALIAS.equals(action.action())) {
      RegistrySpec registry = ComponentAction.PROMPT.equals(action.component())
          ? system.prompt(action.name()).registry() : system.model(action.name()).registry();
      String owner = action.component() + " " + action.name();
      String current = mlflow.aliasVersion(owner, registry.mlflow()).orElse(null);
      if (!mlflow.versionExists(owner, registry.mlflow(), action.to())) {
        throw new IllegalStateException(owner + ": the pinned version " + action.to() + " of "
            + registry.mlflow().name() + " does not exist in MLflow; the rollback could not point alias "
            + registry.mlflow().alias() + " at it");
      }
      result.put("status", "checked");
      result.put("check", "registry alias readable and the pinned version exists; nothing set in a drill");
      result.put("alias-version", current == null ? "unset" : current);
      result.put("pinned-version", action.to());
      return result;
    }
    ModelSpec model = system.model(action.name());
    List<String> reached = new ArrayList<>();
    for (RetrainChannel channel : RetrainChannel.of(model)) {
      reached.add(channel.name() + " " + channel.target() + " answered " + probe(channel.url()));
    }
    result.put("status", "checked");
    result.put("check", reached.isEmpty() ? "outbox channel: nothing to reach; no request written in a drill"
        : "trigger reachable; no retrain request sent in a drill");
    result.put("channels", reached);
    return result;
  }

  /** The HTTP status of an OPTIONS request; an unreachable trigger is an error naming it. */
  private static int probe(URI url) {
    HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    HttpRequest request = HttpRequest.newBuilder(url).timeout(TIMEOUT)
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build();
    try {
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("the retrain trigger " + url.getScheme() + "://" + url.getRawAuthority()
          .replaceFirst("^.*@", "") + url.getRawPath() + " is not reachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing the retrain trigger", e);
    }
  }
}
