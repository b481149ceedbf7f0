package org.rollbackjobs.iceberg.features.yaml;

import java.util.Map;
import org.apache.commons.jexl3.JexlBuilder;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlFeatures;
import org.apache.commons.jexl3.introspection.JexlPermissions;

/**
 * The JEXL engine of YAML definitions: expressions only (no statements, loops, assignments, lambdas or
 * {@code new}), JEXL's restricted permissions (no reflection, I/O, processes or class loading), undefined
 * names are refused when a definition is loaded, and {@link FeatureArithmetic} for SQL-like nulls. Functions: {@code math:} is
 * {@link Math} ({@code math:min(amount, 10000.0)}, {@code math:abs(x)}, {@code math:log(x)}, ...).
 */
public final class Expressions {
  static final JexlFeatures FEATURES = new JexlFeatures()
      .script(false)
      .loops(false)
      .sideEffect(false)
      .sideEffectGlobal(false)
      .newInstance(false)
      .lambda(false)
      .pragma(false)
      .annotation(false);

  static final JexlEngine JEXL = new JexlBuilder()
      .features(FEATURES)
      .permissions(JexlPermissions.RESTRICTED)
      .namespaces(Map.of("math", Math.class))
      .arithmetic(new FeatureArithmetic())
      // names are checked when a definition is loaded; non-strict lets a name hold a null (missing value)
      .strict(false)
      .safe(false)
      .silent(false)
      .cache(512)
      .create();

  private Expressions() {}
}
