-- The scheduler's own tables, in schema rollback_scheduler (the job suite's are in rollback). Unqualified names:
-- Flyway runs with search_path = rollback_scheduler.

-- ShedLock's table (JdbcTemplateLockProvider, usingDbTime): one row per lock name; times are the database's.
CREATE TABLE shedlock (
  name       VARCHAR(64)  NOT NULL PRIMARY KEY,
  lock_until TIMESTAMPTZ  NOT NULL,
  locked_at  TIMESTAMPTZ  NOT NULL,
  locked_by  VARCHAR(255) NOT NULL
);

-- One row per drill slot: claimed by exactly one scheduler instance (the primary key), then completed with the
-- drill's outcome. Slots missed while no scheduler ran are recorded as 'missed'.
CREATE TABLE drill_slots (
  drill        TEXT        NOT NULL,   -- the drill's id in the schedules file (its system and index)
  slot         TIMESTAMPTZ NOT NULL,   -- the cron slot
  status       TEXT        NOT NULL CHECK (status IN ('running', 'passed', 'failed', 'aborted', 'missed')),
  instance     TEXT,                   -- the scheduler instance that ran it
  started_at   TIMESTAMPTZ,
  ended_at     TIMESTAMPTZ,
  exit_code    INTEGER,
  result       JSONB,                  -- the drill's one JSON line
  error        TEXT,
  PRIMARY KEY (drill, slot)
);

-- One row per alert acted on: Alertmanager delivers an alert more than once (HA pairs, retries); the key is the
-- alert's identity, so one alert starts at most one rollback.
CREATE TABLE alert_rollbacks (
  group_key    TEXT        NOT NULL,
  fingerprint  TEXT        NOT NULL,
  starts_at    TIMESTAMPTZ NOT NULL,
  alertname    TEXT,
  system       TEXT        NOT NULL,
  rule         INTEGER     NOT NULL,   -- index of the matching rule in the schedules file
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  status       TEXT        NOT NULL CHECK (status IN ('planning', 'waiting-approval', 'running', 'completed',
                                                      'mixed', 'noop', 'failed', 'refused', 'expired', 'aborted')),
  plan_id      TEXT,
  level        INTEGER,
  exit_code    INTEGER,
  result       JSONB,
  updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (group_key, fingerprint, starts_at)
);
