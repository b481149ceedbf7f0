-- SchemaMigrationTest: a migration the application's own locations do not have, so that a current schema becomes
-- one with something to migrate
CREATE TABLE rollback.schema_check_probe (id int);
