package org.rollbackjobs.schedules.alert;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.schedules.file.AlertRule;
import org.rollbackjobs.schedules.file.Schedules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /alerts}: Alertmanager's webhook. A firing alert that matches a rule starts that system's rollback in
 * the background, once per alert (group key, fingerprint, start); resolved alerts start nothing. Answers at once:
 * 202 with what it did, 401 without the bearer token.
 */
@RestController
public class AlertController {
  private static final Logger log = LoggerFactory.getLogger(AlertController.class);
  private final Schedules schedules;
  private final AlertToken token;
  private final AlertRecords records;
  private final AlertRollbacks rollbacks;
  private final MeterRegistry meters;

  public AlertController(Schedules schedules, AlertToken token, AlertRecords records, AlertRollbacks rollbacks,
      MeterRegistry meters) {
    this.schedules = schedules;
    this.token = token;
    this.records = records;
    this.rollbacks = rollbacks;
    this.meters = meters;
  }

  @PostMapping(path = "/alerts", consumes = "application/json", produces = "application/json")
  public ResponseEntity<Map<String, Object>> receive(
      @RequestHeader(name = HttpHeaders.AUTHORIZATION, required = false) String authorization,
      @RequestBody AlertmanagerPayload payload) {
    if (!token.accepts(authorization)) {
      meters.counter("rollback.scheduler.alerts", "outcome", "unauthorized").increment();
      return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
          .body(Map.of("error", token.configured() ? "missing or wrong bearer token"
              : "no alert token configured (ROLLBACK_ALERT_TOKEN or rollback.scheduler.alert-token-file)"));
    }
    int acted = 0;
    int deduplicated = 0;
    int ignored = 0;
    List<String> problems = new java.util.ArrayList<>();
    for (AlertmanagerPayload.Alert alert : payload.alertsOrEmpty()) {
      meters.counter("rollback.scheduler.alerts", "outcome", "received").increment();
      int index = matchingRule(alert);
      if (!alert.firing() || index < 0) {
        ignored++;
        continue;
      }
      AlertRule rule = schedules.alerts().get(index);
      Map<String, String> labels = alert.labelsOrEmpty();
      List<String> system;
      try {
        system = rule.systemArguments(labels);
      } catch (IllegalArgumentException e) {
        problems.add(labels.getOrDefault("alertname", "?") + ": " + e.getMessage());
        ignored++;
        continue;
      }
      AlertRecords.Key key = new AlertRecords.Key(String.valueOf(payload.groupKey()),
          String.valueOf(alert.fingerprint()), alert.startsAt() == null ? Instant.EPOCH : alert.startsAt());
      if (!records.claim(key, labels.get("alertname"), system.get(1), index, alert)) {
        deduplicated++;
        meters.counter("rollback.scheduler.alerts", "outcome", "deduplicated").increment();
        continue;
      }
      acted++;
      meters.counter("rollback.scheduler.alerts", "outcome", "acted").increment();
      log.info("alert {} ({}) matches rule {}: rolling back {}", labels.get("alertname"), alert.fingerprint(), index,
          system.get(1));
      rollbacks.start(key, rule, alert);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("acted", acted);
    body.put("deduplicated", deduplicated);
    body.put("ignored", ignored);
    body.put("problems", problems);
    return ResponseEntity.accepted().body(body);
  }

  private int matchingRule(AlertmanagerPayload.Alert alert) {
    List<AlertRule> rules = schedules.alerts();
    for (int i = 0; i < rules.size(); i++) {
      if (rules.get(i).matches(alert.labelsOrEmpty())) {
        return i;
      }
    }
    return -1;
  }
}
