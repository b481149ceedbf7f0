-- Who did what, why, when and with which outcome: one row per state-changing run (and per refused one).
CREATE TABLE audit_log (
  id               BIGSERIAL PRIMARY KEY,
  recorded_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor            TEXT        NOT NULL,
  command          TEXT        NOT NULL,
  subject          TEXT,
  reason           TEXT,
  outcome          TEXT        NOT NULL,
  job_execution_id BIGINT,
  details          JSONB       NOT NULL DEFAULT '{}'::jsonb
);

CREATE INDEX audit_log_recorded_at ON audit_log (recorded_at DESC);
CREATE INDEX audit_log_subject ON audit_log (subject);
