package org.rollbackjobs.vector.index;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a switch did.
 *
 * @param servingBuildId the build the name serves now
 * @param replacedBuildId the build it served before (null when the name is new)
 * @param legacyTable the table that served the name before the suite managed it, renamed to this (or null)
 * @param rollback whether the switch moved back to a version the index served before
 * @param quarantined versions quarantined by this switch
 * @param liftedQuarantine versions whose quarantine this switch lifted
 * @param unregisteredVersions versions found in the replaced relation that the registry does not know
 */
public record SwitchResult(long servingBuildId, Long replacedBuildId, String legacyTable, boolean rollback,
    List<String> quarantined, List<String> liftedQuarantine, List<String> unregisteredVersions) {

  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("serving-build-id", servingBuildId);
    map.put("replaced-build-id", replacedBuildId);
    map.put("legacy-table", legacyTable);
    map.put("rollback", rollback);
    map.put("quarantined", quarantined);
    map.put("lifted-quarantine", liftedQuarantine);
    map.put("unregistered-versions", unregisteredVersions);
    return map;
  }
}
