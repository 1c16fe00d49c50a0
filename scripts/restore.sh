#!/usr/bin/env bash
# Restore a `pg_dump -Fc` archive into a NEW database and check it (docs/operations.md, "Restore").
#
#   scripts/restore.sh DUMP_FILE TARGET_DATABASE_URL [COUNTS_JSON]
#
# TARGET_DATABASE_URL names a database that must not exist yet (postgres://user@host:port/name);
# the role needs CREATEDB and may create the extensions (btree_gist, pg_trgm, unaccent are
# trusted extensions from PostgreSQL 13, so the database owner can). COUNTS_JSON: the file
# `manage.py restore_check --write-counts` wrote on the source just before the dump.
set -euo pipefail

dump="${1:?dump file}"
target="${2:?target database URL}"
counts="${3:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"

name="${target##*/}"
server="${target%/*}/postgres"

echo "1/4 create the empty database $name"
psql "$server" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$name\""

echo "2/4 create the extensions the schema needs"
psql "$target" -v ON_ERROR_STOP=1 -q \
  -c "CREATE EXTENSION IF NOT EXISTS btree_gist" \
  -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" \
  -c "CREATE EXTENSION IF NOT EXISTS unaccent"

echo "3/4 pg_restore $dump"
# --no-owner/--no-privileges: the restoring role owns everything; --exit-on-error: stop at the first problem.
# The archive's own CREATE EXTENSION entries are skipped (-L list without them): step 2 made them.
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
pg_restore --list "$dump" | grep -v ' EXTENSION ' > "$list"
pg_restore --no-owner --no-privileges --exit-on-error -L "$list" -d "$target" "$dump"

echo "4/4 post-restore check"
DATABASE_URL="$target" "$python" "$here/manage.py" restore_check ${counts:+--expect "$counts"}
