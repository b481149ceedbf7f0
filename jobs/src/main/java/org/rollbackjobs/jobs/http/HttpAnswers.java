package org.rollbackjobs.jobs.http;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import org.rollbackjobs.jobs.secrets.Redaction;

/** What the suite reads from the answers of remote endpoints (retrain webhooks, MLflow, notification webhooks). */
public final class HttpAnswers {
  /** How much of an error answer's body goes into a message: enough to see the server's reason. */
  private static final int ERROR_BODY_CHARS = 300;

  private HttpAnswers() {
  }

  /** The answer's {@code Retry-After} header; null when absent or unreadable. */
  public static Duration retryAfter(HttpResponse<?> response) {
    return parseRetryAfter(response.headers().firstValue("Retry-After").orElse(null));
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

  /**
   * {@link #excerpt(String)} of the body with every credential sent in the request replaced by {@code ***} first: a
   * server or proxy may repeat the request in its error answer, Authorization header included.
   */
  public static String excerpt(String body, Collection<String> credentialsSent) {
    return excerpt(Redaction.scrub(body, credentialsSent));
  }

  /** ": " and the body on one line, cut short; empty for an empty body. Appended to "HTTP 500" and the like. */
  public static String excerpt(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    String oneLine = body.strip().replaceAll("\\s+", " ");
    return ": " + (oneLine.length() > ERROR_BODY_CHARS ? oneLine.substring(0, ERROR_BODY_CHARS) + "..." : oneLine);
  }
}
