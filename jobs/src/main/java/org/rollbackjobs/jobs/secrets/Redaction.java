package org.rollbackjobs.jobs.secrets;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets out of text that is shown or stored: what a remote endpoint answers (it may repeat the request, its
 * Authorization header included), exception messages that name a URL, command lines. A secret is replaced by
 * {@value #MASK}.
 */
public final class Redaction {
  public static final String MASK = "***";
  /** Names of settings, options and URL parameters whose values are secrets. */
  private static final Pattern SECRET_NAME = Pattern.compile(
      "(?i).*(password|passwd|pwd|secret|token|credential|api[-_.]?key|access[-_.]?key|private[-_.]?key).*");
  /** {@code name=value} in a URL's query or a JDBC URL's parameters. */
  private static final Pattern PARAMETER = Pattern.compile("([?&;]([^=&;?#\\s]+)=)([^&;#\\s]*)");
  /** The password of a URL's user info: {@code //user:password@host}. */
  private static final Pattern USER_INFO = Pattern.compile("(//[^/@:\\s]*):([^/@\\s]*)@");

  private Redaction() {}

  /** Whether a setting, option or parameter of this name holds a secret ({@code jdbc.password}, {@code api-key}). */
  public static boolean isSecretName(String name) {
    return name != null && SECRET_NAME.matcher(name).matches();
  }

  /**
   * {@code text} with every occurrence of each secret (as given, and URL-encoded) replaced by {@value #MASK}, longest
   * first (a header value before the token in it). Null and empty secrets are ignored; null text stays null.
   */
  public static String scrub(String text, Collection<String> secrets) {
    if (text == null || secrets == null || secrets.isEmpty()) {
      return text;
    }
    Set<String> forms = new LinkedHashSet<>();
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        forms.add(secret);
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
      }
    }
    String scrubbed = text;
    for (String form : forms.stream().sorted(Comparator.comparingInt(String::length).reversed()).toList()) {
      scrubbed = scrubbed.replace(form, MASK);
    }
    return scrubbed;
  }

  /**
   * A URL (http or JDBC) as it may be shown: the password of its user info and the values of parameters named like
   * secrets ({@code password=}, {@code token=}, {@code api_key=}, ...) replaced by {@value #MASK}.
   */
  public static String url(String url) {
    if (url == null) {
      return null;
    }
    String shown = USER_INFO.matcher(url).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    return PARAMETER.matcher(shown).replaceAll(m -> Matcher.quoteReplacement(isSecretName(m.group(2))
        ? m.group(1) + MASK : m.group()));
  }

  /** The secrets in a URL: the password of its user info and the values of parameters named like secrets. */
  public static Set<String> secretsOfUrl(String url) {
    Set<String> secrets = new LinkedHashSet<>();
    if (url == null) {
      return secrets;
    }
    Matcher userInfo = USER_INFO.matcher(url);
    while (userInfo.find()) {
      secrets.add(userInfo.group(2));
    }
    Matcher parameter = PARAMETER.matcher(url);
    while (parameter.find()) {
      if (isSecretName(parameter.group(2))) {
        secrets.add(parameter.group(3));
      }
    }
    secrets.remove("");
    return secrets;
  }

  /**
   * The same failure with every message of its chain scrubbed of the secrets: each link keeps its class name (in
   * its text), message and stack trace, so that it reads and prints as the original did.
   */
  public static RuntimeException scrubFailure(Throwable e, Collection<String> secrets) {
    Throwable cause = e.getCause() == null || e.getCause() == e ? null : scrubFailure(e.getCause(), secrets);
    Redacted redacted = new Redacted(e.getClass().getName(), scrub(e.getMessage(), secrets), cause);
    redacted.setStackTrace(e.getStackTrace());
    return redacted;
  }

  /** A link of a scrubbed failure chain. */
  static final class Redacted extends RuntimeException {
    private final String type;

    Redacted(String type, String message, Throwable cause) {
      super(message, cause);
      this.type = type;
    }

    @Override
    public String toString() {
      return getMessage() == null ? type : type + ": " + getMessage();
    }
  }
}
