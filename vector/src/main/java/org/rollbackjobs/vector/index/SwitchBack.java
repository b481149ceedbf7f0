package org.rollbackjobs.vector.index;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.rollbackjobs.iceberg.BadInputException;
import org.rollbackjobs.vector.embedding.EmbeddingRegistry;
import org.rollbackjobs.vector.embedding.QuarantinedVersionException;
import org.rollbackjobs.vector.embedding.RegisteredVersion;

/**
 * A pending switch of a serving name back to its previous build (kept during the cool-down): no data moves, only
 * the view, so it is instant. It undoes the latest switch: the replaced build becomes the previous one, and the
 * quarantines that switch set are lifted.
 */
public final class SwitchBack {
  private final DataSource dataSource;
  private IndexName index;
  private Duration coolDown = Duration.ofHours(24);
  private Duration lockTimeout = Duration.ofSeconds(30);
  private boolean overrideQuarantine;
  private String reason;
  private String actor;

  /** What a switch-back would do. */
  public record Plan(IndexName index, IndexBuild serving, IndexBuild target, List<String> liftQuarantine) {
    public Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("index", index.toString());
      map.put("serving-build", serving == null ? null : serving.toMap());
      map.put("switch-back-to", target.toMap());
      map.put("lift-quarantine", liftQuarantine);
      return map;
    }
  }

  private SwitchBack(DataSource dataSource) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
  }

  public static SwitchBack of(DataSource dataSource) {
    return new SwitchBack(dataSource);
  }

  public SwitchBack index(IndexName name) {
    this.index = name;
    return this;
  }

  public SwitchBack coolDown(Duration duration) {
    this.coolDown = Objects.requireNonNull(duration, "coolDown");
    return this;
  }

  public SwitchBack lockTimeout(Duration duration) {
    this.lockTimeout = Objects.requireNonNull(duration, "lockTimeout");
    return this;
  }

  public SwitchBack overrideQuarantine(boolean override) {
    this.overrideQuarantine = override;
    return this;
  }

  public SwitchBack reason(String text) {
    this.reason = text;
    return this;
  }

  public SwitchBack actor(String name) {
    this.actor = name;
    return this;
  }

  /** Checks that there is something to switch back to. Changes nothing. */
  public Plan plan() {
    try (Connection c = dataSource.getConnection()) {
      return plan(c);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot plan the switch-back of " + index + ": " + e.getMessage(), e);
    }
  }

  private Plan plan(Connection c) throws SQLException {
    Optional<BuildRegistry.ServingRecord> record = BuildRegistry.servingRecord(c, index);
    if (record.isEmpty()) {
      List<IndexName> managed = BuildRegistry.indexes(c);
      throw new BadInputException("unknown index " + index + ": it is not managed by rollback-jobs; "
          + (managed.isEmpty() ? "no index is managed yet" : "managed indexes: "
              + managed.stream().map(IndexName::toString).collect(Collectors.joining(", "))));
    }
    IndexBuild serving = record.get().buildId() == null ? null
        : BuildRegistry.find(c, record.get().buildId()).orElse(null);
    Optional<IndexBuild> previous = BuildRegistry.latestPrevious(c, index);
    if (previous.isEmpty()) {
      throw new BadInputException("index " + index + " has no previous build to switch back to (previous builds"
          + " are retired after their cool-down); its builds: " + builds(c));
    }
    IndexBuild target = previous.get();
    List<String> lift = new ArrayList<>();
    for (String v : ServingSwitch.versionsOf(target)) {
      Optional<RegisteredVersion> registered = EmbeddingRegistry.find(c, v);
      if (registered.isPresent() && registered.get().quarantined()) {
        boolean setByServing = serving != null
            && Objects.equals(registered.get().quarantinedByBuild(), serving.id());
        if (!setByServing && !overrideQuarantine) {
          throw new QuarantinedVersionException(v, registered.get().statusReason(), registered.get().statusChangedAt());
        }
        lift.add(v);
      }
    }
    return new Plan(index, serving, target, lift);
  }

  private String builds(Connection c) throws SQLException {
    return BuildRegistry.builds(c, index).stream().limit(10)
        .map(b -> b.id() + " (" + b.status() + ")").collect(Collectors.joining(", "));
  }

  public SwitchResult commit() {
    try (Connection c = dataSource.getConnection()) {
      Plan p = plan(c);
      ServingSwitch.Options options = new ServingSwitch.Options(coolDown, reason, overrideQuarantine, true, lockTimeout,
          null, false);
      return ServingSwitch.switchTo(c, index, p.target(), options,
          p.serving() == null ? null : p.serving().id(), true, actor);
    } catch (SQLException e) {
      throw new IllegalStateException("switching " + index + " back failed: " + e.getMessage(), e);
    }
  }
}
