package org.rollbackjobs.vector.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls of a remote endpoint that always end: every attempt is bounded by a deadline for the whole exchange, and
 * retries are bounded by {@link RetrySettings}. {@code HttpRequest.timeout} alone bounds only the wait for the
 * answer's headers: a server that sends headers and then stalls (or trickles) the body would hold
 * {@code HttpClient.send} forever; here the exchange is abandoned (and its connection closed) at the deadline.
 * Shared by the suite's remote clients (retrain webhooks and Airflow, MLflow, notification webhooks, embedding
 * endpoints) so that they retry alike.
 */
public final class BoundedHttp {
  private static final Logger LOG = LoggerFactory.getLogger(BoundedHttp.class);

  private final HttpClient http;
  private final RetrySettings settings;

  public BoundedHttp(HttpClient http, RetrySettings settings) {
    this.http = Objects.requireNonNull(http, "http");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public RetrySettings settings() {
    return settings;
  }

  /** Why the attempts at one request stopped. */
  public enum Stop {
    /** An answer that is final: a success, or a failure not worth retrying (a 4xx). */
    FINAL_ANSWER,
    /** A retryable failure after the last attempt. */
    ATTEMPTS_USED_UP,
    /** A retryable failure whose {@code Retry-After} asks for a longer wait than the maximum backoff. */
    RETRY_AFTER_TOO_LONG,
    /** The thread was interrupted (the process is stopping). */
    INTERRUPTED
  }

  /**
   * How the attempts at one request ended.
   *
   * @param last the last attempt
   * @param attempts how many attempts were made
   * @param why what stopped the retries, for {@link Stop#RETRY_AFTER_TOO_LONG} and {@link Stop#INTERRUPTED}
   */
  public record Outcome(Exchange last, int attempts, Stop stop, String why) {
    public boolean succeeded() {
      return last.succeeded();
    }

    /**
     * Null for a final answer; else why a retryable failure was not retried, to follow "failed ":
     * {@code after 3 attempts}, {@code after 1 attempt (the server asked with Retry-After to wait 60 s, ...)}.
     */
    public String gaveUp() {
      if (stop == Stop.FINAL_ANSWER) {
        return null;
      }
      String after = "after " + attempts + (attempts == 1 ? " attempt" : " attempts");
      return why == null ? after : after + " (" + why + ")";
    }
  }

  /** {@link #call(String, HttpRequest, Consumer)} without looking at each attempt. */
  public Outcome call(String label, HttpRequest request) {
    return call(label, request, exchange -> { });
  }

  /**
   * Sends the request until it gets an answer that is not worth retrying, or the attempts are used up, or the
   * server asks to wait longer than the maximum backoff. Never throws for what the endpoint does.
   *
   * @param label names the endpoint in the warnings logged before each retry (without credentials)
   * @param onAttempt sees every attempt, before the next one
   */
  public Outcome call(String label, HttpRequest request, Consumer<Exchange> onAttempt) {
    for (int attempt = 1; ; attempt++) {
      Exchange exchange = exchange(request);
      onAttempt.accept(exchange);
      if (!exchange.retryable()) {
        return new Outcome(exchange, attempt, Stop.FINAL_ANSWER, null);
      }
      if (Thread.currentThread().isInterrupted()) {
        return new Outcome(exchange, attempt, Stop.INTERRUPTED, "interrupted");
      }
      if (attempt >= settings.maxAttempts()) {
        return new Outcome(exchange, attempt, Stop.ATTEMPTS_USED_UP, null);
      }
      Duration retryAfter = exchange.retryAfter();
      if (retryAfter != null && retryAfter.compareTo(settings.maxBackoff()) > 0) {
        return new Outcome(exchange, attempt, Stop.RETRY_AFTER_TOO_LONG, "the server asked with Retry-After to wait "
            + shown(retryAfter) + ", longer than " + settings.setting("max-backoff") + " "
            + shown(settings.maxBackoff()) + ": not waited for");
      }
      Duration wait = retryAfter != null ? retryAfter : settings.backoff(attempt);
      LOG.warn("{}: attempt {} of {} failed ({}), retrying in {} ms{}", label, attempt, settings.maxAttempts(),
          exchange.summary(), wait.toMillis(), retryAfter != null ? " as Retry-After asks" : "");
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(exchange, attempt, Stop.INTERRUPTED, "interrupted");
      }
    }
  }

  /** One attempt: the whole answer, or why there is none; at most the deadline long. */
  public Exchange exchange(HttpRequest request) {
    CompletableFuture<HttpResponse<String>> answer =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    try {
      return Exchange.answered(answer.get(settings.deadline().toNanos(), TimeUnit.NANOSECONDS));
    } catch (TimeoutException e) {
      answer.cancel(true); // closes the connection: the server may go on stalling, nobody waits for it
      return Exchange.failed(new HttpTimeoutException("no complete answer within " + shown(settings.deadline())
          + (settings.prefix().isEmpty() ? "" : " (" + settings.setting("timeout") + ")")));
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      return Exchange.failed(new InterruptedIOException("interrupted while waiting for the answer"));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        return Exchange.failed(io);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(cause);
    }
  }

  /** The URL as messages and logs may show it: without user info and query, where credentials may be. */
  public static String withoutCredentials(URI url) {
    String authority = url.getRawAuthority() == null ? "" : url.getRawAuthority().replaceFirst("^.*@", "");
    return url.getScheme() + "://" + authority + (url.getRawPath() == null ? "" : url.getRawPath());
  }

  private static String shown(Duration duration) {
    return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
  }
}
