-- pgvector side: the embedding versions known to the suite, the vector indexes it serves and their builds.
-- Unqualified names: Flyway runs this with search_path = rollback (spring.flyway.default-schema).

-- An embedding version is pinned by model, artifact hash (in-process models) or provider + revision (remote
-- models), dimension, normalisation and distance. A name always means the same pin: rows are never updated
-- except for their status.
CREATE TABLE embedding_versions (
  name                 TEXT        PRIMARY KEY,
  provider             TEXT        NOT NULL,
  model                TEXT        NOT NULL,
  artifact_sha256      TEXT,
  revision             TEXT,
  dimension            INT         NOT NULL CHECK (dimension > 0),
  normalization        TEXT        NOT NULL CHECK (normalization IN ('l2', 'none')),
  distance             TEXT        NOT NULL CHECK (distance IN ('cosine', 'l2', 'inner_product')),
  status               TEXT        NOT NULL DEFAULT 'registered'
                                   CHECK (status IN ('registered', 'active', 'previous', 'quarantined')),
  status_reason        TEXT,
  status_changed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  quarantined_by_build BIGINT,
  registered_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (artifact_sha256 IS NOT NULL OR revision IS NOT NULL)
);

-- One row per serving name (a view schema.name that applications query).
CREATE TABLE vector_indexes (
  index_schema     TEXT        NOT NULL,
  index_name       TEXT        NOT NULL,
  serving_build_id BIGINT,
  dimension        INT         NOT NULL,
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (index_schema, index_name)
);

-- Every build table made aside (and every table found serving a name before the suite managed it: 'legacy').
-- building -> loaded -> validated -> serving -> previous -> retired; failed when validation refused it.
CREATE TABLE index_builds (
  id                BIGSERIAL   PRIMARY KEY,
  index_schema      TEXT        NOT NULL,
  index_name        TEXT        NOT NULL,
  build_table       TEXT        NOT NULL,
  kind              TEXT        NOT NULL DEFAULT 'build' CHECK (kind IN ('build', 'legacy')),
  embedding_version TEXT,
  dimension         INT         NOT NULL,
  doc_id_type       TEXT        NOT NULL,
  source            TEXT,
  source_snapshot   BIGINT,
  ann               JSONB       NOT NULL DEFAULT '{}'::jsonb,
  status            TEXT        NOT NULL
                                CHECK (status IN ('building', 'loaded', 'validated', 'serving', 'previous',
                                                  'retired', 'failed')),
  rows              BIGINT,
  validation        JSONB,
  job_execution_id  BIGINT,
  reason            TEXT,
  actor             TEXT,
  created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  serving_since     TIMESTAMPTZ,
  replaced_at       TIMESTAMPTZ,
  keep_until        TIMESTAMPTZ,
  retired_at        TIMESTAMPTZ,
  UNIQUE (index_schema, build_table)
);

CREATE INDEX index_builds_by_index ON index_builds (index_schema, index_name, status);
