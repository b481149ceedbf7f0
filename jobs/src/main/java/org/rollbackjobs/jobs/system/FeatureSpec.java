package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A feature table of a system: {@code target} is computed from {@code source} by {@code pipeline}. The pipeline
 * version and the source snapshot come from the manifest; {@code version} is the version to use before any
 * manifest exists (optional).
 *
 * @param pipelines optional folder of YAML pipeline definitions
 * @param engine optional: {@code embedded} or {@code spark}, where {@code rollback} and {@code drill} recompute this
 *     table (default: {@code rollback.features.engine})
 */
public record FeatureSpec(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "source", required = true) String source,
    @JsonProperty(value = "pipeline", required = true) String pipeline,
    @JsonProperty(value = "target", required = true) String target,
    @JsonProperty("version") String version,
    @JsonProperty("pipelines") String pipelines,
    @JsonProperty("engine") String engine) {

  public FeatureSpec {
    Specs.require(name != null && SystemDefinition.NAME.matcher(name).matches(), "name: " + Specs.shown(name)
        + " is not a valid feature name (lower-case letters, digits, '_', '-', '.')");
    Specs.table("source", source);
    Specs.versionName("pipeline", pipeline);
    Specs.table("target", target);
    if (version != null) {
      Specs.versionName("version", version);
    }
    Specs.require(pipelines == null || (!pipelines.isBlank() && pipelines.length() <= 4096
        && pipelines.chars().noneMatch(Character::isISOControl)), "pipelines: " + Specs.shown(pipelines)
        + " is not a folder path (at most 4096 characters, no control characters)");
    Specs.require(engine == null || engine.equals("embedded") || engine.equals("spark"), "engine: "
        + Specs.shown(engine) + " is not an engine; valid: embedded, spark");
    Specs.require(!source.equals(target), "target: " + target + " is also the source; a feature table must be"
        + " another table");
  }
}
