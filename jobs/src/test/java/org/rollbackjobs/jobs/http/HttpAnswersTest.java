package org.rollbackjobs.jobs.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HttpAnswersTest {

  @Test
  void anErrorBodyBecomesOneShortLine() {
    assertThat(HttpAnswers.excerpt(null)).isEmpty();
    assertThat(HttpAnswers.excerpt("  \n")).isEmpty();
    assertThat(HttpAnswers.excerpt("{\"error\":\n  \"busy\"}\n")).isEqualTo(": {\"error\": \"busy\"}");
    assertThat(HttpAnswers.excerpt("x".repeat(1000))).hasSize(2 + 300 + 3).endsWith("...");
  }
}
