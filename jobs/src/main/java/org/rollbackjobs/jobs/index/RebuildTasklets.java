package org.rollbackjobs.jobs.index;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rollbackjobs.jobs.launch.JobOutcomes;
import org.rollbackjobs.jobs.store.StoredJson;
import org.rollbackjobs.vector.embedding.EmbeddingCache;
import org.rollbackjobs.vector.index.IndexBuild;
import org.rollbackjobs.vector.index.IndexRebuild;
import org.rollbackjobs.vector.index.RebuildPlan;
import org.rollbackjobs.vector.index.SwitchBack;
import org.rollbackjobs.vector.index.SwitchResult;
import org.rollbackjobs.vector.index.ValidationFailedException;
import org.rollbackjobs.vector.index.ValidationReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.StepContribution;
import org.springframework.batch.core.StepExecution;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.item.ExecutionContext;
import org.springframework.batch.repeat.RepeatStatus;
import org.springframework.stereotype.Component;

/**
 * The tasklet steps of the {@code rebuild-index} job around its load step: each runs one stage of the vector
 * library's {@link IndexRebuild} and records its result in the job's execution context.
 */
@Component
class RebuildTasklets {
  private static final Logger LOG = LoggerFactory.getLogger(RebuildTasklets.class);
  private final UnfinishedBuilds unfinished;
  private final RebuildIndexFactory factory;

  RebuildTasklets(RebuildIndexFactory factory, UnfinishedBuilds unfinished) {
    this.factory = factory;
    this.unfinished = unfinished;
  }

  private static StepExecution step(ChunkContext chunk) {
    return chunk.getStepContext().getStepExecution();
  }

  /** Registers the build and creates its empty table aside; the serving name is untouched. */
  Tasklet prepare() {
    return (StepContribution contribution, ChunkContext chunk) -> {
      StepExecution step = step(chunk);
      ExecutionContext job = RebuildContext.job(step);
      if (job.containsKey(RebuildContext.BUILD_ID)) {
        return RepeatStatus.FINISHED; // a restarted run keeps its build
      }
      IndexRebuild rebuild = factory.rebuild(RebuildContext.request(step)).jobExecutionId(step.getJobExecutionId());
      RebuildPlan plan = rebuild.plan();
      IndexBuild build = rebuild.createBuild();
      job.putLong(RebuildContext.BUILD_ID, build.id());
      RebuildIndexRequest request = RebuildContext.request(step);
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("embedding", request.embedding());
      details.put("source", request.sourceTable() == null ? "query" : request.sourceTable());
      details.put("source-snapshot", request.sourceSnapshot());
      details.put("build-id", build.id());
      JobOutcomes.details(job, details);
      job.putLong(RebuildContext.DOCUMENTS, plan.documents());
      RebuildContext.putNullable(job, RebuildContext.EXPECTED_SERVING, plan.serving().servingBuildId());
      LOG.info("rebuild-index {}: build {} ({}) of {} documents from {}, version {}", rebuild.index(), build.id(),
          build.buildTable(), plan.documents(), plan.source(), plan.version().name());
      return RepeatStatus.FINISHED;
    };
  }

  /**
   * Takes every cached vector of the version for the documents' texts into the empty build (one transaction inside
   * PostgreSQL); the load then embeds only the rest. A restart after it completed does not run it again.
   */
  Tasklet reuseVectors() {
    return (contribution, chunk) -> {
      StepExecution step = step(chunk);
      IndexRebuild rebuild = factory.rebuild(RebuildContext.request(step));
      EmbeddingCache.Reuse reuse = rebuild.progress(LOG::info).reuseVectors(RebuildContext.build(step, factory));
      ExecutionContext job = RebuildContext.job(step);
      job.putLong(RebuildContext.REUSED, reuse.reused());
      JobOutcomes.details(job, Map.of("vectors-reused", reuse.reused(), "reuse", rebuild.reuses()));
      return RepeatStatus.FINISHED;
    };
  }

