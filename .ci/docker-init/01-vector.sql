-- pgvector in the default database and in template1 (databases created later have it too)
CREATE EXTENSION IF NOT EXISTS vector;
\c template1
CREATE EXTENSION IF NOT EXISTS vector;
