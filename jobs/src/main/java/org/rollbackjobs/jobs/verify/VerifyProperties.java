package org.rollbackjobs.jobs.verify;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code rollback.verify.*}.
 *
 * @param featureSampleKeys how many keys of a feature table are compared with a fresh computation at most (a
 *     deterministic hash sample above that; default 1,000,000)
 * @param examples example ids per finding (default 5)
 */
@ConfigurationProperties(prefix = "rollback.verify")
public record VerifyProperties(Long featureSampleKeys, Integer examples) {
  public VerifyProperties {
    featureSampleKeys = featureSampleKeys == null ? 1_000_000L : featureSampleKeys;
    examples = examples == null ? 5 : examples;
  }
}
