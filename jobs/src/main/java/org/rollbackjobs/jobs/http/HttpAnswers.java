package org.rollbackjobs.jobs.http;

import java.util.Collection;
import org.rollbackjobs.jobs.secrets.Redaction;

/**
 * How the suite shows the error answers of remote endpoints (retrain webhooks, MLflow, notification webhooks) in its
 * messages. {@code Retry-After} and retries: {@link org.rollbackjobs.vector.http.BoundedHttp}.
 */
public final class HttpAnswers {
  /** How much of an error answer's body goes into a message: enough to see the server's reason. */
  private static final int ERROR_BODY_CHARS = 300;

  private HttpAnswers() {
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
