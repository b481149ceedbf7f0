package org.rollbackjobs.jobs.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.cli.Output;
import org.rollbackjobs.jobs.launch.ExitCodes;
import org.rollbackjobs.jobs.manifest.ManifestContent.TablePin;
import org.rollbackjobs.jobs.retrain.RetrainService.RetrainOutcome;
import org.rollbackjobs.jobs.retrain.RetrainService.RetrainPlan;
import org.rollbackjobs.jobs.retrain.RetrainStore.Delivery;
import org.rollbackjobs.jobs.retrain.RetrainStore.StoredRequest;
import org.rollbackjobs.jobs.store.StoredJson;

/** Text and JSON of trigger-retrain (result and dry run) and of the retrain section of {@code status}. */
public final class RetrainReport {
  public static final String COMMAND = "trigger-retrain";

  private RetrainReport() {}

  public static Map<String, Object> resultJson(RetrainOutcome outcome) {
    Map<String, Object> json = Output.result(COMMAND, outcome.status(), outcome.exitCode());
    StoredRequest request = outcome.request();
    json.put("system", request.system());
    json.put("model", request.model());
    json.put("manifest-id", request.manifestId());
    json.put("request-key", request.requestKey());
    json.put("created", outcome.created());
    json.put("attempted", outcome.attempted());
    json.put("request", tree(request.payload()));
    json.put("deliveries", request.deliveries());
    json.put("job-execution-id", outcome.jobExecutionId());
    if (outcome.error() != null) {
      json.put("error", outcome.error());
    }
    return json;
  }

  public static String resultText(RetrainOutcome outcome) {
    StoredRequest request = outcome.request();
    StringBuilder out = new StringBuilder();
    switch (outcome.status()) {
      case "noop" -> out.append("Retraining of ").append(request.model()).append(" on these snapshots was requested")
          .append(" and delivered before: nothing to do.\n");
      case "failed" -> out.append("Retrain request for ").append(request.model()).append(" stored, but not every")
          .append(" channel delivered it.\n");
      default -> out.append("Retrain request for ").append(request.model()).append(outcome.created() ? " stored" : "")
          .append(outcome.created() ? " and " : " ").append("delivered.\n");
    }
    requestRows(out, request.requestKey(), request.system(), request.model(), request.modelVersion(),
        request.manifestId(), request.trainsOn(), request.reason(), request.requestedAt().toString());
    row(out, "job execution", String.valueOf(outcome.jobExecutionId()));
    deliveriesText(out, request.deliveries());
    if (outcome.error() != null) {
      out.append(outcome.error()).append('\n');
    }
    return out.toString();
  }

  public static Map<String, Object> planJson(RetrainPlan plan) {
    Map<String, Object> json = Output.result(COMMAND, "dry-run", ExitCodes.OK);
    RetrainRequest request = plan.request();
    json.put("system", request.system());
    json.put("model", request.model());
    json.put("manifest-id", request.manifestId());
    json.put("request-key", request.requestKey());
    json.put("exists", plan.existing().isPresent());
    json.put("request", plan.existing().map(r -> (Object) tree(r.payload())).orElse(request));
    json.put("deliveries", plannedDeliveries(plan));
    json.put("would-deliver", wouldDeliver(plan));
    return json;
  }

  public static String planText(RetrainPlan plan) {
    RetrainRequest request = plan.request();
    StringBuilder out = new StringBuilder("Dry run: trigger-retrain of ").append(request.model()).append(" of ")
        .append(request.system()).append(". Nothing was changed.\n");
    if (plan.existing().isPresent()) {
      out.append("A request with this key is stored already (").append(plan.existing().get().requestedAt())
          .append("); it would not be stored again.\n");
    } else {
      out.append("The request would be stored with its outbox row.\n");
    }
    requestRows(out, request.requestKey(), request.system(), request.model(), request.modelVersion(),
        request.manifestId(), request.trainsOn(), request.reason(), String.valueOf(request.requestedAt()));
    deliveriesText(out, plannedDeliveries(plan));
    List<String> would = wouldDeliver(plan);
    out.append(would.isEmpty() ? "Every channel has delivered it: nothing would be sent.\n"
        : "Would deliver to: " + String.join(", ", would) + "\n");
    return out.toString();
  }

