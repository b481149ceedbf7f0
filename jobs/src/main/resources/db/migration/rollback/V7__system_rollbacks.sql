-- System rollbacks: the plans (content-addressed: the id is a hash of the system, the manifest and every
-- component's current state and action), the approvals of a plan, and the record of every rollback run (for
-- time-to-rollback, MTTR and success rate). Unqualified names: Flyway runs with search_path = rollback.
CREATE TABLE rollback_plans (
  plan_id     TEXT        PRIMARY KEY,
  system      TEXT        NOT NULL,
  manifest_id BIGINT      NOT NULL REFERENCES manifests (id),
  level       INTEGER     NOT NULL CHECK (level BETWEEN 1 AND 4),
  content     JSONB       NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX rollback_plans_by_system ON rollback_plans (system, manifest_id, created_at DESC);

CREATE TABLE rollback_approvals (
  id          BIGSERIAL   PRIMARY KEY,
  plan_id     TEXT        NOT NULL REFERENCES rollback_plans (plan_id),
  approver    TEXT        NOT NULL,
  role        TEXT        NOT NULL,
  reason      TEXT        NOT NULL,
  approved_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (plan_id, role, approver)
);

CREATE TABLE rollbacks (
  id                  BIGSERIAL   PRIMARY KEY,
  job_instance_id     BIGINT      NOT NULL UNIQUE, -- one rollback; restarts continue it
  job_execution_id    BIGINT      NOT NULL,        -- its latest execution
  system              TEXT        NOT NULL,
  manifest_id         BIGINT      NOT NULL,
  plan_id             TEXT        NOT NULL,
  level               INTEGER     NOT NULL,
  actor               TEXT        NOT NULL,
  reason              TEXT        NOT NULL,
  approvals           JSONB       NOT NULL DEFAULT '[]'::jsonb,
  started_at          TIMESTAMPTZ NOT NULL,
  ended_at            TIMESTAMPTZ,
  time_to_rollback_ms BIGINT,
  components          JSONB       NOT NULL DEFAULT '[]'::jsonb,
  outcome             TEXT        NOT NULL
);

CREATE INDEX rollbacks_by_system ON rollbacks (system, started_at DESC);
