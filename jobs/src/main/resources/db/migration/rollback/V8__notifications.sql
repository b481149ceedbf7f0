-- Every webhook notification of a rollback (rollback.notify.webhooks) and whether it was delivered: a notification
-- that cannot be delivered never fails the rollback, it is recorded here (and shown in the command's output).
-- The URL is stored redacted (scheme, host and port only): webhook URLs hold tokens.
CREATE TABLE notifications (
  id               BIGSERIAL   PRIMARY KEY,
  event            TEXT        NOT NULL,   -- started, completed, failed, refused
  system           TEXT        NOT NULL,
  plan_id          TEXT,
  manifest_id      BIGINT,
  job_execution_id BIGINT,                 -- null for refused, and for started before the execution exists
  url              TEXT        NOT NULL,   -- redacted
  status           TEXT        NOT NULL CHECK (status IN ('delivered', 'failed')),
  attempts         INTEGER     NOT NULL,
  http_status      INTEGER,                -- of the last attempt; null when there was no response
  error            TEXT,                   -- why the last attempt failed
  payload          JSONB       NOT NULL,   -- what was (or would have been) sent
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX notifications_by_system ON notifications (system, created_at DESC);
CREATE INDEX notifications_undelivered ON notifications (created_at DESC) WHERE status = 'failed';
