#!/usr/bin/env bash
# Restore a `pg_dump -Fc` archive into a NEW database and check it (docs/operations.md, "Restore").
#
#   scripts/restore.sh DUMP_FILE TARGET_DATABASE_URL [COUNTS_JSON [MEDIA_BACKUP_DIR]]
#
# TARGET_DATABASE_URL names a database that must not exist yet (postgres://user@host:port/name);
# the role needs CREATEDB and may create the extensions (btree_gist, pg_trgm, unaccent are
# trusted extensions from PostgreSQL 13, so the database owner can). COUNTS_JSON: the file
# `manage.py restore_check --write-counts` wrote on the source just before the dump.
# MEDIA_BACKUP_DIR: the copy of MEDIA_ROOT from the same night; it is copied into MEDIA_ROOT (taken from
# the environment, as the application reads it) and every file the database names is checked.
set -euo pipefail

dump="${1:?dump file}"
target="${2:?target database URL}"
counts="${3:-}"
media_backup="${4:-}"
here="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-$here/.venv/bin/python}"

name="${target##*/}"
server="${target%/*}/postgres"

echo "1/5 create the empty database $name"
psql "$server" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$name\""

echo "2/5 create the extensions the schema needs"
psql "$target" -v ON_ERROR_STOP=1 -q \
  -c "CREATE EXTENSION IF NOT EXISTS btree_gist" \
  -c "CREATE EXTENSION IF NOT EXISTS pg_trgm" \
  -c "CREATE EXTENSION IF NOT EXISTS unaccent"

echo "3/5 pg_restore $dump"
# --no-owner/--no-privileges: the restoring role owns everything; --exit-on-error: stop at the first problem.
# The archive's own CREATE EXTENSION entries are skipped (-L list without them): step 2 made them.
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
pg_restore --list "$dump" | grep -v ' EXTENSION ' > "$list"
pg_restore --no-owner --no-privileges --exit-on-error -L "$list" -d "$target" "$dump"

if [ -n "$media_backup" ]; then
  media_root="${MEDIA_ROOT:?set MEDIA_ROOT to the media directory the restored application will use}"
  echo "4/5 copy the media files $media_backup -> $media_root"
  mkdir -p "$media_root"
  rsync -a "$media_backup"/ "$media_root"/
else
  echo "4/5 media: not copied (no MEDIA_BACKUP_DIR given; copy MEDIA_ROOT yourself, then run restore_check --media)"
fi

echo "5/5 post-restore check"
DATABASE_URL="$target" "$python" "$here/manage.py" restore_check ${counts:+--expect "$counts"} ${media_backup:+--media}
