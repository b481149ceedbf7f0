package org.rollbackjobs.jobs.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.actuate.metrics.export.prometheus.PrometheusPushGatewayManager;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A drill's figures as Prometheus metrics, and Spring Boot's push of them to a Pushgateway (here a local HTTP
 * server that records what it is sent) when the command ends.
 */
@AutoConfigureObservability(tracing = false) // Spring Boot's tests switch metrics export off otherwise
class DrillMetricsTest extends DrillTestSystem {
  /** A request the Pushgateway got: method, path, content type, body. */
  record Push(String method, String path, String contentType, String body) {}

  private static final List<Push> PUSHES = new CopyOnWriteArrayList<>();
  private static HttpServer pushgateway;

  @DynamicPropertySource
  static void pushgateway(DynamicPropertyRegistry registry) throws IOException {
    pushgateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    pushgateway.createContext("/", exchange -> {
      PUSHES.add(new Push(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestHeaders().getFirst("Content-Type"),
          new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    pushgateway.start();
    registry.add("management.prometheus.metrics.export.pushgateway.enabled", () -> "true");
    registry.add("management.prometheus.metrics.export.pushgateway.address",
        () -> "127.0.0.1:" + pushgateway.getAddress().getPort());
    registry.add("management.prometheus.metrics.export.pushgateway.push-rate", () -> "1h");
  }

  @AfterAll
  static void stop() {
    pushgateway.stop(0);
  }

  @Autowired PrometheusMeterRegistry prometheus;
  @Autowired PrometheusPushGatewayManager push;

  @Test
  void aDrillIsCountedTimedAndPushedWhenTheCommandEnds() {
    incident();
    Result drill = drill();
    assertThat(drill.exitCode()).as(drill.stderr() + drill.stdout()).isZero();

    String system = "system=\"" + ns + "\"";
    String scrape = prometheus.scrape();
    assertThat(scrape).contains("rollback_drill_total{" + system + ",verdict=\"passed\"} 1.0",
        "rollback_time_to_rollback_seconds_count{kind=\"drill\"," + system + "} 1",
        "rollback_time_to_rollback_seconds_bucket{kind=\"drill\"," + system + ",le=\"+Inf\"} 1");
    double last = Double.parseDouble(scrape.lines()
        .filter(l -> l.startsWith("rollback_last_drill_timestamp_seconds{" + system + "}")).findFirst()
        .orElseThrow().replaceAll(".* ", ""));
    assertThat(last).isCloseTo(Instant.now().getEpochSecond(), within(120.0));

    PUSHES.clear();
    push.shutdown(); // what the context's close does when the command ends (shutdown-operation: put)
    assertThat(PUSHES).singleElement().satisfies(p -> {
      assertThat(p.method()).isEqualTo("PUT");
      assertThat(p.path()).isEqualTo("/metrics/job/rollback-jobs");
      assertThat(p.contentType()).startsWith("text/plain");
      assertThat(p.body()).contains("rollback_drill_total{" + system + ",verdict=\"passed\"} 1.0");
    });
  }
}
