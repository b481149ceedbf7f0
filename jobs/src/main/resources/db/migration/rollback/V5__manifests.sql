-- Version manifests: the pinned version of every component of a system, captured at deploys. Immutable: only
-- the retirement columns may change (trigger below). Unqualified names: Flyway runs with search_path = rollback.
CREATE TABLE manifests (
  id                 BIGSERIAL   PRIMARY KEY,
  system             TEXT        NOT NULL,
  created_at         TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor              TEXT        NOT NULL,
  reason             TEXT        NOT NULL,
  system_file_sha256 TEXT,
  inconsistent       BOOLEAN     NOT NULL DEFAULT false,
  findings           JSONB       NOT NULL DEFAULT '[]'::jsonb,
  job_execution_id   BIGINT,
  content            JSONB       NOT NULL,
  retired_at         TIMESTAMPTZ,
  retired_reason     TEXT,
  retired_by         TEXT
);

CREATE INDEX manifests_by_system ON manifests (system, id DESC);

CREATE FUNCTION manifests_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id <> OLD.id OR NEW.system <> OLD.system OR NEW.created_at <> OLD.created_at OR NEW.actor <> OLD.actor
     OR NEW.reason <> OLD.reason OR NEW.inconsistent <> OLD.inconsistent OR NEW.findings <> OLD.findings
     OR NEW.content <> OLD.content OR NEW.system_file_sha256 IS DISTINCT FROM OLD.system_file_sha256 THEN
    RAISE EXCEPTION 'manifest % is immutable: only its retirement may be recorded', OLD.id;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER manifests_immutable BEFORE UPDATE ON manifests
  FOR EACH ROW EXECUTE FUNCTION manifests_immutable();

CREATE FUNCTION manifests_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'manifest % is immutable: retire it instead of deleting it', OLD.id;
END $$;

CREATE TRIGGER manifests_no_delete BEFORE DELETE ON manifests
  FOR EACH ROW EXECUTE FUNCTION manifests_no_delete();
