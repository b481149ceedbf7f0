package org.rollbackjobs.jobs.retrain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.rollbackjobs.jobs.manifest.ManifestContent.ModelPin;
import org.rollbackjobs.jobs.manifest.ManifestContent.TablePin;
import org.rollbackjobs.jobs.retrain.RetrainStore.Delivery;
import org.rollbackjobs.jobs.retrain.RetrainStore.StoredRequest;
import org.rollbackjobs.jobs.verify.Finding;
import org.springframework.stereotype.Component;

/**
 * The model check of {@code verify}: the model's latest retrain request must name the snapshots the manifest pins
 * for it, and every channel of that request must have delivered it.
 *
 * <ul>
 *   <li>{@value #MISSING}: there is no retrain request for the model, or the latest one names other snapshots
 *       (the message says which); the model may be trained on data the manifest does not pin.
 *   <li>{@value #UNDELIVERED}: the latest request names the pinned snapshots, but a channel has not delivered it
 *       (pending or failed); count = undelivered channels.
 * </ul>
 */
@Component
public class RetrainCheck {
  public static final String COMPONENT = "model";
  public static final String MISSING = "model-retrain-missing";
  public static final String UNDELIVERED = "model-retrain-undelivered";
  private static final int EXAMPLES = 5;

  private final RetrainStore store;

  public RetrainCheck(RetrainStore store) {
    this.store = store;
  }

  /** Findings for one model of a system at a manifest; empty when its retraining was requested and delivered. */
  public List<Finding> check(String system, ModelPin pinned, long manifestId) {
    String model = pinned.name();
    String hint = "; run 'trigger-retrain --system " + system + " --model " + model + " --manifest " + manifestId
        + " --reason \"retrain on the pinned snapshots\"'";
    Optional<StoredRequest> latest = store.latest(system, model);
    if (latest.isEmpty()) {
      return List.of(new Finding(COMPONENT, model, MISSING, "no retrain request for model " + model
          + " exists; manifest " + manifestId + " pins " + describe(pinned.trainsOn()) + hint, 1,
          List.copyOf(RetrainRequest.pins(pinned.trainsOn())).subList(0,
              Math.min(EXAMPLES, pinned.trainsOn().size()))));
    }
    StoredRequest request = latest.get();
    if (!RetrainRequest.pins(request.trainsOn()).equals(RetrainRequest.pins(pinned.trainsOn()))) {
      List<String> differences = differences(request.trainsOn(), pinned.trainsOn());
      return List.of(new Finding(COMPONENT, model, MISSING, "the latest retrain request for model " + model
          + " (" + request.requestKey() + ", manifest " + request.manifestId() + ", " + request.requestedAt()
          + ") names " + describe(request.trainsOn()) + ", not the snapshots manifest " + manifestId + " pins: "
          + describe(pinned.trainsOn()) + hint, differences.size(),
          differences.subList(0, Math.min(EXAMPLES, differences.size()))));
    }
    List<Delivery> undelivered = request.undelivered();
    if (undelivered.isEmpty()) {
      return List.of();
    }
    List<String> examples = undelivered.stream().map(Delivery::describe).toList();
    return List.of(new Finding(COMPONENT, model, UNDELIVERED, "the retrain request for model " + model + " ("
        + request.requestKey() + ", manifest " + request.manifestId() + ") names the pinned snapshots but was not"
        + " delivered: " + String.join("; ", examples) + "; run 'trigger-retrain --system " + system + " --model "
        + model + " --manifest " + request.manifestId() + " --reason \"retry the retrain request\"' again to retry", undelivered.size(),
        examples.subList(0, Math.min(EXAMPLES, examples.size()))));
  }

  private static String describe(List<TablePin> pins) {
    return pins.isEmpty() ? "no snapshot" : String.join(", ", RetrainRequest.pins(pins));
  }

  /** Per table: {@code shop.x: requested 1, pinned 2} (or not requested / not pinned). */
  private static List<String> differences(List<TablePin> requested, List<TablePin> pinned) {
    Map<String, Long> requestedBy = new TreeMap<>();
    requested.forEach(p -> requestedBy.put(p.table(), p.snapshotId()));
    Map<String, Long> pinnedBy = new TreeMap<>();
    pinned.forEach(p -> pinnedBy.put(p.table(), p.snapshotId()));
    Set<String> tables = new TreeSet<>(requestedBy.keySet());
    tables.addAll(pinnedBy.keySet());
    List<String> differences = new ArrayList<>();
    for (String table : tables) {
      Long r = requestedBy.get(table);
      Long p = pinnedBy.get(table);
      if (r == null) {
        differences.add(table + ": pinned " + p + ", not in the request");
      } else if (p == null) {
        differences.add(table + ": requested " + r + ", not pinned");
      } else if (!r.equals(p)) {
        differences.add(table + ": requested " + r + ", pinned " + p);
      }
    }
    return differences;
  }
}
