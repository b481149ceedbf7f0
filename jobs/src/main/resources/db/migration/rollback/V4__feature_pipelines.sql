-- The feature pipeline versions the suite knows. A name and version identify one immutable definition: the
-- content hash recorded the first time a version is used refuses any other definition under that version.
CREATE TABLE feature_pipelines (
  name            TEXT        NOT NULL,
  version         TEXT        NOT NULL,
  definition_hash TEXT        NOT NULL,
  origin          TEXT        NOT NULL,
  description     TEXT        NOT NULL DEFAULT '',
  input_columns   TEXT        NOT NULL,
  output_columns  TEXT        NOT NULL,
  key_columns     TEXT        NOT NULL,
  registered_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  registered_by   TEXT        NOT NULL,
  PRIMARY KEY (name, version)
);
