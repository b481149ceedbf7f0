package org.rollbackjobs.jobs.rollback;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.batch.core.partition.support.Partitioner;
import org.springframework.batch.item.ExecutionContext;

/**
 * One partition per component of a phase that moves, named by the component's key: the phase's components run in
 * parallel, and a restart runs again only those that did not complete.
 */
final class ComponentPartitioner implements Partitioner {
  private final RollbackPlan plan;
  private final List<String> components;

  ComponentPartitioner(RollbackPlan plan, List<String> components) {
    this.plan = plan;
    this.components = components;
  }

  @Override
  public Map<String, ExecutionContext> partition(int gridSize) {
    Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
    for (ComponentAction action : plan.components()) {
      if (action.moves() && components.contains(action.component())) {
        ExecutionContext context = new ExecutionContext();
        context.putString(ComponentTasklet.COMPONENT, action.key());
        partitions.put(action.key(), context);
      }
    }
    return partitions;
  }
}
