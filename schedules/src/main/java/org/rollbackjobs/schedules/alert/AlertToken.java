package org.rollbackjobs.schedules.alert;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The bearer token {@code POST /alerts} requires: the environment variable {@code ROLLBACK_ALERT_TOKEN}, else the
 * file {@code rollback.scheduler.alert-token-file} (its first line). Never taken from the command line, never
 * logged. Without one, every request is refused.
 */
public final class AlertToken {
  public static final String VARIABLE = "ROLLBACK_ALERT_TOKEN";
  private final byte[] token;

  private AlertToken(String token) {
    this.token = token == null || token.isBlank() ? null : token.strip().getBytes(StandardCharsets.UTF_8);
  }

  public static AlertToken from(String variable, Path file) {
    if (variable != null && !variable.isBlank()) {
      return new AlertToken(variable);
    }
    if (file == null) {
      return new AlertToken(null);
    }
    try {
      return new AlertToken(Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse(null));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read rollback.scheduler.alert-token-file " + file + ": "
          + e.getClass().getSimpleName());
    }
  }

  public boolean configured() {
    return token != null;
  }

  /** Whether an {@code Authorization} header carries the token (compared in constant time). */
  public boolean accepts(String authorization) {
    if (token == null || authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(token, given);
  }
}
