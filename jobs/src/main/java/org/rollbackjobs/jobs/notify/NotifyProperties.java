package org.rollbackjobs.jobs.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.rollbackjobs.vector.http.BoundedHttp;
import org.rollbackjobs.vector.http.RetrySettings;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code rollback.notify.*}: the webhooks that hear about every rollback ({@code started}, {@code completed},
 * {@code failed}, {@code refused}) and how their deliveries are retried. Connection errors, timeouts, 429 and 5xx
 * are retried with exponential backoff ({@code Retry-After} of a 429 or 503 is honoured while it is not longer
 * than {@code max-backoff}); a notification that cannot be delivered never fails the rollback.
 *
 * <p>Webhook URLs often hold a token (Slack's do): give them in the environment or a configuration file, not on
 * the command line. They are never printed whole: see {@link Webhooks#redact}.
 *
 * @param webhooks the URLs (http or https), each gets every event as Slack-compatible JSON (default: none)
 * @param maxAttempts attempts per webhook and event, the first included (default 3)
 * @param initialBackoff wait before the second attempt, doubled for each further one (default 1s)
 * @param maxBackoff the longest wait between two attempts, and the longest {@code Retry-After} honoured (default
 *     10s)
 * @param timeout the deadline of one attempt: connecting, sending and receiving the whole answer, body included
 *     (default 5s). A delivery to one webhook ends within max-attempts x (timeout + max-backoff)
 */
@ConfigurationProperties(prefix = "rollback.notify")
public record NotifyProperties(
    @DefaultValue({}) List<String> webhooks,
    @DefaultValue("3") int maxAttempts,
    @DefaultValue("1s") Duration initialBackoff,
    @DefaultValue("10s") Duration maxBackoff,
    @DefaultValue("5s") Duration timeout) {

  public NotifyProperties {
    List<String> urls = new ArrayList<>();
    for (int i = 0; i < webhooks.size(); i++) {
      String url = webhooks.get(i) == null ? "" : webhooks.get(i).trim();
      if (url.isEmpty()) {
        continue; // ROLLBACK_NOTIFY_WEBHOOKS= (set but empty) means none
      }
      checkUrl(i, url);
      urls.add(url);
    }
    webhooks = List.copyOf(urls);
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("rollback.notify.max-attempts is " + maxAttempts + "; expected 1 or more");
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("rollback.notify.initial-backoff and max-backoff must not be negative");
    }
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("rollback.notify.timeout is " + timeout + "; expected a positive duration"
          + " such as 5s");
    }
  }

  /** The settings with the webhook URLs redacted: a URL holds a token. */
  @Override
  public String toString() {
    return "NotifyProperties[webhooks=" + webhooks.stream().map(Webhooks::redact).toList() + ", maxAttempts="
        + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + ", timeout=" + timeout
        + "]";
  }

  /** The retries as {@link BoundedHttp} takes them. */
  public RetrySettings retries() {
    return new RetrySettings("rollback.notify", maxAttempts, timeout, initialBackoff, maxBackoff);
  }

  /** The URLs as URIs, in configuration order. */
  public List<URI> uris() {
    return webhooks.stream().map(URI::create).toList();
  }

  private static void checkUrl(int index, String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      // never the URL itself in the message: it may hold a token
      throw new IllegalArgumentException("rollback.notify.webhooks[" + index + "] is not a valid URL ("
          + e.getReason() + " at index " + e.getIndex() + "); expected for example https://hooks.slack.com/services/...");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
    if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
      throw new IllegalArgumentException("rollback.notify.webhooks[" + index + "] (" + Webhooks.redact(url)
          + ") is not an http or https URL with a host; expected for example https://hooks.slack.com/services/...");
    }
  }
}
