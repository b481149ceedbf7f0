package org.rollbackjobs.jobs;

import org.rollbackjobs.jobs.cli.Cli;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The job JAR. Help and usage errors are answered before Spring starts, so that {@code --help} works without
 * a database; every other command runs inside the Spring Boot application and launches a Spring Batch job.
 *
 * <p>{@link #main} refers to no Spring type: the JVM verifies a class's methods when it links the class, and
 * verifying a call into Spring would load Spring's classes (and open the JARs they are in) before the command
 * line is even read. The application is started by {@link ApplicationStart}.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RollbackJobsApplication {
  private static final String NO_GROOVY_CLOSURES = "picocli.disable.closures";

  public static void main(String[] args) {
    // picocli's default factory looks for Groovy's Closure class by name; the miss reads every JAR on the class
    // path (0.1 s of every --help). There are no Groovy closures here.
    if (System.getProperty(NO_GROOVY_CLOSURES) == null) {
      System.setProperty(NO_GROOVY_CLOSURES, "true");
    }
    Integer answered = Cli.answerWithoutSpring(args);
    if (answered != null) {
      System.exit(answered);
    }
    System.exit(ApplicationStart.run(args));
  }
}
