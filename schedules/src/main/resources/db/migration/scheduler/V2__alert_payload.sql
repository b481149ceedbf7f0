-- The alert as received (labels, annotations, startsAt, fingerprint): what another scheduler instance needs to take
-- over a rollback that waits for approvals after the instance that started it stopped.
ALTER TABLE alert_rollbacks ADD COLUMN alert JSONB;
