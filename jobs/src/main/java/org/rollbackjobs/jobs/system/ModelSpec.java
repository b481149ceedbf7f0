package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A model of a system: trained on datasets and feature tables of the system, retrained through {@code trigger}.
 *
 * @param version the model version currently deployed, as the team names it (optional; recorded in manifests)
 */
public record ModelSpec(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "trains-on", required = true) List<String> trainsOn,
    @JsonProperty("version") String version,
    @JsonProperty("trigger") TriggerSpec trigger) {

  public ModelSpec {
    Specs.require(name != null && SystemDefinition.NAME.matcher(name).matches(), "name: '" + name
        + "' is not a valid model name (lower-case letters, digits, '_', '-', '.')");
    Specs.require(trainsOn != null && !trainsOn.isEmpty(), "trains-on: list the datasets and feature tables"
        + " the model trains on");
    for (int i = 0; i < trainsOn.size(); i++) {
      Specs.table("trains-on[" + i + "]", trainsOn.get(i));
    }
    trainsOn = List.copyOf(trainsOn);
    trigger = trigger == null ? TriggerSpec.NONE : trigger;
  }
}
