package org.rollbackjobs.jobs.retrain;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.rollbackjobs.jobs.system.ModelSpec;
import org.rollbackjobs.jobs.system.TriggerSpec;
import org.rollbackjobs.jobs.system.TriggerSpec.AirflowTrigger;

/**
 * An HTTP channel of a model's retrain trigger: its webhook, or its Airflow DAG (the outbox row needs no
 * channel: every request gets one).
 *
 * @param name {@code webhook} or {@code airflow}
 * @param url where the request is POSTed (for Airflow the dagRuns endpoint of the DAG)
 * @param airflow the Airflow settings (null for the webhook)
 */
public record RetrainChannel(String name, URI url, AirflowTrigger airflow) {

  /** The HTTP channels configured for the model, webhook first. */
  public static List<RetrainChannel> of(ModelSpec model) {
    TriggerSpec trigger = model.trigger();
    List<RetrainChannel> channels = new ArrayList<>();
    if (trigger.webhook() != null) {
      channels.add(new RetrainChannel(RetrainStore.WEBHOOK, trigger.webhook(), null));
    }
    if (trigger.airflow() != null) {
      channels.add(new RetrainChannel(RetrainStore.AIRFLOW, dagRuns(trigger.airflow()), trigger.airflow()));
    }
    return channels;
  }

  /** {@code {url}/api/v1/dags/{dag}/dagRuns} of Airflow's stable REST API. */
  static URI dagRuns(AirflowTrigger airflow) {
    String base = airflow.url().toString().replaceAll("/+$", "");
    return URI.create(base + "/api/v1/dags/" + airflow.dag() + "/dagRuns");
  }

  /** The URL without user info or query (what is recorded and printed). */
  public String target() {
    return url.getScheme() + "://" + url.getRawAuthority().replaceFirst("^.*@", "") + url.getRawPath();
  }
}
