package org.rollbackjobs.jobs;

import org.rollbackjobs.jobs.cli.Cli;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The job JAR. Help and usage errors are answered before Spring starts, so that {@code --help} works without
 * a database; every other command runs inside the Spring Boot application and launches a Spring Batch job.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RollbackJobsApplication {

  public static void main(String[] args) {
    Integer answered = Cli.answerWithoutSpring(args);
    if (answered != null) {
      System.exit(answered);
    }
    try {
      System.exit(SpringApplication.exit(SpringApplication.run(RollbackJobsApplication.class, args)));
    } catch (RuntimeException startFailed) {
      System.exit(Cli.startupFailure(args, startFailed));
    }
  }
}
