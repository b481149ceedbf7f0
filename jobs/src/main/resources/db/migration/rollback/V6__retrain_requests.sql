-- Retrain requests (trigger-retrain): one row per request key, never changed once written; the outbox row that
-- every request gets; and the delivery status of each channel. Unqualified names: Flyway runs with
-- search_path = rollback.
CREATE TABLE retrain_requests (
  id               BIGSERIAL   PRIMARY KEY,
  request_key      TEXT        NOT NULL UNIQUE,
  system           TEXT        NOT NULL,
  model            TEXT        NOT NULL,
  model_version    TEXT,
  manifest_id      BIGINT      NOT NULL,
  trains_on        JSONB       NOT NULL,   -- [{"table":..., "snapshot-id":..., "kind":...}]
  supersedes       TEXT,                   -- key of the model's previous request when this one re-requests pins
  reason           TEXT        NOT NULL,
  actor            TEXT        NOT NULL,
  requested_at     TIMESTAMPTZ NOT NULL,
  job_execution_id BIGINT,
  payload          JSON        NOT NULL    -- the request as every channel receives it (json keeps the exact text)
);

CREATE INDEX retrain_requests_by_model ON retrain_requests (system, model, id DESC);

-- The transactional outbox: written in the same transaction as the request. Consumers poll by id
-- (WHERE id > last seen) and may record that they took a request in consumed_at / consumed_by.
CREATE TABLE retrain_outbox (
  id          BIGSERIAL   PRIMARY KEY,
  request_key TEXT        NOT NULL UNIQUE REFERENCES retrain_requests (request_key),
  system      TEXT        NOT NULL,
  model       TEXT        NOT NULL,
  payload     JSON        NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  consumed_at TIMESTAMPTZ,
  consumed_by TEXT
);

CREATE TABLE retrain_deliveries (
  request_id       BIGINT      NOT NULL REFERENCES retrain_requests (id),
  channel          TEXT        NOT NULL CHECK (channel IN ('outbox', 'webhook', 'airflow')),
  target           TEXT,                   -- URL (never credentials)
  status           TEXT        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         INT         NOT NULL DEFAULT 0,
  last_http_status INT,
  last_error       TEXT,
  last_attempt_at  TIMESTAMPTZ,
  delivered_at     TIMESTAMPTZ,
  PRIMARY KEY (request_id, channel)
);

CREATE FUNCTION retrain_requests_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.request_key <> OLD.request_key OR NEW.system <> OLD.system OR NEW.model <> OLD.model
     OR NEW.manifest_id <> OLD.manifest_id OR NEW.trains_on <> OLD.trains_on OR NEW.payload::text <> OLD.payload::text THEN
    RAISE EXCEPTION 'retrain request % is immutable', OLD.request_key;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER retrain_requests_immutable BEFORE UPDATE ON retrain_requests
  FOR EACH ROW EXECUTE FUNCTION retrain_requests_immutable();
