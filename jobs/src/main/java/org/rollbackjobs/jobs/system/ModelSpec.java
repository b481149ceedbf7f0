package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A model of a system: trained on datasets and feature tables of the system, retrained through {@code trigger}.
 * A model with a {@code registry} is served through a registry alias: manifests pin the version the alias points
 * at, and a rollback sets the alias back to it instead of retraining (that version was trained on the pinned data).
 *
 * @param version the model version currently deployed, as the team names it (optional; recorded in manifests)
 * @param registry the registry alias serving the model (optional)
 */
public record ModelSpec(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "trains-on", required = true) List<String> trainsOn,
    @JsonProperty("version") String version,
    @JsonProperty("trigger") TriggerSpec trigger,
    @JsonProperty("registry") RegistrySpec registry) {

  public ModelSpec {
    Specs.require(name != null && SystemDefinition.NAME.matcher(name).matches(), "name: " + Specs.shown(name)
        + " is not a valid model name (lower-case letters, digits, '_', '-', '.')");
    Specs.require(trainsOn != null && !trainsOn.isEmpty(), "trains-on: list the datasets and feature tables"
        + " the model trains on");
    for (int i = 0; i < trainsOn.size(); i++) {
      Specs.table("trains-on[" + i + "]", trainsOn.get(i));
    }
    trainsOn = List.copyOf(trainsOn);
    Specs.text("version", version);
    trigger = trigger == null ? TriggerSpec.NONE : trigger;
  }

  /** Whether the model is served through a registry alias. */
  public boolean hasRegistry() {
    return registry != null;
  }
}
