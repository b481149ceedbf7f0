package org.rollbackjobs.vector.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** Reading {@code Retry-After}, and the checks of the retry settings; no network. */
class ExchangeTest {

  @Test
  void retryAfterInSecondsOrAsAnHttpDate() {
    assertThat(Exchange.parseRetryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(Exchange.parseRetryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    assertThat(Exchange.parseRetryAfter(inAMinute)).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60));
    assertThat(Exchange.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(Exchange.parseRetryAfter("-3")).isNull();
    assertThat(Exchange.parseRetryAfter("soon")).isNull();
    assertThat(Exchange.parseRetryAfter(null)).isNull();
  }

  @Test
  void settingsThatWouldNeverEndOrNeverTryAreRefusedNamingTheSetting() {
    assertThatThrownBy(() -> new RetrySettings("rollback.registry", 0, Duration.ofSeconds(1), Duration.ZERO,
        Duration.ZERO)).hasMessage("rollback.registry.max-attempts is 0; expected 1 or more");
    assertThatThrownBy(() -> new RetrySettings("rollback.registry", 3, Duration.ZERO, Duration.ZERO, Duration.ZERO))
        .hasMessage("rollback.registry.timeout is PT0S; expected a positive duration such as 10s");
    assertThatThrownBy(() -> new RetrySettings("", 3, Duration.ofSeconds(1), Duration.ofSeconds(-1), Duration.ZERO))
        .hasMessageStartingWith("initial-backoff and max-backoff must not be negative");
  }
}
