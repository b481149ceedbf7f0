package org.rollbackjobs.jobs.notify;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Set;

/** Webhook URLs as they may be shown: a webhook URL often holds a token in its path or query (Slack's do). */
public final class Webhooks {
  private static final Set<String> PUBLIC_PREFIXES = Set.of("services", "hooks", "api", "webhook", "webhooks");

  private Webhooks() {}

  /**
   * The URL without what follows the host, which may be a secret: {@code https://hooks.slack.com/services/T0/B0/XYZ}
   * is shown as {@code https://hooks.slack.com/services/***}. The first path segment is kept only when it is one of
   * the well-known, secret-free prefixes {@code services}, {@code hooks}, {@code api}, {@code webhook},
   * {@code webhooks} (and something follows it); user info, the rest of the path, query and fragment are never
   * shown. Never fails: what cannot be parsed is {@code ***}.
   */
  public static String redact(String url) {
    if (url == null) {
      return "***";
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      return "***";
    }
    if (uri.getScheme() == null || uri.getHost() == null) {
      return "***";
    }
    StringBuilder shown = new StringBuilder(uri.getScheme().toLowerCase()).append("://").append(uri.getHost());
    if (uri.getPort() != -1) {
      shown.append(':').append(uri.getPort());
    }
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    boolean more = !(path.isEmpty() || path.equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null;
    if (!more) {
      return shown.toString();
    }
    String[] segments = path.split("/");
    if (segments.length > 2 && PUBLIC_PREFIXES.contains(segments[1].toLowerCase())) {
      shown.append('/').append(segments[1]);
    }
    return shown.append("/***").toString();
  }

  public static String redact(URI url) {
    return redact(url.toString());
  }

  /** {@code text} (an error message, say) with every occurrence of the URL, its path and its query redacted. */
  public static String scrub(String text, URI url) {
    if (text == null) {
      return null;
    }
    String scrubbed = text.replace(url.toString(), redact(url));
    for (String secret : new String[] {url.getRawPath(), url.getPath(), url.getRawQuery(), url.getQuery()}) {
      if (secret != null && secret.length() > 1) {
        scrubbed = scrubbed.replace(secret, "/***");
      }
    }
    return scrubbed;
  }
}
