package org.rollbackjobs.vector.embedding;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Executor;
import org.rollbackjobs.iceberg.BadInputException;

/**
 * Resolves a version name to its pin and to something that can produce its vectors. Known names: the built-in
 * ONNX models, the remote models configured here, and anything in the registry (which can then only be built
 * from stored embeddings, since no model for it is available here).
 */
public final class VersionCatalog {
  private final Map<String, RemoteModel> remoteModels;

  public VersionCatalog(Map<String, RemoteModel> remoteModels) {
    this.remoteModels = Map.copyOf(remoteModels);
  }

  public static VersionCatalog builtInOnly() {
    return new VersionCatalog(Map.of());
  }

  /**
   * The pinned version named {@code name}, registered on first use. Unknown names and names whose registered pin
   * differs from the model available here are a {@link BadInputException}.
   */
  public EmbeddingVersion resolve(Connection c, String name) throws SQLException {
    Optional<EmbeddingVersion> available = available(name);
    if (available.isPresent()) {
      EmbeddingRegistry.ensure(c, available.get());
      return available.get();
    }
    return EmbeddingRegistry.find(c, name).map(RegisteredVersion::version).orElseThrow(() ->
        new BadInputException("unknown embedding version '" + name + "'; known versions: "
            + String.join(", ", knownNames(c))));
  }

  /** Like {@link #resolve} but registers nothing (for dry runs and plans). */
  public EmbeddingVersion lookup(Connection c, String name) throws SQLException {
    Optional<EmbeddingVersion> available = available(name);
    Optional<RegisteredVersion> registered = EmbeddingRegistry.find(c, name);
    if (available.isPresent()) {
      registered.ifPresent(r -> EmbeddingRegistry.checkSamePin(r.version(), available.get()));
      return available.get();
    }
    return registered.map(RegisteredVersion::version).orElseThrow(() ->
        new BadInputException("unknown embedding version '" + name + "'; known versions: "
            + String.join(", ", knownNames(c))));
  }

  /** Whether a model for {@code name} runs here (else only stored embeddings can build it). */
  public boolean hasModel(String name) {
    return BuiltInModel.byVersionName(name).isPresent() || remoteModels.containsKey(name);
  }

  /** An embedder for a version whose model is available here. */
  public Embedder embedder(EmbeddingVersion version, Executor executor) {
    Optional<BuiltInModel> builtIn = BuiltInModel.byVersionName(version.name());
    if (builtIn.isPresent()) {
      return builtIn.get().embedder(executor);
    }
    RemoteModel remote = remoteModels.get(version.name());
    if (remote != null) {
      return remote.embedder();
    }
    throw new BadInputException("no model for embedding version '" + version.name() + "' is available here (it is"
        + " only in the registry); configure it under rollback.vector.remote-models or build from stored embeddings");
  }

  /** The pin of a version whose model is known here (built in or configured), without the registry. */
  public Optional<EmbeddingVersion> pinned(String name) {
    return available(name);
  }

  private Optional<EmbeddingVersion> available(String name) {
    Optional<BuiltInModel> builtIn = BuiltInModel.byVersionName(name);
    if (builtIn.isPresent()) {
      return Optional.of(builtIn.get().version());
    }
    return Optional.ofNullable(remoteModels.get(name)).map(RemoteModel::version);
  }

  private List<String> knownNames(Connection c) {
    TreeSet<String> names = new TreeSet<>();
    Arrays.stream(BuiltInModel.values()).forEach(m -> names.add(m.versionName()));
    names.addAll(remoteModels.keySet());
    try {
      EmbeddingRegistry.list(c).forEach(r -> names.add(r.version().name()));
    } catch (SQLException e) {
      // the names known without the registry still help
    }
    return new ArrayList<>(names);
  }
}
