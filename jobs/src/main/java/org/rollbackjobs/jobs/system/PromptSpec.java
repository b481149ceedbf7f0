package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A prompt template of an LLM application of the system, kept in a prompt registry with an alias (MLflow's prompt
 * registry: {@code registry: {mlflow: {url, name, alias, token-env}}}). Pinned by manifests like a model's alias:
 * reverting an index or a model without its prompt leaves the application in a mixed state.
 */
public record PromptSpec(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "registry", required = true) RegistrySpec registry) {

  public PromptSpec {
    Specs.require(name != null && SystemDefinition.NAME.matcher(name).matches(), "name: " + Specs.shown(name)
        + " is not a valid prompt name (lower-case letters, digits, '_', '-', '.')");
    Specs.require(registry != null, "registry: give the prompt registry: {mlflow: {url, name, alias}}");
  }
}
