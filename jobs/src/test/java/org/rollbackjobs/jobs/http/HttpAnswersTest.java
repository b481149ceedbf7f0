package org.rollbackjobs.jobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class HttpAnswersTest {

  @Test
  void retryAfterInSecondsOrAsAnHttpDate() {
    assertThat(HttpAnswers.parseRetryAfter("7")).isEqualTo(Duration.ofSeconds(7));
    assertThat(HttpAnswers.parseRetryAfter(" 0 ")).isEqualTo(Duration.ZERO);
    String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
    assertThat(HttpAnswers.parseRetryAfter(inAMinute)).isBetween(Duration.ofSeconds(50), Duration.ofSeconds(60));
    assertThat(HttpAnswers.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(HttpAnswers.parseRetryAfter("-3")).isNull();
    assertThat(HttpAnswers.parseRetryAfter("soon")).isNull();
    assertThat(HttpAnswers.parseRetryAfter(null)).isNull();
  }

  @Test
  void anErrorBodyBecomesOneShortLine() {
    assertThat(HttpAnswers.excerpt(null)).isEmpty();
    assertThat(HttpAnswers.excerpt("  \n")).isEmpty();
    assertThat(HttpAnswers.excerpt("{\"error\":\n  \"busy\"}\n")).isEqualTo(": {\"error\": \"busy\"}");
    assertThat(HttpAnswers.excerpt("x".repeat(1000))).hasSize(2 + 300 + 3).endsWith("...");
  }
}
