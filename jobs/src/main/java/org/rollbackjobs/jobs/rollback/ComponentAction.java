package org.rollbackjobs.jobs.rollback;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a rollback does to one component of a system.
 *
 * @param component {@code dataset}, {@code feature}, {@code index}, {@code model} or {@code prompt}
 * @param name the component's name in the system file (a dataset's table)
 * @param action {@link #RESTORE}, {@link #RECOMPUTE}, {@link #SWITCH_BACK}, {@link #REBUILD}, {@link #SET_ALIAS},
 *     {@link #RETRAIN} or {@link #NONE}
 * @param from the component's current state, as the plan saw it
 * @param to the state the manifest pins
 * @param facts what the action involves (rows, documents, what can be reused), for the plan's reader
 */
public record ComponentAction(String component, String name, String action, String from, String to,
    Map<String, Object> facts) {
  public static final String DATASET = "dataset";
  public static final String FEATURE = "feature";
  public static final String INDEX = "index";
  public static final String MODEL = "model";
  public static final String PROMPT = "prompt";

  public static final String NONE = "none";
  public static final String RESTORE = "restore";
  public static final String RECOMPUTE = "recompute";
  public static final String SWITCH_BACK = "switch-back";
  public static final String REBUILD = "rebuild";
  public static final String RETRAIN = "retrain";
  /** A model's or prompt's registry alias set back to the pinned version ({@code from}, {@code to}: versions). */
  public static final String SET_ALIAS = "set-alias";

  public ComponentAction {
    facts = facts == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(facts)); // in order, for people
  }

  public boolean moves() {
    return !NONE.equals(action);
  }

  /** {@code component/name}: unique within a system. */
  public String key() {
    return component + "/" + name;
  }
}
