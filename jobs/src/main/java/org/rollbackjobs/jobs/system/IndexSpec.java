package org.rollbackjobs.jobs.system;

import com.fasterxml.jackson.annotation.JsonProperty;
import org.rollbackjobs.vector.index.IndexName;

/**
 * A vector index of a system: the serving name {@code schema.name} over documents of the Iceberg table
 * {@code source}, embedded with {@code embedding} (the embedding version used before any manifest exists; the
 * manifest pins the one the index serves).
 */
public record IndexSpec(
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty("schema") String schema,
    @JsonProperty(value = "source", required = true) String source,
    @JsonProperty("id-column") String idColumn,
    @JsonProperty("text-column") String textColumn,
    @JsonProperty(value = "embedding", required = true) String embedding) {

  public IndexSpec {
    Specs.identifier("name", name, IndexName.MAX_NAME_LENGTH);
    schema = schema == null ? "public" : Specs.identifier("schema", schema);
    Specs.table("source", source);
    idColumn = idColumn == null ? "id" : Specs.identifier("id-column", idColumn);
    textColumn = textColumn == null ? "text" : Specs.identifier("text-column", textColumn);
    Specs.versionName("embedding", embedding);
  }

  public String qualifiedName() {
    return schema + "." + name;
  }
}
