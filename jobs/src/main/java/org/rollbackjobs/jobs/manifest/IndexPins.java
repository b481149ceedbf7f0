package org.rollbackjobs.jobs.manifest;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.rollbackjobs.jobs.manifest.ManifestContent.IndexPin;
import org.rollbackjobs.jobs.system.IndexSpec;
import org.rollbackjobs.jobs.system.SystemDefinition;
import org.rollbackjobs.vector.index.IndexName;
import org.rollbackjobs.vector.verify.ServingPins;
import org.springframework.stereotype.Component;

/**
 * The pins of a system's vector indexes now: the build serving each name and its embedding version (the
 * version of most rows when the build holds several: verify reports the others); the source
 * snapshot is the source table's current one (an index built from another snapshot is stale). An index not
 * serving yet is pinned to the system file's embedding version, without a build.
 */
@Component
class IndexPins {
  private final DataSource dataSource;

  IndexPins(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  List<IndexPin> current(SystemDefinition system, Function<String, Long> currentSnapshot) {
    List<IndexPin> pins = new ArrayList<>();
    if (system.indexes().isEmpty()) {
      return pins;
    }
    try (Connection c = dataSource.getConnection()) {
      for (IndexSpec spec : system.indexes()) {
        IndexName name = IndexName.of(spec.schema(), spec.name());
        Long sourceSnapshot = currentSnapshot.apply(spec.source());
        if (sourceSnapshot == null) {
          throw new org.rollbackjobs.iceberg.BadInputException("the document table " + spec.source() + " of index "
              + spec.name() + " does not exist or has no snapshot");
        }
        Optional<ServingPins> serving = ServingPins.find(c, name);
        pins.add(new IndexPin(spec.name(), name.toString(), serving.map(ServingPins::buildId).orElse(null),
            serving.map(ServingPins::buildTable).orElse(null),
            serving.map(ServingPins::embeddingVersion).orElse(spec.embedding()), spec.source(), sourceSnapshot,
            serving.map(ServingPins::dimension).orElse(null), serving.map(ServingPins::rows).orElse(null)));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the serving builds: " + e.getMessage(), e);
    }
    return pins;
  }
}
