-- Rollback drills (drill): one row per drill run, written when it starts (verdict 'running') and completed when it
-- ends. A drill killed on the way stays 'running' until the next drill of the system, which holds the system's
-- lock and so knows it is dead: it removes its sandbox and marks it 'aborted'. report reads this table (and
-- rollbacks) for pass rate, staleness and time-to-rollback. Unqualified names: Flyway runs with
-- search_path = rollback.
CREATE TABLE drills (
  run_id                TEXT        PRIMARY KEY,   -- names the sandbox: branches drill-<run_id>, schema rollback_drill_<run_id>
  system                TEXT        NOT NULL,
  manifest_id           BIGINT      NOT NULL,
  inject                TEXT        NOT NULL,      -- none, bad-load, stale-features, mixed-embeddings
  hypothesis            TEXT        NOT NULL,      -- the sentence the drill tests
  actor                 TEXT        NOT NULL,
  reason                TEXT        NOT NULL,
  started_at            TIMESTAMPTZ NOT NULL,
  ended_at              TIMESTAMPTZ,
  verdict               TEXT        NOT NULL CHECK (verdict IN ('running', 'passed', 'failed', 'aborted')),
  exit_code             INTEGER,
  detected              BOOLEAN,                   -- the injected fault was found by verify (null: nothing injected)
  production_untouched  BOOLEAN,
  time_to_rollback_ms   BIGINT,                    -- the sandbox rollback's run, start to end
  phases                JSONB       NOT NULL DEFAULT '[]'::jsonb,  -- [{"name":..., "duration-ms":...}] in order
  findings_before       JSONB       NOT NULL DEFAULT '[]'::jsonb,
  findings_after        JSONB       NOT NULL DEFAULT '[]'::jsonb,
  fingerprints          JSONB       NOT NULL DEFAULT '[]'::jsonb,  -- [{"name":..., "before":..., "after":...}]
  job_execution_id      BIGINT,                    -- the sandbox's system-rollback execution
  kept                  BOOLEAN     NOT NULL DEFAULT false,        -- --keep: the sandbox was left for inspection
  error                 TEXT
);

CREATE INDEX drills_by_system ON drills (system, started_at DESC);
