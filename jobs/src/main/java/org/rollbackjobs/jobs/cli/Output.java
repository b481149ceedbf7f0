package org.rollbackjobs.jobs.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Writes a command's result to stdout: text for people, or with {@code --json} exactly one JSON object on one
 * line. Every JSON result carries {@code command}, {@code status} and {@code exit-code}; keys are kebab-case.
 */
public final class Output {
  public static final ObjectMapper JSON = JsonMapper.builder()
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      // kebab-case like Iceberg's own snapshot summary keys: from-snapshot, to-snapshot, job-execution-id
      .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
      .build();

  private Output() {}

  /** A JSON result object with the common fields first. */
  public static Map<String, Object> result(String command, String status, int exitCode) {
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("command", command);
    result.put("status", status);
    result.put("exit-code", exitCode);
    return result;
  }

  public static void print(CommandSpec spec, OutputOptions options, Map<String, Object> json, String text) {
    PrintWriter out = spec.commandLine().getOut();
    if (options.json()) {
      out.println(toJson(json));
    } else {
      out.print(text.endsWith("\n") ? text : text + "\n");
    }
    out.flush();
  }

  public static String toJson(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON result", e);
    }
  }
}
