#!/bin/sh
# Creates Temporal's two databases in the shared Postgres if missing and brings their schemas up to
# the version this admin-tools image ships. Every step is idempotent, so it runs on every `up`.
# The production-mode stack (scripts/lib/cluster.sh) runs it too, with the tool and the schema files
# it built and copied from go.temporal.io/server's module at the same version.
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD?SQL_PASSWORD is required}" # temporal-sql-tool reads the password from it (empty: trust)
PORT=${DB_PORT:-5432}
SCHEMA_DIR=${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema/postgresql/v12}
SQL_TOOL=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}

sql_tool() {
  "$SQL_TOOL" --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$PORT" -u "$POSTGRES_USER" "$@"
}

for pair in "${DBNAME:-temporal}:temporal" "${VISIBILITY_DBNAME:-temporal_visibility}:visibility"; do
  db=${pair%%:*}
  schema=${pair#*:}
  echo "[temporal-schema] $db: create, setup, update"
  sql_tool --db "$db" create
  # setup-schema only stamps version 0.0 on a fresh database; on a migrated one it is a no-op.
  sql_tool --db "$db" setup-schema -v 0.0
  sql_tool --db "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
done
echo "[temporal-schema] done"
