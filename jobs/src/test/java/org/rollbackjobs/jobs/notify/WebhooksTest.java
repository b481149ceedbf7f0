package org.rollbackjobs.jobs.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.vector.http.RetrySettings;

/** Redaction of webhook URLs, Retry-After and the checks of {@code rollback.notify.*}: no Spring, no network. */
class WebhooksTest {

  @Test
  void nothingAfterTheHostIsShownButAWellKnownPrefix() {
    assertThat(Webhooks.redact("https://hooks.slack.com/services/T000/B000/XXXX"))
        .isEqualTo("https://hooks.slack.com/services/***");
    assertThat(Webhooks.redact("https://chat.example.org:8443/t0ken/abc?key=s3cret#x"))
        .isEqualTo("https://chat.example.org:8443/***");
    assertThat(Webhooks.redact("https://user:pass@example.org/")).isEqualTo("https://example.org");
    assertThat(Webhooks.redact("https://example.org?token=s3cret")).isEqualTo("https://example.org/***");
    assertThat(Webhooks.redact("https://example.org/services")).isEqualTo("https://example.org/***");
    assertThat(Webhooks.redact("HTTP://Example.org")).isEqualTo("http://Example.org");
    assertThat(Webhooks.redact("not a url")).isEqualTo("***");
    assertThat(Webhooks.redact((String) null)).isEqualTo("***");
  }

  @Test
  void errorMessagesLoseTheSecretParts() {
    URI url = URI.create("https://hooks.slack.com/services/T000/B000/XXXX?x=s3cret");
    assertThat(Webhooks.scrub("failed: " + url + " and /services/T000/B000/XXXX, x=s3cret", url))
        .doesNotContain("XXXX", "s3cret").contains("https://hooks.slack.com/services/***");
  }

  @Test
  void theSettingsShowNoToken() {
    assertThat(new NotifyProperties(List.of("https://hooks.slack.com/services/T000/B000/XXXX"), 3,
        Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(5)).toString())
        .contains("https://hooks.slack.com/services/***", "maxAttempts=3").doesNotContain("XXXX");
  }

  @Test
  void backoffDoublesUpToTheMaximum() {
    RetrySettings retries = new NotifyProperties(List.of(), 5, Duration.ofMillis(100), Duration.ofMillis(350),
        Duration.ofSeconds(1)).retries();
    assertThat(List.of(retries.backoff(1), retries.backoff(2), retries.backoff(3), retries.backoff(4)))
        .containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(350), Duration.ofMillis(350));
    assertThat(retries.longest()).as("5 deadlines and 4 of the longest waits").isEqualTo(Duration.ofMillis(6400));
  }

  @Test
  void badWebhookUrlsAreNamedWithoutTheirSecret() {
    assertThatThrownBy(() -> settings("ftp://files.example.org/t0ken")).hasMessage("rollback.notify.webhooks[0]"
        + " (ftp://files.example.org/***) is not an http or https URL with a host; expected for example"
        + " https://hooks.slack.com/services/...");
    assertThatThrownBy(() -> settings("https://ok.example.org/a", "https://bad host/t0ken"))
        .hasMessageStartingWith("rollback.notify.webhooks[1] is not a valid URL").hasMessageNotContaining("t0ken");
    assertThat(settings(" https://a.example.org/x ", "").webhooks()).containsExactly("https://a.example.org/x");
  }

  private static NotifyProperties settings(String... urls) {
    return new NotifyProperties(List.of(urls), 3, Duration.ofSeconds(1), Duration.ofSeconds(10),
        Duration.ofSeconds(5));
  }
}
