package org.rollbackjobs.vector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.rollbackjobs.vector.http.ScriptedHttpServer.noAnswer;
import static org.rollbackjobs.vector.http.ScriptedHttpServer.retryAfter;
import static org.rollbackjobs.vector.http.ScriptedHttpServer.stalledBody;
import static org.rollbackjobs.vector.http.ScriptedHttpServer.status;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.rollbackjobs.vector.http.ScriptedHttpServer.Behaviour;
import org.rollbackjobs.vector.http.ScriptedHttpServer.Received;

/**
 * What every client of a remote endpoint does when the endpoint misbehaves, against a real local server scripted
 * per request: no answer, 5xx, 429 with {@code Retry-After}, a body that stalls after the headers, a
 * {@code Retry-After} longer than the maximum backoff. A subclass makes its client with {@link #MAX_ATTEMPTS},
 * {@link #TIMEOUT}, {@link #INITIAL_BACKOFF} and {@link #MAX_BACKOFF}, and calls it once. Every call must end
 * (the class timeout is a safety net: a call that hangs fails the test instead of the build).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class EndpointFaultMatrix {
  protected static final int MAX_ATTEMPTS = 3;
  protected static final Duration TIMEOUT = Duration.ofSeconds(1); // not shorter: a cold JVM on a busy machine
  protected static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
  protected static final Duration MAX_BACKOFF = Duration.ofSeconds(3);
  /** The most a call may take with these settings: every attempt up to its deadline, the longest waits. */
  private static final Duration LONGEST =
      new RetrySettings("", MAX_ATTEMPTS, TIMEOUT, INITIAL_BACKOFF, MAX_BACKOFF).longest();

  /** What one call did: succeeded, or the error the client reports (as a user gets to see it). */
  protected record Result(boolean succeeded, String error) {
    public static Result success() {
      return new Result(true, null);
    }

    public static Result failure(String error) {
      return new Result(false, error);
    }
  }

  protected ScriptedHttpServer server;

  /** The JSON body of a 200 answer of the endpoint to this request. */
  protected abstract String successBody(Received request);

  /** Calls the client once (its retries included) against {@link #server}. */
  protected abstract Result callOnce();

  /** How the client names the endpoint in its errors (without credentials). */
  protected abstract String endpointShown();

  @BeforeEach
  void startServer() {
    server = new ScriptedHttpServer(this::successBody);
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void anEndpointThatNeverAnswersIsGivenUpAfterEveryAttemptTimedOut() {
    assertEveryAttemptTimesOut(noAnswer());
  }

  /** Every attempt waited for its deadline, and the whole call ended within the bound. */
  private void assertEveryAttemptTimesOut(Behaviour behaviour) {
    server.otherwise(behaviour);
    long started = System.nanoTime();

    Result result = callOnce();

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).contains(endpointShown(), "HttpTimeoutException",
        "no complete answer within 1 s", "after 3 attempts");
    assertThat(server.received()).hasSize(MAX_ATTEMPTS);
    assertThat(took).isBetween(TIMEOUT.multipliedBy(MAX_ATTEMPTS), LONGEST);
  }

  @Test
  void serverErrorsAreRetriedWithBackoffUntilItSucceeds() {
    server.then(status(500), status(503));

    assertThat(callOnce()).isEqualTo(Result.success());

    List<Received> received = server.received();
    assertThat(received).hasSize(3);
    assertThat(received).extracting(Received::body).containsOnly(received.get(0).body());
    assertThat(Duration.between(received.get(0).at(), received.get(1).at())).as("initial backoff")
        .isGreaterThanOrEqualTo(INITIAL_BACKOFF);
    assertThat(Duration.between(received.get(1).at(), received.get(2).at())).as("doubled")
        .isGreaterThanOrEqualTo(INITIAL_BACKOFF.multipliedBy(2));
  }

  @Test
  void tooManyRequestsIsRetriedAfterTheWaitTheServerAsksFor() {
    server.then(retryAfter(429, "2"));

    assertThat(callOnce()).isEqualTo(Result.success());

    List<Received> received = server.received();
    assertThat(received).hasSize(2);
    assertThat(Duration.between(received.get(0).at(), received.get(1).at())).as("Retry-After: 2 honoured")
        .isGreaterThanOrEqualTo(Duration.ofMillis(1950));
  }

  @Test
  void aBodyThatStallsAfterTheHeadersEndsAtTheDeadlineOfEachAttempt() {
    assertEveryAttemptTimesOut(stalledBody()); // HttpRequest.timeout alone would wait for this body forever
  }

  @Test
  void anEndpointThatAlwaysFailsIsGivenUpAfterExactlyMaxAttemptsNamingEndpointStatusAndAttempts() {
    server.otherwise(status(500));

    Result result = callOnce();

    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).contains(endpointShown(), "HTTP 500", "after 3 attempts");
    assertThat(server.received()).hasSize(MAX_ATTEMPTS);
  }

  @Test
  void aRetryAfterLongerThanTheMaximumBackoffIsNotWaitedFor() {
    server.then(retryAfter(429, "30"));
    long started = System.nanoTime();

    Result result = callOnce();

    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.error()).contains(endpointShown(), "HTTP 429", "after 1 attempt",
        "the server asked with Retry-After to wait 30 s", "max-backoff 3 s", "not waited for");
    assertThat(server.received()).hasSize(1);
    assertThat(took).as("no wait for the 30 s asked").isLessThan(MAX_BACKOFF);
  }
}
