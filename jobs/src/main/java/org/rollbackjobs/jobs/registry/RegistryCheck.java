package org.rollbackjobs.jobs.registry;

import java.util.List;
import java.util.Optional;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.jobs.manifest.ManifestContent.AliasPin;
import org.rollbackjobs.jobs.system.RegistrySpec;
import org.rollbackjobs.jobs.system.RegistrySpec.Mlflow;
import org.rollbackjobs.jobs.verify.Finding;
import org.springframework.stereotype.Component;

/**
 * Registry aliases of models and prompts against a manifest: what a capture pins and what {@code verify} and the
 * rollback plan compare.
 *
 * <ul>
 *   <li>{@value #MODEL_MISMATCH}: a model's registry alias points at another version than the manifest pins (or is
 *       not set).
 *   <li>{@value #PROMPT_MISMATCH}: the same for a prompt.
 * </ul>
 */
@Component
public class RegistryCheck {
  public static final String MODEL = "model";
  public static final String PROMPT = "prompt";
  public static final String MODEL_MISMATCH = "model-version-mismatch";
  public static final String PROMPT_MISMATCH = "prompt-version-mismatch";
  /** What {@code from} says of an alias that is not set. */
  public static final String UNSET = "unset";

  private final MlflowRegistryClient mlflow;

  public RegistryCheck(MlflowRegistryClient mlflow) {
    this.mlflow = mlflow;
  }

  /** The alias now and the findings against the pinned version. */
  public record Comparison(String current, List<Finding> findings) {
    public boolean differs() {
      return !findings.isEmpty();
    }
  }

  /**
   * The pin of a registry alias that applies to the system file's registry: the same registered model (or
   * prompt); null when the manifest pins none (captured before the registry was declared) or another one.
   */
  public static AliasPin applicable(RegistrySpec registry, AliasPin pin) {
    return registry != null && pin != null && pin.version() != null && registry.mlflow().name().equals(pin.name())
        ? pin : null;
  }

  /** What a capture pins: the version the alias points at now. Bad input when the alias is not set. */
  public AliasPin pin(String component, String name, RegistrySpec registry) {
    Mlflow spec = registry.mlflow();
    String version = mlflow.aliasVersion(component + " " + name, spec).orElseThrow(() -> new BadInputException(
        component + " " + name + ": MLflow at " + spec.base() + " has no alias '" + spec.alias()
            + "' on registered " + (PROMPT.equals(component) ? "prompt" : "model") + " '" + spec.name()
            + "' (or no such " + (PROMPT.equals(component) ? "prompt" : "model") + "); set the alias, or fix"
            + " registry.mlflow in the system file, before capturing a manifest"));
    return new AliasPin(AliasPin.MLFLOW, spec.base(), spec.name(), spec.alias(), version);
  }

  public Comparison compare(String component, String name, RegistrySpec registry, AliasPin pinned) {
    Mlflow spec = registry.mlflow();
    Optional<String> current = mlflow.aliasVersion(component + " " + name, spec);
    if (current.isPresent() && current.get().equals(pinned.version())) {
      return new Comparison(current.get(), List.of());
    }
    String kind = PROMPT.equals(component) ? PROMPT_MISMATCH : MODEL_MISMATCH;
    String now = current.map(v -> "points at version " + v).orElse("is not set");
    return new Comparison(current.orElse(UNSET), List.of(new Finding(component, name, kind, "MLflow alias '"
        + spec.alias() + "' of " + (PROMPT.equals(component) ? "prompt" : "registered model") + " '" + spec.name()
        + "' " + now + "; the manifest pins version " + pinned.version() + " (a rollback sets it back)", 1,
        List.of(spec.name() + "@" + spec.alias() + ": " + current.orElse(UNSET) + " != " + pinned.version()))));
  }
}