  /** The {@code retrain-requests} of {@code status}: each request with its deliveries. */
  public static List<Map<String, Object>> statusJson(List<StoredRequest> requests) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (StoredRequest r : requests) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("request-key", r.requestKey());
      row.put("system", r.system());
      row.put("model", r.model());
      row.put("model-version", r.modelVersion());
      row.put("manifest-id", r.manifestId());
      row.put("trains-on", r.trainsOn());
      row.put("supersedes", r.supersedes());
      row.put("reason", r.reason());
      row.put("actor", r.actor());
      row.put("requested-at", r.requestedAt());
      row.put("job-execution-id", r.jobExecutionId());
      row.put("delivered", r.undelivered().isEmpty());
      row.put("deliveries", r.deliveries());
      rows.add(row);
    }
    return rows;
  }

  public static String statusText(List<StoredRequest> requests) {
    if (requests.isEmpty()) {
      return "No retrain requests yet.\n";
    }
    StringBuilder out = new StringBuilder();
    for (StoredRequest r : requests) {
      out.append(String.format("%s  %s/%s  manifest %d  %s  %s%n", r.requestKey().substring(0, 12), r.system(),
          r.model(), r.manifestId(), r.requestedAt(), r.undelivered().isEmpty() ? "delivered" : "NOT DELIVERED"));
      out.append("    trains on ").append(String.join(", ", RetrainRequest.pins(r.trainsOn()))).append('\n');
      for (Delivery d : r.deliveries()) {
        out.append("    ").append(deliveryLine(d)).append('\n');
      }
    }
    return out.toString();
  }

  private static List<Delivery> plannedDeliveries(RetrainPlan plan) {
    if (plan.existing().isPresent()) {
      List<Delivery> stored = new ArrayList<>(plan.existing().get().deliveries());
      for (RetrainChannel channel : plan.channels()) {
        if (stored.stream().noneMatch(d -> d.channel().equals(channel.name()))) {
          stored.add(pending(channel.name(), channel.target()));
        }
      }
      return stored;
    }
    List<Delivery> planned = new ArrayList<>();
    planned.add(pending(RetrainStore.OUTBOX, RetrainStore.OUTBOX_TARGET));
    plan.channels().forEach(channel -> planned.add(pending(channel.name(), channel.target())));
    return planned;
  }

  private static List<String> wouldDeliver(RetrainPlan plan) {
    List<String> configured = new ArrayList<>(List.of(RetrainStore.OUTBOX));
    plan.channels().forEach(c -> configured.add(c.name()));
    return plannedDeliveries(plan).stream().filter(d -> !d.delivered() && configured.contains(d.channel()))
        .map(Delivery::channel).toList();
  }

  private static Delivery pending(String channel, String target) {
    return new Delivery(channel, target, Delivery.PENDING, 0, null, null, null, null);
  }

  private static void requestRows(StringBuilder out, String key, String system, String model, String version,
      long manifestId, List<TablePin> trainsOn, String reason, String requestedAt) {
    row(out, "request key", key);
    row(out, "system", system);
    row(out, "model", model + (version == null ? "" : " (version " + version + ")"));
    row(out, "manifest", String.valueOf(manifestId));
    for (int i = 0; i < trainsOn.size(); i++) {
      TablePin pin = trainsOn.get(i);
      row(out, i == 0 ? "trains on" : "", pin.table() + " at snapshot " + pin.snapshotId() + " (" + pin.kind() + ")");
    }
    row(out, "reason", String.valueOf(reason));
    row(out, "requested at", requestedAt);
  }

  private static void deliveriesText(StringBuilder out, List<Delivery> deliveries) {
    out.append("Deliveries:\n");
    deliveries.forEach(d -> out.append("  ").append(deliveryLine(d)).append('\n'));
  }

  private static String deliveryLine(Delivery d) {
    StringBuilder line = new StringBuilder(String.format("%-8s %-10s %s", d.channel(), d.status(), d.target()));
    if (d.attempts() > 0) {
      line.append("  ").append(d.attempts()).append(d.attempts() == 1 ? " attempt" : " attempts");
    }
    if (d.lastHttpStatus() != null) {
      line.append(", HTTP ").append(d.lastHttpStatus());
    }
    if (d.deliveredAt() != null) {
      line.append(", delivered ").append(d.deliveredAt());
    } else if (d.lastError() != null) {
      line.append(", last error: ").append(d.lastError());
    }
    return line.toString();
  }

  private static void row(StringBuilder out, String label, String value) {
    out.append(String.format("  %-15s %s%n", label, value));
  }

  private static JsonNode tree(String json) {
    return StoredJson.tree(json);
  }
}
