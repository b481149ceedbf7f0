package org.rollbackjobs.iceberg.features.engine;

import java.util.function.Consumer;
import org.apache.iceberg.LocationProviders;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;
import org.rollbackjobs.iceberg.features.RecomputePlan;

/**
 * Where and how workers write the feature table's data files: the planned table location (also for a table
 * that the commit will create), and a hook told each path before the file is created.
 */
public record OutputFiles(FileIO io, LocationProvider locations, RecomputePlan plan, Consumer<String> beforeCreate) {

  public static OutputFiles of(RecomputePlan plan, FileIO io, Consumer<String> beforeCreate) {
    return new OutputFiles(io, LocationProviders.locationsFor(plan.targetLocation(), plan.targetProperties()), plan,
        beforeCreate);
  }

  FeatureWriter writer(String prefix) {
    return new FeatureWriter(io, locations, plan.outputSchema(), plan.targetProperties(), prefix, beforeCreate);
  }
}
