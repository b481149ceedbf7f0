package org.rollbackjobs.schedules.alert;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Prometheus Alertmanager's webhook payload, version 4: what the scheduler reads of it. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AlertmanagerPayload(String version, String groupKey, String status, String receiver,
    List<Alert> alerts) {

  /** One alert of the group. */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
      String fingerprint) {
    public boolean firing() {
      return "firing".equals(status);
    }

    public Map<String, String> labelsOrEmpty() {
      return labels == null ? Map.of() : labels;
    }
  }

  public List<Alert> alertsOrEmpty() {
    return alerts == null ? List.of() : alerts;
  }
}
