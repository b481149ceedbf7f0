package org.rollbackjobs.jobs.secrets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Secrets taken out of text, URLs and failures: no Spring, no network. */
class RedactionTest {

  @Test
  void everySecretIsMaskedTheLongestFirstAlsoUrlEncoded() {
    String echoed = "refused: Authorization: Basic dXNlcjpwIHc=; token=t0k/en, t0k%2Fen, again t0k/en";
    assertThat(Redaction.scrub(echoed, List.of("t0k/en", "Basic dXNlcjpwIHc=", "dXNlcjpwIHc=")))
        .isEqualTo("refused: Authorization: ***; token=***, ***, again ***");
    assertThat(Redaction.scrub("nothing secret", List.of())).isEqualTo("nothing secret");
    assertThat(Redaction.scrub((String) null, List.of("x"))).isNull();
    assertThat(Redaction.scrub("a b", java.util.Arrays.asList(null, ""))).isEqualTo("a b");
  }

  @Test
  void urlsShowNoPasswordNorSecretParameters() {
    assertThat(Redaction.url("jdbc:postgresql://db:5432/lake?user=u&password=p%40ss&ssl=true"))
        .isEqualTo("jdbc:postgresql://db:5432/lake?user=u&password=***&ssl=true");
    assertThat(Redaction.url("https://bot:s3cret@hooks.example.org/x?api_key=k&access_token=t&v=1"))
        .isEqualTo("https://bot:***@hooks.example.org/x?api_key=***&access_token=***&v=1");
    assertThat(Redaction.url("jdbc:sqlserver://db;user=u;password=p;encrypt=true"))
        .isEqualTo("jdbc:sqlserver://db;user=u;password=***;encrypt=true");
    assertThat(Redaction.url("/tmp/warehouse")).isEqualTo("/tmp/warehouse");
    assertThat(Redaction.secretsOfUrl("https://bot:s3cret@h/x?token=t&v=1&password=")).containsExactly("s3cret", "t");
  }

  @Test
  void secretNamesAreRecognised() {
    assertThat(List.of("password", "jdbc.password", "--spring.datasource.password", "api-key", "OPENAI_API_KEY",
        "s3.secret-access-key", "client.credential", "token", "access_token", "s3.access-key-id"))
        .allMatch(Redaction::isSecretName);
    assertThat(List.of("user", "uri", "warehouse", "--json", "--table", "keys")).noneMatch(Redaction::isSecretName);
  }

  @Test
  void aScrubbedFailureReadsAndPrintsAsTheOriginalWithoutTheSecret() {
    SQLException cause = new SQLException("connection to jdbc:x?password=hunter2 refused", "08001");
    RuntimeException failure = new IllegalStateException("Failed to connect: jdbc:x?password=hunter2", cause);
    RuntimeException scrubbed = Redaction.scrubFailure(failure, List.of("hunter2"));
    assertThat(scrubbed.getMessage()).isEqualTo("Failed to connect: jdbc:x?password=***");
    assertThat(scrubbed.getCause().getMessage()).isEqualTo("connection to jdbc:x?password=*** refused");
    assertThat(scrubbed.getStackTrace()).isEqualTo(failure.getStackTrace());
    StringWriter printed = new StringWriter();
    scrubbed.printStackTrace(new PrintWriter(printed));
    assertThat(printed.toString()).startsWith("java.lang.IllegalStateException: Failed to connect")
        .contains("Caused by: java.sql.SQLException: connection to").doesNotContain("hunter2");
  }
}