  Tasklet annIndex() {
    return (contribution, chunk) -> {
      StepExecution step = step(chunk);
      IndexRebuild rebuild = factory.rebuild(RebuildContext.request(step));
      IndexBuild build = RebuildContext.build(step, factory);
      long cached = rebuild.cacheVectors(build); // before the ANN index: a failed validation still leaves them
      if (cached > 0) {
        LOG.info("rebuild-index {}: {} vectors of {} added to the embedding cache", rebuild.index(), cached,
            build.embeddingVersion());
      }
      LOG.info("rebuild-index {}: creating the {} index of build {}", rebuild.index(),
          RebuildContext.request(step).ann().shape(), build.id());
      long millis = rebuild.createAnnIndex(build).toMillis();
      RebuildContext.job(step).putLong(RebuildContext.ANN_MILLIS, millis);
      LOG.info("rebuild-index {}: ANN index built in {} ms", rebuild.index(), millis);
      return RepeatStatus.FINISHED;
    };
  }

  Tasklet validate() {
    return (contribution, chunk) -> {
      StepExecution step = step(chunk);
      IndexRebuild rebuild = factory.rebuild(RebuildContext.request(step));
      IndexBuild build = RebuildContext.build(step, factory);
      ValidationReport report = rebuild.validate(build);
      RebuildContext.job(step).putString(RebuildContext.VALIDATION, StoredJson.write(report.toMap()));
      if (!report.passed()) {
        throw new ValidationFailedException(build, report);
      }
      LOG.info("rebuild-index {}: build {} validated ({} rows, recall {})", rebuild.index(), build.id(),
          report.rows(), report.recall());
      return RepeatStatus.FINISHED;
    };
  }

  Tasklet switchServing() {
    return (contribution, chunk) -> {
      StepExecution step = step(chunk);
      ExecutionContext job = RebuildContext.job(step);
      IndexRebuild rebuild = factory.rebuild(RebuildContext.request(step));
      IndexBuild build = RebuildContext.build(step, factory);
      SwitchResult result = rebuild.switchTo(build, RebuildContext.nullable(job, RebuildContext.EXPECTED_SERVING));
      job.putString(RebuildContext.SWITCH, StoredJson.write(result.toMap()));
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("rows", build.rows());
      details.put("replaced-build-id", result.toMap().get("replaced-build-id"));
      details.put("quarantined", result.toMap().get("quarantined"));
      JobOutcomes.details(job, details);
      LOG.info("rebuild-index {}: now serving build {}{}", rebuild.index(), build.id(),
          result.quarantined().isEmpty() ? "" : "; quarantined " + result.quarantined());
      return RepeatStatus.FINISHED;
    };
  }

  Tasklet retire() {
    return (contribution, chunk) -> {
      StepExecution step = step(chunk);
      RebuildIndexRequest request = RebuildContext.request(step);
      List<Long> discarded = unfinished.discard(request.indexName(), step.getJobExecution());
      List<IndexBuild> retired = IndexRebuild.of(factory.dataSource()).index(request.indexName()).retire();
      long expired = factory.expireCache();
      RebuildContext.job(step).putString(RebuildContext.RETIRED,
          StoredJson.write(retired.stream().map(IndexBuild::toMap).toList()));
      JobOutcomes.details(RebuildContext.job(step), Map.of("retired-builds", retired.size(),
          "cache-expired", expired, "discarded-unfinished-builds", discarded));
      return RepeatStatus.FINISHED;
    };
  }

  /** The whole switch-back job: one transaction. */
  Tasklet switchBack() {
    return (contribution, chunk) -> {
      StepExecution step = step(chunk);
      SwitchBackRequest request = SwitchBackRequest.fromJobParameters(step.getJobParameters());
      SwitchResult result = SwitchBack.of(factory.dataSource()).index(request.indexName())
          .coolDown(request.coolDown()).overrideQuarantine(request.overrideQuarantine())
          .lockTimeout(factory.properties().lockTimeout())
          .reason(request.reason()).actor(request.actor()).commit();
      RebuildContext.job(step).putString(RebuildContext.SWITCH_BACK, StoredJson.write(result.toMap()));
      JobOutcomes.details(RebuildContext.job(step), result.toMap());
      return RepeatStatus.FINISHED;
    };
  }
}
