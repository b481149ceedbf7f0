package org.rollbackjobs.jobs.drill;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The phases of one drill in the order they ran, each with its duration: the report's timeline. */
final class Phases {
  private final List<Map<String, Object>> phases = new ArrayList<>();

  <T> T time(String name, Supplier<T> work) {
    long started = System.nanoTime();
    try {
      return work.get();
    } finally {
      add(name, (System.nanoTime() - started) / 1_000_000);
    }
  }

  void time(String name, Runnable work) {
    time(name, () -> {
      work.run();
      return null;
    });
  }

  void add(String name, long durationMs) {
    Map<String, Object> phase = new LinkedHashMap<>();
    phase.put("name", name);
    phase.put("duration-ms", durationMs);
    phases.add(phase);
  }

  List<Map<String, Object>> list() {
    return List.copyOf(phases);
  }
}
