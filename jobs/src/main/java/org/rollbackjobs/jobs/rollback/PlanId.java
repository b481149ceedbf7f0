package org.rollbackjobs.jobs.rollback;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.store.StoredJson;

/**
 * The id of a plan: {@code plan-} and the first 16 hex digits of the SHA-256 of the system (name and file hash),
 * the manifest, and every component's key, current state and action. Facts (row counts, estimates) are left out:
 * they describe the actions, they do not choose them.
 */
final class PlanId {
  private PlanId() {}

  static String of(String system, String systemSha256, long manifestId, List<ComponentAction> components) {
    Map<String, Object> content = new LinkedHashMap<>();
    content.put("system", system);
    content.put("system-sha256", systemSha256);
    content.put("manifest-id", manifestId);
    List<List<String>> states = new ArrayList<>();
    for (ComponentAction c : components) {
      states.add(List.of(c.key(), String.valueOf(c.from()), String.valueOf(c.to()), c.action()));
    }
    content.put("components", states);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(StoredJson.write(content).getBytes(StandardCharsets.UTF_8));
      return "plan-" + java.util.HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
