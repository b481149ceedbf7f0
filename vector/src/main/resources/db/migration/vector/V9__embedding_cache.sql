-- Vectors already computed, by embedding version and content hash (SHA-256 of the embedded text): a rebuild
-- takes every vector it finds here instead of embedding the text again. Filled by every build whose vectors a
-- model computed; rows a live manifest pins are kept, others expire (rollback.vector.cache.keep).
-- A version name always means one pin (embedding_versions refuses a known name with another pin), so
-- (embedding_version, content_hash) identifies one vector. No dimension: one table serves every version.
CREATE TABLE embedding_cache (
    embedding_version text        NOT NULL REFERENCES embedding_versions (name),
    content_hash      text        NOT NULL,
    embedding         vector      NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    used_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (embedding_version, content_hash)
);

CREATE INDEX embedding_cache_used_at ON embedding_cache (used_at);
