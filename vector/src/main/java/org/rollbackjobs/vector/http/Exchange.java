package org.rollbackjobs.vector.http;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * One attempt at a remote endpoint: the whole answer (status, headers, body), or the failure that left none
 * (connection refused or reset, no complete answer before the deadline).
 */
public record Exchange(HttpResponse<String> response, IOException failure) {

  public static Exchange answered(HttpResponse<String> response) {
    return new Exchange(response, null);
  }

  public static Exchange failed(IOException failure) {
    return new Exchange(null, failure);
  }

  public boolean answered() {
    return response != null;
  }

  /** The answer's status; null when there was no answer. */
  public Integer status() {
    return response == null ? null : response.statusCode();
  }

  /** The answer's body; null when there was no answer. */
  public String body() {
    return response == null ? null : response.body();
  }

  /** Whether the endpoint accepted the request (2xx). */
  public boolean succeeded() {
    return response != null && response.statusCode() >= 200 && response.statusCode() < 300;
  }

  /** Whether another attempt may succeed: no answer, 429 (too many requests) or 5xx. */
  public boolean retryable() {
    return response == null || response.statusCode() == 429 || response.statusCode() >= 500;
  }

  /** What a 429 or 503 asked for in {@code Retry-After}; null when it asked for nothing (or something unreadable). */
  public Duration retryAfter() {
    if (response == null || (response.statusCode() != 429 && response.statusCode() != 503)) {
      return null;
    }
    return parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null));
  }

  /**
   * {@code HTTP 503}, or the failure's class and message, for logs. The message of a failure is the HTTP client's
   * own or {@link BoundedHttp}'s and names no URL.
   */
  public String summary() {
    if (response != null) {
      return "HTTP " + response.statusCode();
    }
    return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
  }

  /** {@code Retry-After} as delay seconds or as an HTTP date (RFC 9110); null when absent or unreadable. */
  public static Duration parseRetryAfter(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    String value = header.strip();
    try {
      long seconds = Long.parseLong(value);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until = Duration.between(Instant.now(),
            ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException notADate) {
        return null;
      }
    }
  }
}
